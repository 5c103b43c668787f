package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"ghlsim/backends"
)

// TestWinogradTile checks F(2×2, 3×3) on single tiles in float64-accurate
// terms: Aᵀ[(G w Gᵀ) ⊙ (Bᵀ d B)]A equals the direct 3×3 cross-correlation
// of the 4×4 tile, and each backward transform is the adjoint of its
// forward one (⟨T x, y⟩ = ⟨x, Tᵀ y⟩), which is what makes the weight, Hebbian
// and input gradients exact.
func TestWinogradTile(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	rnd := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	dot := func(a, b []float32) float64 {
		var s float64
		for i := range a {
			s += float64(a[i]) * float64(b[i])
		}
		return s
	}
	const tol = 1e-5
	for trial := 0; trial < 20; trial++ {
		var d, m16 [16]float32
		var g4 [4]float32
		copy(d[:], rnd(16))
		copy(m16[:], rnd(16))
		copy(g4[:], rnd(4))
		w := rnd(9)

		u, v := winoWeight(w), winoInput(&d)
		var prod [16]float32
		for i := range prod {
			prod[i] = u[i] * v[i]
		}
		y := winoOutput(&prod)
		for i := 0; i < 2; i++ {
			for j := 0; j < 2; j++ {
				var want float64
				for a := 0; a < 3; a++ {
					for b := 0; b < 3; b++ {
						want += float64(d[4*(i+a)+j+b]) * float64(w[3*a+b])
					}
				}
				if math.Abs(float64(y[2*i+j])-want) > tol*(1+math.Abs(want)) {
					t.Fatalf("trial %d: output (%d,%d) = %g, direct correlation %g", trial, i, j, y[2*i+j], want)
				}
			}
		}

		// Adjoint pairs.
		vd, dm := winoInput(&d), winoInputGrad(&m16)
		if l, r := dot(vd[:], m16[:]), dot(d[:], dm[:]); math.Abs(l-r) > tol*(1+math.Abs(l)) {
			t.Fatalf("input transform: ⟨Bᵀd B, m⟩ = %g, ⟨d, B m Bᵀ⟩ = %g", l, r)
		}
		wg := make([]float32, 9)
		winoWeightGrad(&m16, wg)
		if l, r := dot(u[:], m16[:]), dot(w, wg); math.Abs(l-r) > tol*(1+math.Abs(l)) {
			t.Fatalf("weight transform: ⟨G w Gᵀ, m⟩ = %g, ⟨w, Gᵀ m G⟩ = %g", l, r)
		}
		yo, zg := winoOutput(&m16), winoOutputGrad(&g4)
		if l, r := dot(yo[:], g4[:]), dot(m16[:], zg[:]); math.Abs(l-r) > tol*(1+math.Abs(l)) {
			t.Fatalf("output transform: ⟨Aᵀ m A, g⟩ = %g, ⟨m, A g Aᵀ⟩ = %g", l, r)
		}
	}
}

// TestConvAutoSelection: ConvAuto takes Winograd exactly for 3×3, stride-1,
// one-pixel-padded convolutions with at least winoMinChannels input and
// output channels on planes the vector transforms take; ConvWinograd for
// every such geometry; ConvIm2col never.
func TestConvAutoSelection(t *testing.T) {
	mk := func(c, k, kh, stride, pad int) *convGeom {
		x, w := &Tensor{shape: backends.Shape{2, c, 8, 8}}, &Tensor{shape: backends.Shape{k, c, kh, kh}}
		p := backends.ConvParams{Stride: stride, Pad: pad}
		y := &Tensor{shape: backends.Shape{2, k, p.OutSize(8, kh), p.OutSize(8, kh)}}
		g := geom("test", x, w, y, p)
		return &g
	}
	mkHW := func(c, k, hw int) *convGeom {
		x, w := &Tensor{shape: backends.Shape{2, c, hw, hw}}, &Tensor{shape: backends.Shape{k, c, 3, 3}}
		y := &Tensor{shape: backends.Shape{2, k, hw, hw}}
		g := geom("test", x, w, y, backends.ConvParams{Stride: 1, Pad: 1})
		return &g
	}
	cases := []struct {
		g                    *convGeom
		auto, wino, describe string
	}{
		{mk(64, 64, 3, 1, 1), "y", "y", "3×3 s1 p1, 64→64"},
		{mk(winoMinChannels, winoMinChannels, 3, 1, 1), "y", "y", "at the threshold"},
		{mk(3, 96, 3, 1, 1), "n", "y", "3 input channels"},
		{mk(64, 8, 3, 1, 1), "n", "y", "8 output channels"},
		{mkHW(64, 64, 7), "n", "y", "7×7 (odd, overhanging tiles)"},
		{mkHW(64, 64, 14), "n", "y", "14×14 (no 8-tile vectors)"},
		{mkHW(64, 64, 32), "y", "y", "32×32"},
		{mk(64, 64, 3, 2, 1), "n", "n", "stride 2"},
		{mk(64, 64, 3, 1, 0), "n", "n", "no padding"},
		{mk(64, 64, 5, 1, 2), "n", "n", "5×5"},
	}
	b := New(1)
	defer b.Close()
	for _, c := range cases {
		for _, a := range []ConvAlgorithm{ConvAuto, ConvWinograd, ConvIm2col} {
			b.SetConvAlgorithm(a)
			_, got := b.winograd(c.g)
			want := map[ConvAlgorithm]bool{ConvAuto: c.auto == "y", ConvWinograd: c.wino == "y"}[a]
			if got != want {
				t.Errorf("%s, %s: Winograd = %v, want %v", c.describe, a, got, want)
			}
		}
	}
	for _, s := range []string{"auto", "im2col", "winograd"} {
		if a, err := ParseConvAlgorithm(s); err != nil || a.String() != s {
			t.Errorf("ParseConvAlgorithm(%q) = %v, %v", s, a, err)
		}
	}
	if _, err := ParseConvAlgorithm("fft"); err == nil {
		t.Error(`ParseConvAlgorithm("fft") accepted`)
	}
}

// TestWinogradMatchesIm2col compares the two algorithms at widths where
// ConvAuto picks Winograd (the conformance suite covers small shapes against
// float64 references): forward, input gradient, weight gradient and the
// fused weight gradient + Oja-SWTA, zero and reflect padding, even and odd
// extents, several chunks. The bound is relative to the largest magnitude of
// each result; measured differences are below 1e-6.
func TestWinogradMatchesIm2col(t *testing.T) {
	for _, c := range []struct {
		B, C, H, W, K int
		mode          backends.PadMode
	}{
		{3, 48, 8, 8, 40, backends.PadZero},
		{2, 32, 7, 9, 64, backends.PadReflect},
	} {
		name := fmt.Sprintf("B%d_C%d_%dx%d_K%d_%v", c.B, c.C, c.H, c.W, c.K, c.mode)
		p := backends.ConvParams{Stride: 1, Pad: 1, Mode: c.mode}
		want, got := convResults(ConvIm2col, c.B, c.C, c.H, c.W, c.K, p, 5), convResults(ConvWinograd, c.B, c.C, c.H, c.W, c.K, p, 5)
		for i, label := range convResultNames {
			var scale, worst float64
			for j := range want[i] {
				scale = math.Max(scale, math.Abs(float64(want[i][j])))
				worst = math.Max(worst, math.Abs(float64(got[i][j]-want[i][j])))
			}
			t.Logf("%s: %s: largest difference %.2g of scale %.3g", name, label, worst/scale, scale)
			if worst > 4e-6*scale {
				t.Errorf("%s: %s: Winograd differs from im2col by %.3g (largest magnitude %.3g)", name, label, worst, scale)
			}
		}
	}
}

// TestWinogradAsmMatchesPortable runs the Winograd convolutions with the
// AVX2 transform kernels and with the portable loops on plane sizes that
// take the kernels (8×8, 16×16, 32×32) and one that does not (6×6), and
// requires bit-identical results.
func TestWinogradAsmMatchesPortable(t *testing.T) {
	if !winoAsm {
		t.Skip("no assembly Winograd transforms in this build or on this CPU")
	}
	defer func(v bool) { winoAsm = v }(winoAsm)
	for _, hw := range []int{8, 16, 32, 6} {
		p := backends.ConvParams{Stride: 1, Pad: 1}
		run := func(asm bool) [][]float32 {
			winoAsm = asm
			return convResults(ConvWinograd, 3, 5, hw, hw, 7, p, uint64(hw))
		}
		want, got := run(false), run(true)
		for i := range want {
			for j := range want[i] {
				if math.Float32bits(want[i][j]) != math.Float32bits(got[i][j]) {
					t.Fatalf("%d×%d: result %d differs at %d: asm %g, portable %g", hw, hw, i, j, got[i][j], want[i][j])
				}
			}
		}
	}
}

// convResults runs every convolution op on seeded random operands — x
// [B,C,H,W], w [K,C,3,3], dy and a bias — under algorithm a with chunks of
// two samples, and returns copies of y (with bias), dx, dw, the fused dw and
// the fused Oja-SWTA eligibility.
func convResults(a ConvAlgorithm, B, C, H, W, K int, p backends.ConvParams, seed uint64) [][]float32 {
	b := New(2)
	defer b.Close()
	b.SetConvAlgorithm(a)
	b.chunk = 2
	rnd := func(s backends.Shape, stream uint64) backends.Tensor {
		tt := b.Alloc(s)
		r := rand.New(rand.NewPCG(seed, stream))
		for i, d := 0, tensorOf(tt).data; i < len(d); i++ {
			d[i] = float32(r.NormFloat64())
		}
		return tt
	}
	xs, ws, ys := backends.Shape{B, C, H, W}, backends.Shape{K, C, 3, 3}, backends.Shape{B, K, H, W}
	x, w, dy, bias := rnd(xs, 1), rnd(ws, 2), rnd(ys, 3), rnd(backends.Shape{K}, 4)
	y, dx, dw, dw2, h := b.Alloc(ys), b.Alloc(xs), b.Alloc(ws), b.Alloc(ws), b.Alloc(ws)
	b.Conv2D(y, x, w, bias, p)
	b.Conv2DBackwardData(dx, dy, w, p)
	b.Conv2DBackwardWeight(dw, nil, x, dy, p)
	b.Conv2DBackwardWeightHebb(dw2, nil, h, x, dy, y, w, backends.OjaParams{TInv: 0.7, Conv: p})
	var out [][]float32
	for _, tt := range []backends.Tensor{y, dx, dw, dw2, h} {
		out = append(out, append([]float32(nil), tensorOf(tt).data...))
	}
	return out
}

// convResultNames labels convResults' results.
var convResultNames = []string{"Conv2D", "Conv2DBackwardData", "Conv2DBackwardWeight", "fused weight gradient", "fused Oja-SWTA"}

// Whole-tile reference transforms, the definitions TestWinogradTile checks
// and the tile loops implement.

// winoInput returns Bᵀ d B.
func winoInput(d *[16]float32) (v [16]float32) {
	var t [16]float32
	for j := 0; j < 4; j++ {
		t[j], t[4+j], t[8+j], t[12+j] = bt4(d[j], d[4+j], d[8+j], d[12+j])
	}
	for i := 0; i < 4; i++ {
		v[4*i], v[4*i+1], v[4*i+2], v[4*i+3] = bt4(t[4*i], t[4*i+1], t[4*i+2], t[4*i+3])
	}
	return v
}

// winoInputGrad returns B m Bᵀ, the gradient of a 4×4 input tile from the
// gradient m of its transform (the adjoint of winoInput).
func winoInputGrad(m *[16]float32) (d [16]float32) {
	var t [16]float32
	for j := 0; j < 4; j++ {
		t[j], t[4+j], t[8+j], t[12+j] = b4(m[j], m[4+j], m[8+j], m[12+j])
	}
	for i := 0; i < 4; i++ {
		d[4*i], d[4*i+1], d[4*i+2], d[4*i+3] = b4(t[4*i], t[4*i+1], t[4*i+2], t[4*i+3])
	}
	return d
}

// winoOutput returns Aᵀ m A, the 2×2 output tile (row-major).
func winoOutput(m *[16]float32) (y [4]float32) {
	var t [8]float32 // Aᵀ m, 2×4
	for j := 0; j < 4; j++ {
		t[j], t[4+j] = at4(m[j], m[4+j], m[8+j], m[12+j])
	}
	for i := 0; i < 2; i++ {
		y[2*i], y[2*i+1] = at4(t[4*i], t[4*i+1], t[4*i+2], t[4*i+3])
	}
	return y
}

// winoOutputGrad returns A g Aᵀ for a 2×2 output-side tile g (a gradient or
// a Hebbian postsynaptic activity; the adjoint of winoOutput).
func winoOutputGrad(g *[4]float32) (z [16]float32) {
	var t [8]float32 // A g, 4×2
	for j := 0; j < 2; j++ {
		t[j], t[2+j], t[4+j], t[6+j] = a4(g[j], g[2+j])
	}
	for i := 0; i < 4; i++ {
		z[4*i], z[4*i+1], z[4*i+2], z[4*i+3] = a4(t[2*i], t[2*i+1])
	}
	return z
}

// TestWinogradRandomShapes compares forced Winograd with im2col on 40
// seeded random geometries — extents from 1 to 13 (odd, tiny, non-square),
// 1 to 20 channels, zero and reflect padding, several chunks — for every
// convolution op, relative to each result's largest magnitude.
func TestWinogradRandomShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for trial := 0; trial < 40; trial++ {
		B, C, K := 1+r.IntN(3), 1+r.IntN(20), 1+r.IntN(20)
		H, W := 1+r.IntN(13), 1+r.IntN(13)
		p := backends.ConvParams{Stride: 1, Pad: 1}
		if H > 1 && W > 1 && r.IntN(2) == 0 {
			p.Mode = backends.PadReflect
		}
		want, got := convResults(ConvIm2col, B, C, H, W, K, p, uint64(trial)), convResults(ConvWinograd, B, C, H, W, K, p, uint64(trial))
		for i := range want {
			var scale, worst float64
			for j := range want[i] {
				scale = math.Max(scale, math.Abs(float64(want[i][j])))
				worst = math.Max(worst, math.Abs(float64(got[i][j]-want[i][j])))
			}
			if worst > 1e-5*math.Max(scale, 1e-3) {
				t.Fatalf("B%d C%d K%d %d×%d %v: %s: Winograd differs from im2col by %.3g (scale %.3g)",
					B, C, K, H, W, p.Mode, convResultNames[i], worst, scale)
			}
		}
	}
}
