package backendtest

import (
	"fmt"
	"math"
	"testing"

	"ghlsim/backends"
)

var actCases = []struct {
	shape backends.Shape
	p     backends.ActParams
}{
	{backends.Shape{2, 3, 4, 5}, backends.ActParams{Kind: backends.Identity}},
	{backends.Shape{2, 3, 4, 5}, backends.ActParams{Kind: backends.ReLU}},
	{backends.Shape{4, 7}, backends.ActParams{Kind: backends.ReLU}},
	{backends.Shape{2, 6, 3, 4}, backends.ActParams{Kind: backends.Triangle, Power: 1}},
	{backends.Shape{2, 6, 3, 4}, backends.ActParams{Kind: backends.Triangle, Power: 0.7}},
	{backends.Shape{3, 5, 2, 3}, backends.ActParams{Kind: backends.Triangle, Power: 1.4}},
	{backends.Shape{3, 8}, backends.ActParams{Kind: backends.Triangle, Power: 0.7}},
	{backends.Shape{2, 4, 3, 3}, backends.ActParams{Kind: backends.Triangle}},
}

// kinkMargin keeps finite differences away from the ReLU kink: an element is
// left out of the finite-difference comparison when some value the
// nonlinearity sees and that the element moves is closer to 0 than this.
const kinkMargin = 1e-4

// testActivation checks Identity, ReLU and Triangle (powers 0.7, 1, 1.4 and
// the default) forward and backward, for [B,C,H,W] and [B,N].
func testActivation(t *testing.T, bk backends.Backend) {
	for i, c := range actCases {
		t.Run(fmt.Sprintf("%v_%v_p%g", c.shape, c.p.Kind, c.p.Power), func(t *testing.T) {
			h := newHarness(bk, 500+uint64(i))
			n, ch, hh, ww := c.shape.NCHW()
			s := actSpec{B: n, C: ch, P: hh * ww, A: c.p}
			x := h.randn(c.shape.Len(), 1)
			xt, yt := h.tensor(c.shape, x), h.tensor(c.shape, nil)
			bk.Activation(yt, xt, c.p)
			x64 := f64(x)
			closeTo(t, "y", h.get(yt), refAct(s, x64), tolNorm, 1e-30)

			dy := h.randn(c.shape.Len(), 1)
			dxt := h.tensor(c.shape, nil)
			bk.ActivationBackward(dxt, h.tensor(c.shape, dy), xt, c.p)
			dy64 := f64(dy)
			z := s.pre(x64)
			skip := notNear(z, kinkMargin)
			if c.p.Kind == backends.Triangle {
				// Moving x_i moves every z at its (b, p) position.
				skip = func(i int) bool {
					b, p := i/(s.C*s.P), i%s.P
					for c := 0; c < s.C; c++ {
						if math.Abs(z[(b*s.C+c)*s.P+p]) < kinkMargin {
							return true
						}
					}
					return false
				}
			}
			fwd := func() []float64 { return refAct(s, x64) }
			checkGrads(t, h.rng, fwd, dy64, tolNorm,
				grad{name: "dx", x: x64, backend: h.get(dxt), ref: refActBackward(s, x64, dy64), skip: skip})
		})
	}
}
