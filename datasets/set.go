package datasets

import (
	"fmt"
	"strconv"
)

// Set is an in-memory labelled image set, pixels as uint8 [N][C][H][W].
type Set struct {
	// Name identifies the source: "mnist", "fashion-mnist", "cifar10",
	// "cifar100", "synthetic", or an image folder's root name.
	Name string
	// C, H, W are the channels, height and width of every image.
	C, H, W int
	// Classes is the number of classes; every label is in [0, Classes).
	Classes int
	// ClassNames has Classes entries, index = label.
	ClassNames []string
	// Pixels holds N*C*H*W bytes, sample-major, then channel, row, column.
	Pixels []uint8
	// Labels holds one class index per sample.
	Labels []int32
}

// Len returns the number of samples.
func (s *Set) Len() int { return len(s.Labels) }

// ImageSize returns C*H*W, the number of bytes per sample.
func (s *Set) ImageSize() int { return s.C * s.H * s.W }

// Image returns sample i's pixels, CHW, aliasing s.Pixels.
func (s *Set) Image(i int) []uint8 {
	n := s.ImageSize()
	return s.Pixels[i*n : (i+1)*n : (i+1)*n]
}

// ClassCounts returns the number of samples of each class.
func (s *Set) ClassCounts() []int {
	counts := make([]int, s.Classes)
	for _, y := range s.Labels {
		if y >= 0 && int(y) < s.Classes {
			counts[y]++
		}
	}
	return counts
}

// Validate checks that the fields are consistent: positive shape, pixel
// count N*C*H*W, ClassNames of length Classes, every label in range.
func (s *Set) Validate() error {
	if s.C <= 0 || s.H <= 0 || s.W <= 0 {
		return fmt.Errorf("datasets: set %q has shape %d×%d×%d; C, H and W must be positive: %w", s.Name, s.C, s.H, s.W, ErrConfig)
	}
	if s.Classes <= 0 {
		return fmt.Errorf("datasets: set %q has %d classes; need at least 1: %w", s.Name, s.Classes, ErrConfig)
	}
	if len(s.ClassNames) != s.Classes {
		return fmt.Errorf("datasets: set %q has %d class names for %d classes: %w", s.Name, len(s.ClassNames), s.Classes, ErrConfig)
	}
	if want := s.Len() * s.ImageSize(); len(s.Pixels) != want {
		return fmt.Errorf("datasets: set %q holds %d pixel bytes, want %d samples × %d×%d×%d = %d: %w",
			s.Name, len(s.Pixels), s.Len(), s.C, s.H, s.W, want, ErrConfig)
	}
	for i, y := range s.Labels {
		if y < 0 || int(y) >= s.Classes {
			return fmt.Errorf("datasets: set %q sample %d has label %d outside [0, %d): %w", s.Name, i, y, s.Classes, ErrConfig)
		}
	}
	return nil
}

// Subset returns a copy of the samples idx, in that order (indices may
// repeat). It panics if an index is out of range.
func (s *Set) Subset(idx []int) *Set {
	n := s.ImageSize()
	out := s.emptyLike(len(idx))
	for j, i := range idx {
		if i < 0 || i >= s.Len() {
			panic(fmt.Sprintf("datasets: Subset index %d out of range [0, %d)", i, s.Len()))
		}
		copy(out.Pixels[j*n:(j+1)*n], s.Pixels[i*n:(i+1)*n])
		out.Labels[j] = s.Labels[i]
	}
	return out
}

// emptyLike returns a set with s's metadata and room for n samples.
func (s *Set) emptyLike(n int) *Set {
	return &Set{
		Name:       s.Name,
		C:          s.C,
		H:          s.H,
		W:          s.W,
		Classes:    s.Classes,
		ClassNames: append([]string(nil), s.ClassNames...),
		Pixels:     make([]uint8, n*s.ImageSize()),
		Labels:     make([]int32, n),
	}
}

// numberNames returns the class names "0", "1", … "n-1".
func numberNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}
