package backendtest

import (
	"fmt"
	"math"
	"testing"

	"ghlsim/backends"
)

// convCase is a convolution conformance case.
type convCase struct {
	convSpec
	bias bool
}

// String names the case for t.Run.
func (c convCase) String() string {
	return fmt.Sprintf("x%dx%dx%dx%d_w%dx%dx%dx%d_s%d_p%d_%v_bias=%v",
		c.B, c.C, c.H, c.W, c.K, c.C, c.KH, c.KW, c.P.Stride, c.P.Pad, c.P.Mode, c.bias)
}

// convCases covers stride 1 and 2, padding 0/1/2 with zero and reflect
// modes, odd and non-square sizes and kernels, a 1×1 kernel and a 1×1
// input (a dense layer expressed as a convolution).
var convCases = []convCase{
	{convSpec{2, 3, 7, 7, 4, 3, 3, backends.ConvParams{Stride: 1, Pad: 1}}, true},
	{convSpec{2, 3, 8, 9, 5, 3, 3, backends.ConvParams{Stride: 2, Pad: 1}}, false},
	{convSpec{1, 2, 9, 7, 3, 5, 5, backends.ConvParams{Stride: 1, Pad: 2}}, true},
	{convSpec{5, 2, 6, 5, 4, 3, 3, backends.ConvParams{Stride: 1, Pad: 1, Mode: backends.PadReflect}}, true},
	{convSpec{2, 3, 9, 8, 3, 5, 5, backends.ConvParams{Stride: 2, Pad: 2, Mode: backends.PadReflect}}, false},
	{convSpec{2, 2, 5, 6, 3, 3, 3, backends.ConvParams{Stride: 2, Pad: 0, Mode: backends.PadReflect}}, true},
	{convSpec{2, 4, 5, 5, 6, 1, 1, backends.ConvParams{Stride: 1}}, true},
	{convSpec{2, 2, 7, 6, 3, 2, 3, backends.ConvParams{Stride: 2}}, false},
	{convSpec{3, 5, 1, 1, 4, 1, 1, backends.ConvParams{Stride: 1}}, true},
}

// shapes returns the 4-d shapes of x, w and y.
func (s convSpec) shapes() (xs, ws, ys backends.Shape) {
	ho, wo := s.out()
	return backends.Shape{s.B, s.C, s.H, s.W}, backends.Shape{s.K, s.C, s.KH, s.KW}, backends.Shape{s.B, s.K, ho, wo}
}

// testConv checks Conv2D against refConv and both backward ops against
// finite differences and the analytic references.
func testConv(t *testing.T, bk backends.Backend) {
	for i, c := range convCases {
		t.Run(c.String(), func(t *testing.T) {
			h := newHarness(bk, 100+uint64(i))
			nx, nw, ny := c.sizes()
			xs, ws, ys := c.shapes()
			x, w := h.randn(nx, 1), h.randn(nw, 1/math.Sqrt(float64(c.C*c.KH*c.KW)))
			var bias []float32
			var bt, dbt backends.Tensor
			if c.bias {
				bias = h.randn(c.K, 0.5)
				bt, dbt = h.tensor(backends.Shape{c.K}, bias), h.tensor(backends.Shape{c.K}, nil)
			}
			xt, wt := h.tensor(xs, x), h.tensor(ws, w)
			yt := h.tensor(ys, nil)
			bk.Conv2D(yt, xt, wt, bt, c.P)
			x64, w64, b64 := f64(x), f64(w), f64(bias)
			closeTo(t, "y", h.get(yt), refConv(c.convSpec, x64, w64, b64), tolGEMM, 1e-30)

			dy := h.randn(ny, 1)
			dyt, dxt, dwt := h.tensor(ys, dy), h.tensor(xs, nil), h.tensor(ws, nil)
			bk.Conv2DBackwardData(dxt, dyt, wt, c.P)
			bk.Conv2DBackwardWeight(dwt, dbt, xt, dyt, c.P)
			dy64 := f64(dy)
			rdw, rdb := refConvBackwardWeight(c.convSpec, x64, dy64)
			vars := []grad{
				{name: "dx", x: x64, backend: h.get(dxt), ref: refConvBackwardData(c.convSpec, dy64, w64)},
				{name: "dw", x: w64, backend: h.get(dwt), ref: rdw},
			}
			if c.bias {
				vars = append(vars, grad{name: "dbias", x: b64, backend: h.get(dbt), ref: rdb})
			}
			fwd := func() []float64 { return refConv(c.convSpec, x64, w64, b64) }
			checkGrads(t, h.rng, fwd, dy64, tolGEMM, vars...)
		})
	}
}

// testLinear checks Linear and its backward ops.
func testLinear(t *testing.T, bk backends.Backend) {
	cases := []struct {
		batch, in, out int
		bias           bool
	}{{3, 7, 5, true}, {1, 12, 3, false}, {5, 1, 4, true}, {4, 33, 17, true}}
	for i, c := range cases {
		t.Run(fmt.Sprintf("B%d_in%d_out%d_bias=%v", c.batch, c.in, c.out, c.bias), func(t *testing.T) {
			h := newHarness(bk, 200+uint64(i))
			x, w := h.randn(c.batch*c.in, 1), h.randn(c.out*c.in, 1/math.Sqrt(float64(c.in)))
			var bias []float32
			var bt, dbt backends.Tensor
			if c.bias {
				bias = h.randn(c.out, 0.5)
				bt, dbt = h.tensor(backends.Shape{c.out}, bias), h.tensor(backends.Shape{c.out}, nil)
			}
			xs, ws, ys := backends.Shape{c.batch, c.in}, backends.Shape{c.out, c.in}, backends.Shape{c.batch, c.out}
			xt, wt, yt := h.tensor(xs, x), h.tensor(ws, w), h.tensor(ys, nil)
			bk.Linear(yt, xt, wt, bt)
			x64, w64, b64 := f64(x), f64(w), f64(bias)
			closeTo(t, "y", h.get(yt), refLinear(c.batch, c.in, c.out, x64, w64, b64), tolGEMM, 1e-30)

			dy := h.randn(c.batch*c.out, 1)
			dyt, dxt, dwt := h.tensor(ys, dy), h.tensor(xs, nil), h.tensor(ws, nil)
			bk.LinearBackwardData(dxt, dyt, wt)
			bk.LinearBackwardWeight(dwt, dbt, xt, dyt)
			dy64 := f64(dy)
			rdx, rdw, rdb := refLinearBackward(c.batch, c.in, c.out, x64, w64, dy64)
			vars := []grad{
				{name: "dx", x: x64, backend: h.get(dxt), ref: rdx},
				{name: "dw", x: w64, backend: h.get(dwt), ref: rdw},
			}
			if c.bias {
				vars = append(vars, grad{name: "dbias", x: b64, backend: h.get(dbt), ref: rdb})
			}
			fwd := func() []float64 { return refLinear(c.batch, c.in, c.out, x64, w64, b64) }
			checkGrads(t, h.rng, fwd, dy64, tolGEMM, vars...)
		})
	}
}
