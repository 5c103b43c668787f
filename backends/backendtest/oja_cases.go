package backendtest

import (
	"fmt"
	"math"
	"testing"

	"ghlsim/backends"
)

// ojaCase is an Oja-SWTA conformance case; dense cases use rank-2 tensors.
type ojaCase struct {
	convSpec
	dense bool
	tinv  float32
	// twin makes filter 1 a copy of filter 0, so u ties exactly between
	// channels 0 and 1 everywhere: where they lead, the anti-Hebbian winner
	// must be the first, channel 0.
	twin bool
}

// String names the case for t.Run.
func (c ojaCase) String() string {
	if c.dense {
		return fmt.Sprintf("dense_B%d_%d->%d_tinv%g", c.B, c.C, c.K, c.tinv)
	}
	return fmt.Sprintf("x%dx%dx%dx%d_w%dx%dx%dx%d_s%d_p%d_%v_tinv%g_twin=%v",
		c.B, c.C, c.H, c.W, c.K, c.C, c.KH, c.KW, c.P.Stride, c.P.Pad, c.P.Mode, c.tinv, c.twin)
}

var ojaCases = []ojaCase{
	{convSpec: convSpec{2, 3, 7, 7, 5, 3, 3, backends.ConvParams{Stride: 1, Pad: 1}}, tinv: 1},
	{convSpec: convSpec{5, 2, 9, 8, 4, 5, 5, backends.ConvParams{Stride: 1, Pad: 2, Mode: backends.PadReflect}}, tinv: 0.65},
	{convSpec: convSpec{2, 4, 8, 7, 6, 3, 3, backends.ConvParams{Stride: 2, Pad: 1}}, tinv: 0.25},
	{convSpec: convSpec{2, 3, 6, 6, 3, 3, 3, backends.ConvParams{Stride: 2, Pad: 0}}, tinv: 4},
	{convSpec: convSpec{2, 2, 10, 10, 4, 3, 3, backends.ConvParams{Stride: 1, Pad: 1}}, tinv: 1, twin: true},
	{convSpec: convSpec{5, 7, 1, 1, 4, 1, 1, backends.ConvParams{Stride: 1}}, dense: true, tinv: 1},
	{convSpec: convSpec{3, 10, 1, 1, 6, 1, 1, backends.ConvParams{Stride: 1}}, dense: true, tinv: 2.5},
}

// ojaData is one case's inputs: x, w and u = conv(x, w) rounded to
// float32 as a backend's forward pass would hand it over.
type ojaData struct {
	x, u, w    []float32
	xs, us, ws backends.Shape
}

func (c ojaCase) data(h *harness) ojaData {
	nx, nw, _ := c.sizes()
	d := ojaData{x: h.randn(nx, 1), w: h.randn(nw, 1/math.Sqrt(float64(c.C*c.KH*c.KW)))}
	if c.twin {
		n := nw / c.K
		copy(d.w[n:2*n], d.w[:n])
	}
	for _, v := range refConv(c.convSpec, f64(d.x), f64(d.w), nil) {
		d.u = append(d.u, float32(v))
	}
	d.xs, d.ws, d.us = c.shapes()
	if c.dense {
		d.xs, d.ws, d.us = backends.Shape{c.B, c.C}, backends.Shape{c.K, c.C}, backends.Shape{c.B, c.K}
	}
	return d
}

// params is the OjaParams of the case.
func (c ojaCase) params(anti bool) backends.OjaParams {
	return backends.OjaParams{TInv: c.tinv, AntiHebbian: anti, Conv: c.P}
}

// testOja checks OjaSWTA (GHL and anti-Hebbian) against refOja, and that the
// returned maximum is exactly max|h| of the h it wrote.
func testOja(t *testing.T, bk backends.Backend) {
	for i, c := range ojaCases {
		for _, anti := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v_anti=%v", c, anti), func(t *testing.T) {
				h := newHarness(bk, 1000+uint64(i))
				d := c.data(h)
				ht := h.tensor(d.ws, nil)
				m := bk.OjaSWTA(ht, h.tensor(d.xs, d.x), h.tensor(d.us, d.u), h.tensor(d.ws, d.w), c.params(anti))
				ref, scale := refOja(c.convSpec, f64(d.x), f64(d.u), f64(d.w), float64(c.tinv), anti)
				got := h.get(ht)
				closeTo(t, "H", got, ref, tolHebb, scale)
				if want := maxAbs64(ref); math.Abs(float64(m)-want) > tolHebb*scale {
					t.Errorf("max|H| = %g, want %g", m, want)
				}
				if own := maxAbs64(f64(got)); float64(m) != own {
					t.Errorf("returned max|H| %g is not max|h| = %g of the h written", m, own)
				}
			})
		}
	}
}

// testFused checks Conv2DBackwardWeightHebb, when the backend has it,
// against the separate ops (Conv2DBackwardWeight, or LinearBackwardWeight
// for dense layers, and OjaSWTA) and against the references.
func testFused(t *testing.T, bk backends.Backend) {
	f, ok := bk.(backends.HebbGradFuser)
	if !ok {
		t.Skipf("%s does not implement backends.HebbGradFuser", bk.Name())
	}
	for i, c := range ojaCases {
		for _, anti := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v_anti=%v", c, anti), func(t *testing.T) {
				h := newHarness(bk, 1100+uint64(i))
				d := c.data(h)
				dy := h.randn(len(d.u), 1)
				xt, ut, wt, dyt := h.tensor(d.xs, d.x), h.tensor(d.us, d.u), h.tensor(d.ws, d.w), h.tensor(d.us, dy)
				p := c.params(anti)
				cs := backends.Shape{c.K}
				dwt, dbt, ht := h.tensor(d.ws, nil), h.tensor(cs, nil), h.tensor(d.ws, nil)
				m := f.Conv2DBackwardWeightHebb(dwt, dbt, ht, xt, dyt, ut, wt, p)
				sdw, sdb, sh := h.tensor(d.ws, nil), h.tensor(cs, nil), h.tensor(d.ws, nil)
				if c.dense {
					bk.LinearBackwardWeight(sdw, sdb, xt, dyt)
				} else {
					bk.Conv2DBackwardWeight(sdw, sdb, xt, dyt, c.P)
				}
				sm := bk.OjaSWTA(sh, xt, ut, wt, p)

				rdw, rdb := refConvBackwardWeight(c.convSpec, f64(d.x), f64(dy))
				rh, scale := refOja(c.convSpec, f64(d.x), f64(d.u), f64(d.w), float64(c.tinv), anti)
				gdw, gdb, gh := h.get(dwt), h.get(dbt), h.get(ht)
				closeTo(t, "dw vs reference", gdw, rdw, tolGEMM, 1e-30)
				closeTo(t, "dbias vs reference", gdb, rdb, tolGEMM, 1e-30)
				closeTo(t, "H vs reference", gh, rh, tolHebb, scale)
				closeTo(t, "dw vs Conv2DBackwardWeight", gdw, f64(h.get(sdw)), tolGEMM, 1e-30)
				closeTo(t, "dbias vs Conv2DBackwardWeight", gdb, f64(h.get(sdb)), tolGEMM, 1e-30)
				closeTo(t, "H vs OjaSWTA", gh, f64(h.get(sh)), tolHebb, scale)
				if math.Abs(float64(m-sm)) > tolHebb*scale {
					t.Errorf("max|H| = %g, OjaSWTA gives %g", m, sm)
				}
				if own := maxAbs64(f64(gh)); float64(m) != own {
					t.Errorf("returned max|H| %g is not max|h| = %g of the h written", m, own)
				}
			})
		}
	}
}

// testOjaGiven checks OjaSWTA and Conv2DBackwardWeightHebb with the
// competition's output given (OjaParams.Y: spikes of a population under
// lateral inhibition, and a continuous y) against refOjaGiven; TInv and
// AntiHebbian must then have no effect.
func testOjaGiven(t *testing.T, bk backends.Backend) {
	for i, c := range ojaCases {
		for _, spikes := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v_spikes=%v", c, spikes), func(t *testing.T) {
				h := newHarness(bk, 1200+uint64(i))
				d := c.data(h)
				y := h.randn(len(d.u), 1)
				if spikes {
					for j, v := range y {
						y[j] = 0
						if v > 0.5 {
							y[j] = 1
						}
					}
				}
				xt, ut, wt, yt := h.tensor(d.xs, d.x), h.tensor(d.us, d.u), h.tensor(d.ws, d.w), h.tensor(d.us, y)
				ref, scale := refOjaGiven(c.convSpec, f64(d.x), f64(y), f64(d.u), f64(d.w))
				p := backends.OjaParams{TInv: 3, AntiHebbian: true, Conv: c.P, Y: yt}
				ht := h.tensor(d.ws, nil)
				m := bk.OjaSWTA(ht, xt, ut, wt, p)
				got := h.get(ht)
				closeTo(t, "H", got, ref, tolHebb, scale)
				if own := maxAbs64(f64(got)); float64(m) != own {
					t.Errorf("returned max|H| %g is not max|h| = %g of the h written", m, own)
				}
				f, ok := bk.(backends.HebbGradFuser)
				if !ok {
					return
				}
				dy := h.randn(len(d.u), 1)
				dwt, dbt, fh := h.tensor(d.ws, nil), h.tensor(backends.Shape{c.K}, nil), h.tensor(d.ws, nil)
				fm := f.Conv2DBackwardWeightHebb(dwt, dbt, fh, xt, h.tensor(d.us, dy), ut, wt, p)
				rdw, _ := refConvBackwardWeight(c.convSpec, f64(d.x), f64(dy))
				closeTo(t, "fused dw", h.get(dwt), rdw, tolGEMM, 1e-30)
				closeTo(t, "fused H", h.get(fh), ref, tolHebb, scale)
				if math.Abs(float64(fm-m)) > tolHebb*scale {
					t.Errorf("fused max|H| = %g, OjaSWTA gives %g", fm, m)
				}
			})
		}
	}
}
