package backendtest

import (
	"math"
	"testing"

	"ghlsim/backends"
)

// testOjaHand is a hand-sized Oja-SWTA case: two 3×3 filters over one 4×4
// input channel (no padding, 2×2 output positions). Every quantity of
// ALGORITHM.md §1 is spelled out by explicit loops here, independent of
// refOja: u, the softmax, A, s, H, the layer-max normalisation Ĥ and one
// GHL update (§3), for the GHL and the anti-Hebbian (SoftHebb) variants.
func testOjaHand(t *testing.T, bk backends.Backend) {
	x := [4][4]float64{
		{1, 0, 2, 0},
		{0, 1, 0, 1},
		{2, 0, 1, 0},
		{0, 1, 0, 2},
	}
	w := [2][3][3]float64{
		{{0.5, 0, 0}, {0, 0.5, 0}, {0, 0, 0.5}},    // the main diagonal
		{{0, 0, 0}, {0.25, 0.25, 0.25}, {0, 0, 0}}, // the middle row
	}
	// u[k][oy][ox] = Σ_ij w[k][i][j]·x[oy+i][ox+j]; by hand:
	// filter 0 sums diagonals x[0,0]+x[1,1]+x[2,2] = 3 → 1.5, then 0, 0, 4 → 2;
	// filter 1 sums rows x[1,0..2] = 1 → 0.25, then 2 → 0.5, 3 → 0.75, 1 → 0.25.
	wantU := [2][2][2]float64{{{1.5, 0}, {0, 2}}, {{0.25, 0.5}, {0.75, 0.25}}}
	var u [2][2][2]float64
	for k := range 2 {
		for oy := range 2 {
			for ox := range 2 {
				for i := range 3 {
					for j := range 3 {
						u[k][oy][ox] += w[k][i][j] * x[oy+i][ox+j]
					}
				}
				if u[k][oy][ox] != wantU[k][oy][ox] {
					t.Fatalf("hand convolution u[%d][%d][%d] = %g, want %g", k, oy, ox, u[k][oy][ox], wantU[k][oy][ox])
				}
			}
		}
	}
	h := newHarness(bk, 1200)
	flat := func(v ...float64) []float32 {
		out := make([]float32, len(v))
		for i, f := range v {
			out[i] = float32(f)
		}
		return out
	}
	var xf, wf, uf []float64
	for _, row := range x {
		xf = append(xf, row[:]...)
	}
	for k := range 2 {
		for i := range 3 {
			wf = append(wf, w[k][i][:]...)
		}
		for oy := range 2 {
			uf = append(uf, u[k][oy][:]...)
		}
	}
	xs, ws, us := backends.Shape{1, 1, 4, 4}, backends.Shape{2, 1, 3, 3}, backends.Shape{1, 2, 2, 2}
	xt, wt, ut := h.tensor(xs, flat(xf...)), h.tensor(ws, flat(wf...)), h.tensor(us, flat(uf...))
	conv := h.tensor(us, nil)
	bk.Conv2D(conv, xt, wt, nil, backends.ConvParams{Stride: 1})
	closeTo(t, "Conv2D of the hand case", h.get(conv), uf, tolGEMM, 1e-30)

	for _, anti := range []bool{false, true} {
		const tinv = 0.8
		// y = softmax over the two channels at each position; anti-Hebbian:
		// the loser (argmax of u decides) gets −y.
		var y [2][2][2]float64
		for oy := range 2 {
			for ox := range 2 {
				e0, e1 := math.Exp(tinv*u[0][oy][ox]), math.Exp(tinv*u[1][oy][ox])
				y[0][oy][ox], y[1][oy][ox] = e0/(e0+e1), e1/(e0+e1)
				if anti {
					win := 0
					if u[1][oy][ox] > u[0][oy][ox] {
						win = 1
					}
					y[1-win][oy][ox] = -y[1-win][oy][ox]
				}
			}
		}
		// A[k][i][j] = Σ_p y·x, s[k] = Σ_p y·u, H = A − s·W.
		var hh [2][3][3]float64
		maxH := 0.0
		for k := range 2 {
			s := 0.0
			for oy := range 2 {
				for ox := range 2 {
					s += y[k][oy][ox] * u[k][oy][ox]
				}
			}
			for i := range 3 {
				for j := range 3 {
					a := 0.0
					for oy := range 2 {
						for ox := range 2 {
							a += y[k][oy][ox] * x[oy+i][ox+j]
						}
					}
					hh[k][i][j] = a - s*w[k][i][j]
					maxH = math.Max(maxH, math.Abs(hh[k][i][j]))
				}
			}
		}
		var wantH, wantHat, wantW []float64
		m := []float64{1, -1, 0} // modulator pattern, repeated
		const lr, wd = 0.1, 0.05
		for k := range 2 {
			for i := range 3 {
				for j := range 3 {
					n := len(wantH)
					hat := hh[k][i][j] / (maxH + 1e-30)
					wantH = append(wantH, hh[k][i][j])
					wantHat = append(wantHat, hat)
					wantW = append(wantW, w[k][i][j]-lr*(math.Abs(hat)*m[n%3]+wd*w[k][i][j]))
				}
			}
		}

		ht := h.tensor(ws, nil)
		got := bk.OjaSWTA(ht, xt, ut, wt, backends.OjaParams{TInv: tinv, AntiHebbian: anti, Conv: backends.ConvParams{Stride: 1}})
		gh := h.get(ht)
		closeTo(t, "hand H", gh, wantH, tolHebb, 1e-30)
		if math.Abs(float64(got)-maxH) > tolHebb*maxH {
			t.Errorf("anti=%v: max|H| = %g, want %g", anti, got, maxH)
		}
		hat := make([]float64, len(gh))
		for i, v := range gh {
			hat[i] = float64(v) / (float64(got) + 1e-30)
		}
		closeTo(t, "hand Ĥ = H/(max|H|+1e-30)", hat, wantHat, tolHebb, 1)
		if mx := maxAbs64(hat); math.Abs(mx-1) > 1e-6 {
			t.Errorf("anti=%v: max|Ĥ| = %g, want 1", anti, mx)
		}
		mod := make([]float64, len(wf))
		for i := range mod {
			mod[i] = m[i%3]
		}
		w2 := h.tensor(ws, flat(wf...))
		bk.ModulatedUpdate(w2, ht, h.tensor(ws, flat(mod...)), 1/(got+1e-30), lr, wd)
		closeTo(t, "hand GHL update", h.get(w2), wantW, tolHebb, 1e-30)
	}
}
