package neuromod

import (
	"math"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
)

// flipGrad is a gradient with zeros of both signs and tiny values among
// Gaussian entries.
func flipGrad(n int) []float32 {
	g := gaussians(3, n)
	g[0], g[1], g[2], g[3] = 0, float32(math.Copysign(0, -1)), 1e-38, -1e-45
	return g
}

func TestFlipZeroIsGradSignBitForBit(t *testing.T) {
	b := newB()
	w := backends.Shape{16, 3, 3, 3}
	g := flipGrad(w.Len())
	for step := 0; step < 3; step++ {
		in := Inputs{Grad: upload(b, w, g), Step: step, Seed: 9}
		want := run(b, mustNew(t, b, "grad-sign", w), in, w)
		sameBits(t, "flip:0", run(b, mustNew(t, b, "flip:0", w), in, w), want)
	}
}

func TestFlipOneIsNegatedGradSign(t *testing.T) {
	b := newB()
	w := backends.Shape{16, 3, 3, 3}
	g := flipGrad(w.Len())
	in := Inputs{Grad: upload(b, w, g), Step: 5, Seed: 9}
	want := run(b, mustNew(t, b, "grad-sign", w), in, w)
	for i := range want {
		want[i] = -want[i]
	}
	sameBits(t, "flip:1", run(b, mustNew(t, b, "flip:1", w), in, w), want)
}

func TestFlipRateReproducibility(t *testing.T) {
	b := newB()
	w := backends.Shape{200, 1000}
	n := w.Len()
	g := flipGrad(n)
	sg := signs(g)
	grad := upload(b, w, g)
	for _, p := range []float64{0.1, 0.5, 0.9} {
		spec := "flip:" + map[float64]string{0.1: "0.1", 0.5: "0.5", 0.9: "0.9"}[p]
		src := mustNew(t, b, spec, w)
		in := Inputs{Grad: grad, Step: 3, Index: 1, Seed: 11}
		m := run(b, src, in, w)
		flipped, nonzero := 0, 0
		for i := range m {
			switch {
			case sg[i] == 0:
				if m[i] != 0 {
					t.Fatalf("%s: a zero gradient became %v", spec, m[i])
				}
			case m[i] == -sg[i]:
				flipped++
				nonzero++
			case m[i] == sg[i]:
				nonzero++
			default:
				t.Fatalf("%s: element %d is %v for sign %v", spec, i, m[i], sg[i])
			}
		}
		if !binomialOK(flipped, nonzero, p) {
			t.Errorf("%s flipped %d of %d nonzero signs, want about %.0f", spec, flipped, nonzero, p*float64(nonzero))
		}
		// Same (seed, step, group): identical, for a fresh source and another
		// thread count.
		b1 := cpu.New(1)
		sameBits(t, spec+" again", run(b1, mustNew(t, b1, spec, w), Inputs{Grad: upload(b1, w, g), Step: 3, Index: 1, Seed: 11}, w), m)
		// Another step or group: an independent draw, so entries differ with
		// probability 2p(1−p).
		q := 2 * p * (1 - p)
		for what, other := range map[string]Inputs{
			"step":  {Grad: grad, Step: 4, Index: 1, Seed: 11},
			"group": {Grad: grad, Step: 3, Index: 0, Seed: 11},
		} {
			o := run(b, src, other, w)
			diff := 0
			for i := range m {
				if m[i] != o[i] {
					diff++
				}
			}
			if !binomialOK(diff, nonzero, q) {
				t.Errorf("%s: another %s changes %d of %d entries, want about %.0f", spec, what, diff, nonzero, q*float64(nonzero))
			}
		}
	}
}

func TestChainedFlipsAreIndependent(t *testing.T) {
	// flip:p twice composes to flip:2p(1−p) only if the two draws are
	// independent; identical draws would cancel to no flip at all.
	b := newB()
	w := backends.Shape{100, 1000}
	g := gaussians(4, w.Len())
	m := run(b, mustNew(t, b, "flip:0.5+flip:0.5", w), Inputs{Grad: upload(b, w, g), Seed: 1}, w)
	sg := signs(g)
	flipped := 0
	for i := range m {
		if m[i] != sg[i] {
			flipped++
		}
	}
	if !binomialOK(flipped, len(m), 0.5) {
		t.Errorf("flip:0.5+flip:0.5 flipped %d of %d, want about half", flipped, len(m))
	}
}
