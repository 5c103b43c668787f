package cpu

import (
	"math"
	"testing"

	"ghlsim/backends"
)

// TestBatchNormBackwardEval checks the cpu extension of BatchNormBackward to
// eval mode (backends.Backend defines only training mode): with the running
// statistics fixed, BN is the affine map y = (x − rm)·γ/sqrt(rv+eps) + β, so
// dx = dy·γ/sqrt(rv+eps), dγ = Σ dy·(x − rm)/sqrt(rv+eps), dβ = Σ dy.
func TestBatchNormBackwardEval(t *testing.T) {
	b := New(2)
	defer b.Close()
	const n, c, p = 3, 2, 5
	s := backends.Shape{n, c, 1, p}
	x, dy := FromSlice(b, s, make([]float32, n*c*p)), FromSlice(b, s, make([]float32, n*c*p))
	for i := range x.data {
		x.data[i], dy.data[i] = float32(i%7)-3, float32(i%5)*0.5-1
	}
	rm, rv := FromSlice(b, backends.Shape{c}, []float32{0.5, -1}), FromSlice(b, backends.Shape{c}, []float32{2, 0.25})
	gamma := FromSlice(b, backends.Shape{c}, []float32{1.5, -0.5})
	dx, dg, db := b.Alloc(s), b.Alloc(backends.Shape{c}), b.Alloc(backends.Shape{c})
	st := backends.BNState{RunMean: rm, RunVar: rv}
	p0 := backends.BNParams{Eps: 1e-5, Momentum: 0.1}
	b.BatchNormBackward(dx, dg, db, dy, x, gamma, st, p0)
	var wantG, wantB [c]float64
	for i, g := range dy.data {
		ch := i / p % c
		inv := 1 / math.Sqrt(float64(rv.data[ch])+1e-5)
		want := float64(g) * float64(gamma.data[ch]) * inv
		if got := float64(Data(dx)[i]); math.Abs(got-want) > 1e-6 {
			t.Fatalf("dx[%d] = %g, want %g", i, got, want)
		}
		wantG[ch] += float64(g) * (float64(x.data[i]) - float64(rm.data[ch])) * inv
		wantB[ch] += float64(g)
	}
	for ch := range c {
		if got := float64(Data(dg)[ch]); math.Abs(got-wantG[ch]) > 1e-5 {
			t.Errorf("dgamma[%d] = %g, want %g", ch, got, wantG[ch])
		}
		if got := float64(Data(db)[ch]); math.Abs(got-wantB[ch]) > 1e-5 {
			t.Errorf("dbeta[%d] = %g, want %g", ch, got, wantB[ch])
		}
	}
}
