package backends

import (
	"fmt"
	"strings"
)

// Shape is a tensor's dimensions, outermost first (NCHW for images, [B, N]
// for dense activity, [K, C, kh, kw] for conv weights, [out, in] for dense
// weights, as in PyTorch).
type Shape []int

// Len is the number of elements of a tensor of this shape.
func (s Shape) Len() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Equal reports whether two shapes are identical.
func (s Shape) Equal(o Shape) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if s[i] != o[i] {
			return false
		}
	}
	return true
}

// Clone returns an independent copy of s.
func (s Shape) Clone() Shape { return append(Shape(nil), s...) }

// String formats the shape as [a×b×c].
func (s Shape) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, "×") + "]"
}

// Valid reports whether every dimension is positive.
func (s Shape) Valid() bool {
	for _, d := range s {
		if d <= 0 {
			return false
		}
	}
	return len(s) > 0
}

// NCHW splits a 4-d shape, or treats a 2-d [B, N] shape as [B, N, 1, 1].
// It panics for other ranks.
func (s Shape) NCHW() (n, c, h, w int) {
	switch len(s) {
	case 4:
		return s[0], s[1], s[2], s[3]
	case 2:
		return s[0], s[1], 1, 1
	}
	panic(fmt.Sprintf("backends: shape %v is neither [B,C,H,W] nor [B,N]", s))
}
