package datasets

import (
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"
)

func TestIDXRoundTrip(t *testing.T) {
	s := uniqueSet(7, 1, 5, 4, 10)
	img, lbl := idxBytes(t, s)
	dir := t.TempDir()
	for _, tc := range []struct {
		name     string
		img, lbl []byte
	}{
		{"raw", img, lbl},
		{"gz", gz(img), gz(lbl)},
		{"mixed", gz(img), lbl},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ip := writeFile(t, dir, tc.name+"-images", tc.img)
			lp := writeFile(t, dir, tc.name+"-labels", tc.lbl)
			got, err := LoadIDX(ip, lp)
			if err != nil {
				t.Fatal(err)
			}
			want := *s
			want.Name = "idx"
			if !sameSet(got, &want) {
				t.Fatalf("round trip differs:\ngot  %+v\nwant %+v", got, want)
			}
			if err := got.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestIDXClassesInferred(t *testing.T) {
	s := Synthetic(9, 1, 2, 3, 3, 1)
	img, lbl := idxBytes(t, s)
	dir := t.TempDir()
	got, err := LoadIDXClasses(writeFile(t, dir, "i", img), writeFile(t, dir, "l", lbl), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Classes != 3 || len(got.ClassNames) != 3 {
		t.Fatalf("inferred %d classes, want 3", got.Classes)
	}
}

func TestIDXErrors(t *testing.T) {
	s := Synthetic(4, 1, 3, 3, 10, 1)
	img, lbl := idxBytes(t, s)
	other := Synthetic(5, 1, 3, 3, 10, 1)
	_, lbl5 := idxBytes(t, other)
	badLabel := append([]byte(nil), lbl...)
	badLabel[len(badLabel)-1] = 12
	wrongType := append([]byte(nil), img...)
	wrongType[2] = 0x0D
	corruptGz := gz(img)
	corruptGz[len(corruptGz)/2] ^= 0xff
	corruptGz[len(corruptGz)/2+1] ^= 0xff
	overflow := append([]byte(nil), img[:16]...)
	binary.BigEndian.PutUint32(overflow[4:], 0xffffffff)
	binary.BigEndian.PutUint32(overflow[8:], 0xffff)
	binary.BigEndian.PutUint32(overflow[12:], 0xffff)
	zeroDims := append([]byte(nil), img[:16]...)
	binary.BigEndian.PutUint32(zeroDims[8:], 0)
	big := append([]byte(nil), img[:16]...)
	binary.BigEndian.PutUint32(big[4:], 60000)
	binary.BigEndian.PutUint32(big[8:], 28)
	binary.BigEndian.PutUint32(big[12:], 28)
	big = append(big, make([]byte, 1234)...)

	for _, tc := range []struct {
		name     string
		img, lbl []byte
		kind     error
		subs     []string
	}{
		{"truncated header", img[:10], lbl, ErrFormat, []string{"truncated header", "10 bytes", "needs 16"}},
		{"truncated pixels", img[:len(img)-5], lbl, ErrFormat, []string{"truncated", "4 images of 3×3", "31 bytes of pixels"}},
		{"truncated pixels gz", gz(img[:len(img)-5]), lbl, ErrFormat, []string{"truncated", "31 bytes of pixels"}},
		{"huge header", big, lbl, ErrFormat, []string{"60000 images of 28×28", "1234 bytes of pixels"}},
		{"truncated labels", img, lbl[:len(lbl)-1], ErrFormat, []string{"truncated", "4 labels", "3 bytes of labels"}},
		{"trailing bytes", append(append([]byte(nil), img...), 1, 2), lbl, ErrFormat, []string{"more bytes follow"}},
		{"wrong magic labels as images", lbl, img, ErrFormat, []string{"wrong magic", "00 00 08 01", "this is a labels file"}},
		{"wrong magic gzip garbage", []byte("PK\x03\x04 not idx at all......"), lbl, ErrFormat, []string{"wrong magic"}},
		{"wrong element type", wrongType, lbl, ErrFormat, []string{"element type 0x0d"}},
		{"count mismatch", img, lbl5, ErrFormat, []string{"count mismatch", "4 images", "5 labels"}},
		{"label out of range", img, badLabel, ErrFormat, []string{"label 12 of sample 3", "[0, 10)"}},
		{"corrupt gzip", corruptGz, lbl, ErrFormat, []string{"gzip"}},
		{"empty file", nil, lbl, ErrFormat, []string{"truncated header", "0 bytes"}},
		{"implausible header", overflow, lbl, ErrFormat, []string{"implausible header", "4294967295×65535×65535"}},
		{"zero-sized images", zeroDims, lbl, ErrFormat, []string{"images of 0×3 pixels"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ip := writeFile(t, dir, "images", tc.img)
			lp := writeFile(t, dir, "labels", tc.lbl)
			_, err := LoadIDX(ip, lp)
			wantErr(t, err, tc.kind, tc.subs...)
			if err != nil && !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		dir := t.TempDir()
		missing := filepath.Join(dir, "nope-images")
		_, err := LoadIDX(missing, writeFile(t, dir, "l", lbl))
		wantErr(t, err, ErrNotFound, missing, "not found")
	})
}

func TestWriteIDXRejectsColour(t *testing.T) {
	var a, b discard
	wantErr(t, WriteIDX(&a, &b, Synthetic(2, 3, 2, 2, 2, 1)), ErrConfig, "one channel")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
