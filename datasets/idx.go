package datasets

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The idx format (LeCun's MNIST files): a big-endian header of two zero
// bytes, a type byte (0x08 = unsigned byte), a dimension count, then one
// uint32 per dimension, then the data row-major.
const (
	idxTypeUbyte   = 0x08
	idxImageDims   = 3 // N, H, W
	idxLabelDims   = 1 // N
	idxMaxElements = 1 << 40
)

// idxFix is the advice for a malformed idx file of unknown origin.
const idxFix = "re-download the file, and pass the images file first and the labels file second"

// LoadIDX reads an idx image file (N×H×W unsigned bytes, magic 0x00000803)
// and its label file (N unsigned bytes, magic 0x00000801), each raw or
// gzip-compressed, as a one-channel Set with 10 classes named "0"…"9" (the
// MNIST family). It checks the magic numbers, dimensions, counts,
// truncation, trailing bytes and that every label is below 10. Use
// LoadIDXClasses for idx sets with another number of classes.
func LoadIDX(imagesPath, labelsPath string) (*Set, error) {
	return loadIDXPair(imagesPath, labelsPath, 10, idxFix)
}

// LoadIDXClasses is LoadIDX for an idx pair with the given number of
// classes; classes ≤ 0 takes the largest label plus one.
func LoadIDXClasses(imagesPath, labelsPath string, classes int) (*Set, error) {
	return loadIDXPair(imagesPath, labelsPath, classes, idxFix)
}

// loadIDXPair opens both files and decodes them; fix is the advice attached
// to every error.
func loadIDXPair(imagesPath, labelsPath string, classes int, fix string) (*Set, error) {
	img, f, err := openSource(imagesPath, fix)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lbl, g, err := openSource(labelsPath, fix)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	return decodeIDXPair(img, lbl, classes, fix)
}

// decodeIDXPair decodes an idx image source and label source into a Set.
func decodeIDXPair(img, lbl *source, classes int, fix string) (*Set, error) {
	dims, pixels, err := readIDX(img, idxImageDims, "image", fix)
	if err != nil {
		return nil, err
	}
	ldims, raw, err := readIDX(lbl, idxLabelDims, "label", fix)
	if err != nil {
		return nil, err
	}
	n, h, w := dims[0], dims[1], dims[2]
	if ldims[0] != n {
		return nil, formatError(img.name+" + "+lbl.name,
			fmt.Sprintf("image/label count mismatch: the images file holds %s but the labels file %s",
				plural(int64(n), "image"), plural(int64(ldims[0]), "label")),
			"pass an images file and the labels file of the same split (train with train, t10k with t10k)", nil)
	}
	if classes <= 0 {
		classes = 1
		for _, y := range raw {
			classes = max(classes, int(y)+1)
		}
	}
	labels := make([]int32, n)
	for i, y := range raw {
		if int(y) >= classes {
			return nil, formatError(lbl.name,
				fmt.Sprintf("label %d of sample %d is outside [0, %d)", y, i, classes), fix, nil)
		}
		labels[i] = int32(y)
	}
	return &Set{
		Name:       "idx",
		C:          1,
		H:          h,
		W:          w,
		Classes:    classes,
		ClassNames: numberNames(classes),
		Pixels:     pixels,
		Labels:     labels,
	}, nil
}

// readIDX reads one idx file of unsigned bytes with the wanted number of
// dimensions; what ("image" or "label") names it in errors.
func readIDX(s *source, ndims int, what, fix string) (dims []int, data []byte, err error) {
	hdrLen := 4 + 4*ndims
	hdr := make([]byte, hdrLen)
	n, err := s.readFull(hdr)
	if err != nil {
		return nil, nil, s.corrupt(err)
	}
	if n >= 4 {
		want := []byte{0, 0, idxTypeUbyte, byte(ndims)}
		if hdr[0] != 0 || hdr[1] != 0 || hdr[2] != idxTypeUbyte || hdr[3] != byte(ndims) {
			return nil, nil, formatError(s.name,
				fmt.Sprintf("wrong magic: not an idx %s file: magic bytes % x, want % x (unsigned bytes, %s)%s",
					what, hdr[:4], want, plural(int64(ndims), "dimension"), magicHint(hdr[:4], ndims)),
				fix, nil)
		}
	}
	if n < hdrLen {
		return nil, nil, formatError(s.name,
			fmt.Sprintf("truncated header: the file holds %d bytes, an idx %s header needs %d", n, what, hdrLen), fix, nil)
	}
	dims = make([]int, ndims)
	strs := make([]string, ndims)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(hdr[4+4*i:]))
		strs[i] = strconv.Itoa(dims[i])
	}
	total := int64(1)
	for _, d := range dims {
		if d != 0 && total > idxMaxElements/int64(d) {
			return nil, nil, formatError(s.name,
				fmt.Sprintf("implausible header: dimensions %s describe more than 2⁴⁰ bytes", strings.Join(strs, "×")), fix, nil)
		}
		total *= int64(d)
	}
	if ndims == idxImageDims && (dims[1] == 0 || dims[2] == 0) {
		return nil, nil, formatError(s.name, fmt.Sprintf("header says images of %d×%d pixels", dims[1], dims[2]), fix, nil)
	}
	data, extra, err := s.readPayload(total)
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) < total {
		unit := "labels"
		if ndims == idxImageDims {
			unit = "pixels"
		}
		return nil, nil, formatError(s.name,
			fmt.Sprintf("truncated: header says %s but the file holds %d bytes of %s (want %d)",
				describeIDX(dims), len(data), unit, total),
			fix, nil)
	}
	if extra {
		return nil, nil, formatError(s.name,
			fmt.Sprintf("header says %s (%d bytes) but more bytes follow them", describeIDX(dims), total), fix, nil)
	}
	return dims, data, nil
}

// describeIDX turns idx dimensions into words: "60000 images of 28×28".
func describeIDX(dims []int) string {
	if len(dims) == idxImageDims {
		return fmt.Sprintf("%s of %d×%d", plural(int64(dims[0]), "image"), dims[1], dims[2])
	}
	return plural(int64(dims[0]), "label")
}

// magicHint explains common magic mix-ups.
func magicHint(m []byte, ndims int) string {
	switch {
	case m[0] == 0 && m[1] == 0 && m[2] == idxTypeUbyte && m[3] == idxLabelDims && ndims == idxImageDims:
		return "; this is a labels file"
	case m[0] == 0 && m[1] == 0 && m[2] == idxTypeUbyte && m[3] == idxImageDims && ndims == idxLabelDims:
		return "; this is an images file"
	case m[0] == 0 && m[1] == 0 && m[2] != idxTypeUbyte:
		return fmt.Sprintf("; element type 0x%02x is not supported, only unsigned bytes", m[2])
	}
	return ""
}

// idxNames lists the file names tried for one idx file: the given base name
// gzip-compressed, then raw.
func idxNames(base string) []string {
	base = strings.TrimSuffix(base, ".gz")
	return []string{base + ".gz", base}
}

// encodeIDXHeader returns an idx header for unsigned-byte data of the given
// dimensions (used by WriteIDX).
func encodeIDXHeader(dims ...int) []byte {
	h := []byte{0, 0, idxTypeUbyte, byte(len(dims))}
	for _, d := range dims {
		h = binary.BigEndian.AppendUint32(h, uint32(d))
	}
	return h
}

// WriteIDX writes s (which must have one channel and at most 256 classes)
// as an idx image file and an idx label file, uncompressed.
func WriteIDX(images, labels io.Writer, s *Set) error {
	if s.C != 1 || s.Classes > 256 {
		return fmt.Errorf("datasets: WriteIDX of %q: idx holds one channel and byte labels, the set has %d channels and %d classes: %w", s.Name, s.C, s.Classes, ErrConfig)
	}
	if err := s.Validate(); err != nil {
		return err
	}
	if _, err := images.Write(encodeIDXHeader(s.Len(), s.H, s.W)); err != nil {
		return err
	}
	if _, err := images.Write(s.Pixels); err != nil {
		return err
	}
	lb := encodeIDXHeader(s.Len())
	for _, y := range s.Labels {
		lb = append(lb, byte(y))
	}
	_, err := labels.Write(lb)
	return err
}
