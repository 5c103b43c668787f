package backendtest

import (
	"fmt"
	"testing"

	"ghlsim/backends"
)

// poolCases covers non-overlapping, overlapping and padded windows,
// including DeepHebb's k4 s2 p1 max pool and odd sizes (floor mode).
var poolCases = []poolSpec{
	{2, 3, 6, 6, backends.PoolParams{Kernel: 2, Stride: 2}},
	{2, 2, 7, 8, backends.PoolParams{Kernel: 3, Stride: 2, Pad: 1}},
	{1, 3, 9, 9, backends.PoolParams{Kernel: 4, Stride: 2, Pad: 1}},
	{2, 2, 5, 5, backends.PoolParams{Kernel: 3, Stride: 1, Pad: 1}},
	{2, 2, 7, 7, backends.PoolParams{Kernel: 2, Stride: 2}},
	{1, 2, 4, 6, backends.PoolParams{Kernel: 2, Stride: 1, Pad: 1}},
}

// String names the case for t.Run.
func (s poolSpec) String() string {
	return fmt.Sprintf("x%dx%dx%dx%d_k%d_s%d_p%d", s.B, s.C, s.H, s.W, s.P.Kernel, s.P.Stride, s.P.Pad)
}

// shapes returns the input and pooled shapes.
func (s poolSpec) shapes() (xs, ys backends.Shape) {
	ho, wo := s.out()
	return backends.Shape{s.B, s.C, s.H, s.W}, backends.Shape{s.B, s.C, ho, wo}
}

// testMaxPool checks max pooling on inputs without near-ties (so the
// routing of the backward pass is differentiable within the finite
// difference step), on all-negative inputs with padding (padding never
// wins) and on exact ties (the first maximum in window order wins).
func testMaxPool(t *testing.T, bk backends.Backend) {
	for i, c := range poolCases {
		t.Run(c.String(), func(t *testing.T) {
			h := newHarness(bk, 300+uint64(i))
			xs, ys := c.shapes()
			x := h.distinct(xs.Len())
			if i%2 == 1 {
				for j := range x {
					x[j] = x[j]/2 - 0.6 // all negative: a padded zero must never win
				}
			}
			xt, yt, arg := h.tensor(xs, x), h.tensor(ys, nil), bk.AllocIndices(ys)
			bk.MaxPool2D(yt, arg, xt, c.P)
			x64 := f64(x)
			ry, rarg := refMaxPool(c, x64)
			closeTo(t, "y", h.get(yt), ry, 0, 1e-30)
			dy := h.randn(ys.Len(), 1)
			dxt := h.tensor(xs, nil)
			bk.MaxPool2DBackward(dxt, h.tensor(ys, dy), arg)
			dy64 := f64(dy)
			fwd := func() []float64 { y, _ := refMaxPool(c, x64); return y }
			checkGrads(t, h.rng, fwd, dy64, tolExact,
				grad{name: "dx", x: x64, backend: h.get(dxt), ref: refMaxPoolBackward(c, dy64, rarg)})
		})
	}
	t.Run("ties", func(t *testing.T) {
		// Overlapping padded windows over a plane of ties: each window's
		// first real element in row-major order must win (never padding),
		// and dy = 2^o makes every routing visible in dx.
		h := newHarness(bk, 399)
		c := poolSpec{1, 1, 5, 5, backends.PoolParams{Kernel: 3, Stride: 2, Pad: 1}}
		xs, ys := c.shapes()
		x := make([]float32, xs.Len())
		for j := range x {
			x[j] = -2
		}
		x[12] = 5         // the centre wins the middle window
		x[0], x[1] = 3, 3 // a tie inside the top-left window
		xt, yt, arg := h.tensor(xs, x), h.tensor(ys, nil), bk.AllocIndices(ys)
		bk.MaxPool2D(yt, arg, xt, c.P)
		dy := make([]float32, ys.Len())
		for j := range dy {
			dy[j] = float32(int(1) << j)
		}
		dxt := h.tensor(xs, nil)
		bk.MaxPool2DBackward(dxt, h.tensor(ys, dy), arg)
		_, rarg := refMaxPool(c, f64(x))
		want := refMaxPoolBackward(c, f64(dy), rarg)
		closeTo(t, "dx with ties", h.get(dxt), want, 0, 1e-30)
		// Spelled out: 3×3 outputs, windows over rows (and columns) −1..1,
		// 1..3 and 3..5. Output 0 ties x[0] = x[1] = 3 and takes x[0];
		// output 1 holds x[1] = 3; output 4 the centre; the rest tie at −2
		// and take their first real element.
		wantArg := []int{0, 1, 3, 5, 12, 8, 15, 16, 18}
		for o, a := range rarg {
			if a != wantArg[o] {
				t.Fatalf("reference argmax %v, want %v", rarg, wantArg)
			}
		}
		wantDx := make([]float64, xs.Len())
		for o, a := range wantArg {
			wantDx[a] += float64(dy[o])
		}
		closeTo(t, "dx with ties (spelled out)", h.get(dxt), wantDx, 0, 1e-30)
	})
}

// testAvgPool checks average pooling (count_include_pad) and its backward.
func testAvgPool(t *testing.T, bk backends.Backend) {
	for i, c := range poolCases {
		t.Run(c.String(), func(t *testing.T) {
			h := newHarness(bk, 350+uint64(i))
			xs, ys := c.shapes()
			x := h.randn(xs.Len(), 1)
			xt, yt := h.tensor(xs, x), h.tensor(ys, nil)
			bk.AvgPool2D(yt, xt, c.P)
			x64 := f64(x)
			closeTo(t, "y", h.get(yt), refAvgPool(c, x64), tolExact, 1e-30)
			dy := h.randn(ys.Len(), 1)
			dxt := h.tensor(xs, nil)
			bk.AvgPool2DBackward(dxt, h.tensor(ys, dy), c.P)
			dy64 := f64(dy)
			fwd := func() []float64 { return refAvgPool(c, x64) }
			checkGrads(t, h.rng, fwd, dy64, tolExact,
				grad{name: "dx", x: x64, backend: h.get(dxt), ref: refAvgPoolBackward(c, dy64)})
		})
	}
}
