package datasets

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"path"
	"strings"
)

// Limits that keep a malicious or broken image from allocating without
// bound: an image may have at most MaxImagePixels pixels (the default
// DefaultMaxImagePixels, raised with ImageFolderOptions.MaxImagePixels or
// ghl's --max-image-pixels), checked from its header before it is decoded,
// and at most pixelsPerByte pixels per byte of its file beyond a small
// allowance (real photos and even blank PNGs stay far below it).
const (
	// DefaultMaxImagePixels is the largest image (width × height) an image
	// folder may hold unless the caller raises it: 4096 × 4096.
	DefaultMaxImagePixels = 4096 * 4096
	pixelsPerByte         = 1024
	pixelsAllowance       = 1 << 14
	imageExtensions       = ".jpg, .jpeg or .png"
	imageFormatJPEG       = "jpeg"
	imageFormatPNG        = "png"
	imageFormatOther      = ""
)

// imageInfo is what decodeConfig learns from an image header.
type imageInfo struct {
	w, h int
	gray bool
}

// isImageName reports whether name has an image extension.
func isImageName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg", ".png":
		return true
	}
	return false
}

// sniffFormat recognises JPEG and PNG by their magic bytes.
func sniffFormat(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		return imageFormatJPEG
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return imageFormatPNG
	}
	return imageFormatOther
}

// decodeConfig reads an image header from data and checks its size against
// the default limits. name is the file's name for errors.
func decodeConfig(name string, data []byte) (imageInfo, error) {
	return decodeConfigReader(name, bytes.NewReader(data), int64(len(data)), DefaultMaxImagePixels)
}

// decodeConfigReader reads an image header from r, the start of a file of
// size bytes, and checks its width × height against maxPixels (≤ 0: the
// default) and the file's size. It reads only the header.
func decodeConfigReader(name string, r io.Reader, size, maxPixels int64) (imageInfo, error) {
	maxPixels = pixelLimit(maxPixels)
	br := bufio.NewReaderSize(r, 4096)
	head, _ := br.Peek(8)
	var cfg image.Config
	var err error
	switch sniffFormat(head) {
	case imageFormatJPEG:
		cfg, err = jpeg.DecodeConfig(br)
	case imageFormatPNG:
		cfg, err = png.DecodeConfig(br)
	default:
		return imageInfo{}, formatError(name, "not a JPEG or PNG image (unrecognised first bytes)",
			"remove the file or replace it with a valid image", nil)
	}
	if err != nil {
		return imageInfo{}, formatError(name, "corrupt image header", "remove the file or replace it with a valid image", err)
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	if cfg.Width > 0 && cfg.Height > 0 && px > maxPixels && px <= pixelsAllowance+pixelsPerByte*size {
		return imageInfo{}, formatError(name,
			fmt.Sprintf("image is %d×%d = %d pixels, over the limit of %d pixels per image", cfg.Width, cfg.Height, px, maxPixels),
			"resize the images (the network sees them at their own size), or raise the limit with --max-image-pixels", nil)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || px > maxPixels || px > pixelsAllowance+pixelsPerByte*size {
		return imageInfo{}, formatError(name,
			fmt.Sprintf("implausible image size %d×%d for a %d-byte file", cfg.Width, cfg.Height, size),
			"remove the file or replace it with a valid image", nil)
	}
	gray := cfg.ColorModel == color.GrayModel || cfg.ColorModel == color.Gray16Model
	return imageInfo{w: cfg.Width, h: cfg.Height, gray: gray}, nil
}

// maxFileBytes is the largest image file read for decoding under a pixel
// limit: an uncompressed 16-bit RGBA PNG of that many pixels, plus 1 MiB of
// metadata.
func maxFileBytes(maxPixels int64) int64 { return 8*pixelLimit(maxPixels) + 1<<20 }

// pixelLimit is maxPixels, or DefaultMaxImagePixels when it is ≤ 0.
func pixelLimit(maxPixels int64) int64 {
	if maxPixels <= 0 {
		return DefaultMaxImagePixels
	}
	return maxPixels
}

// decodeInto decodes an image whose header passed decodeConfig and writes
// it to dst as c planes (1 = gray, 3 = RGB) of h×w bytes.
func decodeInto(name string, data []byte, dst []uint8, c, h, w int) error {
	var img image.Image
	var err error
	switch sniffFormat(data) {
	case imageFormatJPEG:
		img, err = jpeg.Decode(bytes.NewReader(data))
	case imageFormatPNG:
		img, err = png.Decode(bytes.NewReader(data))
	default:
		err = fmt.Errorf("unrecognised format")
	}
	if err != nil {
		return formatError(name, "corrupt image", "remove the file or replace it with a valid image", err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		return formatError(name, fmt.Sprintf("decoded to %d×%d, its header said %d×%d", b.Dx(), b.Dy(), w, h),
			"remove the file or replace it with a valid image", nil)
	}
	toPlanes(img, dst, c, h, w)
	return nil
}

// toPlanes converts img to c planes of h×w bytes in dst; gray images are
// replicated into 3 planes when c is 3, colour images reduced to luma when
// c is 1. Alpha is ignored.
func toPlanes(img image.Image, dst []uint8, c, h, w int) {
	plane := h * w
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			for ch := range c {
				copy(dst[ch*plane+y*w:], row)
			}
		}
		return
	case *image.YCbCr:
		if c == 3 && b.Min == (image.Point{}) {
			ycbcrToPlanes(m, dst[:plane], dst[plane:2*plane], dst[2*plane:3*plane], h, w)
			return
		}
	case *image.NRGBA:
		if c == 3 {
			for y := range h {
				row := m.Pix[y*m.Stride:]
				for x := range w {
					o := y*w + x
					dst[o], dst[plane+o], dst[2*plane+o] = row[4*x], row[4*x+1], row[4*x+2]
				}
			}
			return
		}
	case *image.RGBA:
		if c == 3 {
			for y := range h {
				row := m.Pix[y*m.Stride:]
				for x := range w {
					o := y*w + x
					dst[o], dst[plane+o], dst[2*plane+o] = row[4*x], row[4*x+1], row[4*x+2]
				}
			}
			return
		}
	}
	for y := range h {
		for x := range w {
			px := img.At(b.Min.X+x, b.Min.Y+y)
			o := y*w + x
			if c == 1 {
				dst[o] = color.GrayModel.Convert(px).(color.Gray).Y
				continue
			}
			r, g, bl, _ := px.RGBA()
			dst[o], dst[plane+o], dst[2*plane+o] = uint8(r>>8), uint8(g>>8), uint8(bl>>8)
		}
	}
}

// ycbcrToPlanes converts a YCbCr image with its origin at (0, 0) to RGB
// planes, with the same arithmetic as color.YCbCrToRGB.
func ycbcrToPlanes(m *image.YCbCr, rp, gp, bp []uint8, h, w int) {
	sx, sy := 0, 0 // chroma subsampling shifts
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		sx = 1
	case image.YCbCrSubsampleRatio420:
		sx, sy = 1, 1
	case image.YCbCrSubsampleRatio440:
		sy = 1
	case image.YCbCrSubsampleRatio411:
		sx = 2
	case image.YCbCrSubsampleRatio410:
		sx, sy = 2, 1
	}
	for y := range h {
		yrow := m.Y[y*m.YStride : y*m.YStride+w]
		crow := (y >> sy) * m.CStride
		cb, cr := m.Cb[crow:], m.Cr[crow:]
		out := y * w
		r, g, b := rp[out:out+w], gp[out:out+w], bp[out:out+w]
		for x, yv := range yrow {
			yy := int32(yv) * 0x10101
			cb1 := int32(cb[x>>sx]) - 128
			cr1 := int32(cr[x>>sx]) - 128
			r[x] = clampFix(yy + 91881*cr1)
			g[x] = clampFix(yy - 22554*cb1 - 46802*cr1)
			b[x] = clampFix(yy + 116130*cb1)
		}
	}
}

// clampFix turns a 16.16 fixed-point value into a byte, clamping to
// [0, 255] as color.YCbCrToRGB does.
func clampFix(v int32) uint8 {
	if uint32(v)&0xff000000 == 0 {
		return uint8(v >> 16)
	}
	return uint8(^(v >> 31))
}
