package datasets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// idxBytes encodes a one-channel set as idx image and label bytes.
func idxBytes(t testing.TB, s *Set) (images, labels []byte) {
	t.Helper()
	var ib, lb bytes.Buffer
	if err := WriteIDX(&ib, &lb, s); err != nil {
		t.Fatal(err)
	}
	return ib.Bytes(), lb.Bytes()
}

// gz compresses b.
func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// writeFile writes data to dir/name (creating folders) and returns the path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// uniqueSet returns a synthetic set whose samples are told apart by their
// first pixels, which encode the sample index.
func uniqueSet(n, c, h, w, classes int) *Set {
	s := Synthetic(n, c, h, w, classes, 7)
	for i := range n {
		img := s.Image(i)
		img[0], img[1] = uint8(i), uint8(i>>8)
	}
	return s
}

// sampleID decodes uniqueSet's index from an image.
func sampleID(img []uint8) int { return int(img[0]) | int(img[1])<<8 }

// cifarRecord returns one CIFAR record with label(s) and a pixel pattern
// derived from seed.
func cifarRecord(hundred bool, coarse, fine byte, seed int) []byte {
	var rec []byte
	if hundred {
		rec = append(rec, coarse)
	}
	rec = append(rec, fine)
	for j := range cifarPixels {
		rec = append(rec, byte(j*7+seed*13))
	}
	return rec
}

// testImage returns a w×h image: gray, or RGB with distinct channels.
func testImage(w, h int, gray bool, seed int) image.Image {
	if gray {
		m := image.NewGray(image.Rect(0, 0, w, h))
		for i := range m.Pix {
			m.Pix[i] = byte(i*5 + seed*31)
		}
		return m
	}
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, color.NRGBA{byte(x*9 + seed), byte(y*11 + 2*seed), byte(x*y + 3*seed), 255})
		}
	}
	return m
}

// pngBytes encodes testImage as PNG.
func pngBytes(t testing.TB, w, h int, gray bool, seed int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(w, h, gray, seed)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// jpegBytes encodes testImage as JPEG.
func jpegBytes(t testing.TB, w, h int, gray bool, seed int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(w, h, gray, seed), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// planes converts an image to CHW bytes the way the loader should.
func planes(img image.Image, c int) []uint8 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]uint8, c*w*h)
	for y := range h {
		for x := range w {
			r, g, bl, _ := img.At(x, y).RGBA()
			if c == 1 {
				out[y*w+x] = color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
				continue
			}
			out[y*w+x], out[w*h+y*w+x], out[2*w*h+y*w+x] = byte(r>>8), byte(g>>8), byte(bl>>8)
		}
	}
	return out
}

// entry is one file or folder of a test image folder.
type entry struct {
	name string // slash path; a trailing "/" makes a folder
	data []byte
}

// tarGz packs entries into a .tar.gz.
func tarGz(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg, ModTime: time.Unix(1e9, 0)}
		if strings.HasSuffix(e.name, "/") {
			hdr.Typeflag, hdr.Size, hdr.Mode = tar.TypeDir, 0, 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

// writeTree creates entries under dir.
func writeTree(t testing.TB, dir string, entries []entry) {
	t.Helper()
	for _, e := range entries {
		if strings.HasSuffix(e.name, "/") {
			if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(e.name)), 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		writeFile(t, dir, e.name, e.data)
	}
}

// wantErr checks that err matches kind and mentions every substring.
func wantErr(t *testing.T, err error, kind error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one mentioning %q", subs)
	}
	t.Logf("error: %v", err)
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("error %q does not match %v", err, kind)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

// sameSet reports whether two sets are identical.
func sameSet(a, b *Set) bool {
	if a.Name != b.Name || a.C != b.C || a.H != b.H || a.W != b.W || a.Classes != b.Classes ||
		!bytes.Equal(a.Pixels, b.Pixels) || len(a.Labels) != len(b.Labels) || len(a.ClassNames) != len(b.ClassNames) {
		return false
	}
	for i := range a.Labels {
		if a.Labels[i] != b.Labels[i] {
			return false
		}
	}
	for i := range a.ClassNames {
		if a.ClassNames[i] != b.ClassNames[i] {
			return false
		}
	}
	return true
}
