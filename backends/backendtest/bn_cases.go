package backendtest

import (
	"fmt"
	"testing"

	"ghlsim/backends"
)

// bnCase is a batch-norm conformance case over shape.
type bnCase struct {
	shape    backends.Shape
	affine   bool
	training bool
	scale    float64 // input standard deviation; small values make eps matter
}

var bnCases = []bnCase{
	{backends.Shape{3, 4, 5, 5}, true, true, 2},
	{backends.Shape{3, 4, 5, 5}, false, true, 2},
	{backends.Shape{2, 3, 4, 3}, true, false, 2},
	{backends.Shape{2, 3, 4, 3}, false, false, 2},
	{backends.Shape{6, 5}, true, true, 2},
	{backends.Shape{7, 4}, false, true, 2},
	{backends.Shape{6, 5}, true, false, 2},
	{backends.Shape{4, 3, 1, 1}, false, true, 2},
	{backends.Shape{3, 2, 4, 4}, true, true, 0.01}, // variance ≈ 1e-4: eps is 10 %
}

// testBatchNorm checks the forward pass (y, saved statistics, running
// statistics updated in training and untouched in eval) and, for training
// mode (the only one backends.Backend defines it for), the backward pass
// (dx, dγ, dβ).
func testBatchNorm(t *testing.T, bk backends.Backend) {
	for i, c := range bnCases {
		name := fmt.Sprintf("%v_affine=%v_training=%v_std%g", c.shape, c.affine, c.training, c.scale)
		t.Run(name, func(t *testing.T) {
			h := newHarness(bk, 400+uint64(i))
			n, ch, hh, ww := c.shape.NCHW()
			s := bnSpec{B: n, C: ch, P: hh * ww, eps: 1e-5, mom: 0.1, training: c.training}
			p := backends.BNParams{Eps: 1e-5, Momentum: 0.1, Training: c.training}
			x := h.randn(c.shape.Len(), c.scale)
			for j := range x {
				x[j] += float32(j/s.P%ch) * 0.5 // per-channel offsets
			}
			cs := backends.Shape{ch}
			rm, rv := h.randn(ch, 0.3), h.randn(ch, 0.3)
			for j := range rv {
				rv[j] = rv[j]*rv[j] + 0.5
			}
			st := backends.BNState{RunMean: h.tensor(cs, rm), RunVar: h.tensor(cs, rv),
				SaveMean: h.tensor(cs, nil), SaveInvStd: h.tensor(cs, nil)}
			var gamma, beta []float32
			var gt, bt, dgt, dbt backends.Tensor
			if c.affine {
				gamma, beta = h.randn(ch, 1), h.randn(ch, 1)
				gt, bt = h.tensor(cs, gamma), h.tensor(cs, beta)
				dgt, dbt = h.tensor(cs, nil), h.tensor(cs, nil)
			}
			xt, yt := h.tensor(c.shape, x), h.tensor(c.shape, nil)
			bk.BatchNorm(yt, xt, gt, bt, st, p)
			x64, g64, b64 := f64(x), f64(gamma), f64(beta)
			ry, rmean, rinv, rm2, rv2 := refBN(s, x64, g64, b64, f64(rm), f64(rv))
			closeTo(t, "y", h.get(yt), ry, tolNorm, 1e-30)
			closeTo(t, "RunMean", h.get(st.RunMean), rm2, tolNorm, 1e-30)
			closeTo(t, "RunVar", h.get(st.RunVar), rv2, tolNorm, 1e-30)
			if c.training {
				closeTo(t, "SaveMean", h.get(st.SaveMean), rmean, tolNorm, 1e-30)
				closeTo(t, "SaveInvStd", h.get(st.SaveInvStd), rinv, tolNorm, 1e-30)
			}
			if !c.training {
				return
			}

			dy := h.randn(c.shape.Len(), 1)
			dxt := h.tensor(c.shape, nil)
			bk.BatchNormBackward(dxt, dgt, dbt, h.tensor(c.shape, dy), xt, gt, st, p)
			dy64 := f64(dy)
			rdx, rdg, rdb := refBNBackward(s, x64, g64, dy64, f64(rm), f64(rv))
			vars := []grad{{name: "dx", x: x64, backend: h.get(dxt), ref: rdx}}
			if c.affine {
				vars = append(vars, grad{name: "dgamma", x: g64, backend: h.get(dgt), ref: rdg},
					grad{name: "dbeta", x: b64, backend: h.get(dbt), ref: rdb})
			}
			fwd := func() []float64 {
				y, _, _, _, _ := refBN(s, x64, g64, b64, f64(rm), f64(rv))
				return y
			}
			checkGrads(t, h.rng, fwd, dy64, tolNorm, vars...)
		})
	}
}
