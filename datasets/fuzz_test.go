package datasets

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"runtime"
	"testing"
)

// Fuzz targets. Their seed corpora live in testdata/fuzz/<target>/ and run
// as ordinary tests; `go test -fuzz=FuzzIDX ./datasets/` explores further.
// Each target checks that bad input gives a *FileError rather than a panic,
// that good input gives a valid Set, and that the bytes allocated stay
// within a bound set by the bytes the input actually holds (after
// decompression), never by what its headers claim.

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// inflated returns the size of b after gzip decompression (b's own size if
// it is not gzip; what decompresses before an error if it is corrupt).
func inflated(b []byte) uint64 {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return uint64(len(b))
	}
	n, _ := io.Copy(io.Discard, zr)
	return uint64(max(n, int64(len(b))))
}

// fixedOverhead covers decoder state (gzip windows, tables, bufio buffers).
const fixedOverhead = 1 << 20

func checkFileError(t *testing.T, err error) {
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, ErrFormat) {
		t.Fatalf("error %v (%T) is not a format *FileError", err, err)
	}
}

func FuzzIDX(f *testing.F) {
	f.Fuzz(func(t *testing.T, images, labels []byte) {
		limit := fixedOverhead + 3*(inflated(images)+inflated(labels))
		got := allocated(func() {
			img, err := newSource("images", idxFix, bytes.NewReader(images), int64(len(images)))
			if err != nil {
				checkFileError(t, err)
				return
			}
			lbl, err := newSource("labels", idxFix, bytes.NewReader(labels), int64(len(labels)))
			if err != nil {
				checkFileError(t, err)
				return
			}
			s, err := decodeIDXPair(img, lbl, 10, idxFix)
			if err != nil {
				checkFileError(t, err)
				return
			}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
		})
		if got > limit {
			t.Fatalf("allocated %d bytes for %d+%d input bytes", got, len(images), len(labels))
		}
	})
}

func FuzzCIFARBinary(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, hundred bool) {
		got := allocated(func() {
			s, err := decodeCIFAR("batch.bin", data, hundred)
			if err != nil {
				checkFileError(t, err)
				return
			}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			if s.Len()*cifarPixels > len(data) {
				t.Fatalf("%d samples from %d bytes", s.Len(), len(data))
			}
		})
		if got > 1<<16+2*uint64(len(data)) {
			t.Fatalf("allocated %d bytes for %d input bytes", got, len(data))
		}
	})
}

func FuzzImageFolderTar(f *testing.F) {
	f.Fuzz(func(t *testing.T, archive []byte) {
		var members []member
		var err error
		got := allocated(func() {
			members, err = readTar("fuzz.tar.gz", bytes.NewReader(archive), int64(len(archive)), 0)
		})
		// Listing keeps no member's content: headers, names and image
		// headers only, plus the readers' buffers.
		if limit := fixedOverhead + 16*uint64(len(archive)); got > limit {
			t.Fatalf("reading the archive allocated %d bytes, bound %d", got, limit)
		}
		if err != nil {
			checkFileError(t, err)
			return
		}
		// Decoding: each image may hold at most pixelsAllowance +
		// pixelsPerByte·(its bytes) pixels, at ≤ 16 bytes per pixel while
		// decoding and converting, plus its file.
		limit := uint64(fixedOverhead)
		for _, m := range members {
			limit += 128<<10 + uint64(m.size) + 16*(pixelsAllowance+pixelsPerByte*uint64(m.size))
		}
		var train, test *Set
		got = allocated(func() {
			src := memberSource{root: "fuzz.tar.gz", archive: true}
			train, test, err = buildImageFolder(src, "fuzz", members, tarReader{"fuzz.tar.gz", bytes.NewReader(archive), int64(len(archive)), 0}, ImageFolderOptions{Workers: 1})
		})
		if got > limit {
			t.Fatalf("decoding allocated %d bytes, bound %d", got, limit)
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FileError", err, err)
			}
			return
		}
		for _, s := range []*Set{train, test} {
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
