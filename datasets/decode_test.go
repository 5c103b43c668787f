package datasets

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func TestYCbCrToPlanesMatchesStdlib(t *testing.T) {
	for _, ratio := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		m := image.NewYCbCr(image.Rect(0, 0, 13, 9), ratio)
		for i := range m.Y {
			m.Y[i] = byte(i * 37)
		}
		for i := range m.Cb {
			m.Cb[i], m.Cr[i] = byte(i*91), byte(i*53+7)
		}
		dst := make([]uint8, 3*13*9)
		toPlanes(m, dst, 3, 9, 13)
		if want := planes(m, 3); !bytes.Equal(dst, want) {
			t.Fatalf("%v: fast YCbCr conversion differs from color.YCbCrToRGB", ratio)
		}
	}
}

func TestToPlanesOtherModels(t *testing.T) {
	rgba := image.NewRGBA(image.Rect(0, 0, 3, 2))
	pal := image.NewPaletted(image.Rect(0, 0, 3, 2), color.Palette{color.RGBA{1, 2, 3, 255}, color.RGBA{200, 100, 50, 255}})
	g16 := image.NewGray16(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		rgba.Pix[4*i], rgba.Pix[4*i+1], rgba.Pix[4*i+2], rgba.Pix[4*i+3] = byte(i), byte(2*i), byte(3*i), 255
		pal.Pix[i] = byte(i % 2)
		g16.Pix[2*i] = byte(40 * i)
	}
	for _, img := range []image.Image{rgba, pal, g16, testImage(3, 2, false, 4), testImage(3, 2, true, 4)} {
		for _, c := range []int{1, 3} {
			dst := make([]uint8, c*6)
			toPlanes(img, dst, c, 2, 3)
			want := planes(img, c)
			if _, gray := img.(*image.Gray); gray && c == 3 {
				want = append(append(planes(img, 1), planes(img, 1)...), planes(img, 1)...)
			}
			if !bytes.Equal(dst, want) {
				t.Errorf("%T with %d channels: got %v, want %v", img, c, dst, want)
			}
		}
	}
}

func TestDecodeConfigLimits(t *testing.T) {
	// A PNG header claiming 30000×30000 pixels in a few bytes is refused
	// before anything is allocated for it.
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	copy(b[16:24], []byte{0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30}) // IHDR width, height
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	_, err := decodeConfig("huge.png", b)
	wantErr(t, err, ErrFormat, "huge.png", "implausible image size 30000×30000")
}
