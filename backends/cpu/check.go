package cpu

import (
	"fmt"

	"ghlsim/backends"
)

// sameLen panics unless every tensor has the length of the first.
func sameLen(op string, ts ...*Tensor) {
	for _, t := range ts[1:] {
		if len(t.data) != len(ts[0].data) {
			panic(fmt.Sprintf("cpu: %s: tensor %v does not match %v in length", op, t.shape, ts[0].shape))
		}
	}
}

// sameShape panics unless t has shape want.
func sameShape(op, name string, t *Tensor, want backends.Shape) {
	if !t.shape.Equal(want) {
		panic(fmt.Sprintf("cpu: %s: %s has shape %v, want %v", op, name, t.shape, want))
	}
}

// vecOf checks that an optional per-channel tensor has n elements.
func vecOf(op, name string, t backends.Tensor, n int) []float32 {
	ct := optTensor(t)
	if ct == nil {
		return nil
	}
	if len(ct.data) != n {
		panic(fmt.Sprintf("cpu: %s: %s has shape %v, want [%d]", op, name, ct.shape, n))
	}
	return ct.data
}

// nchw splits a [B,C,H,W] or [B,N] shape (the latter as [B,N,1,1]),
// panicking with the op's name on other ranks.
func nchw(op, name string, t *Tensor) (n, c, h, w int) {
	if len(t.shape) != 4 && len(t.shape) != 2 {
		panic(fmt.Sprintf("cpu: %s: %s has shape %v, want [B,C,H,W] or [B,N]", op, name, t.shape))
	}
	return t.shape.NCHW()
}

// four splits a [B,C,H,W] shape, panicking on other ranks.
func four(op, name string, t *Tensor) (n, c, h, w int) {
	if len(t.shape) != 4 {
		panic(fmt.Sprintf("cpu: %s: %s has shape %v, want [B,C,H,W]", op, name, t.shape))
	}
	return t.shape.NCHW()
}

// dims4 panics unless t has shape [n, c, h, w] (built only on failure, so a
// passing check does not allocate).
func dims4(op, name string, t *Tensor, n, c, h, w int) {
	s := t.shape
	if len(s) != 4 || s[0] != n || s[1] != c || s[2] != h || s[3] != w {
		panic(fmt.Sprintf("cpu: %s: %s has shape %v, want %v", op, name, s, backends.Shape{n, c, h, w}))
	}
}
