package neuromod

import (
	"math"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
)

func TestGradSignIsSignOfGradient(t *testing.T) {
	b := newB()
	w := backends.Shape{2, 3}
	g := []float32{1.5, -2, 0, float32(math.Copysign(0, -1)), 1e-30, -1e-30}
	m := run(b, mustNew(t, b, "grad-sign", w), Inputs{Grad: upload(b, w, g)}, w)
	sameBits(t, "grad-sign", m, signs(g))
}

func TestFeedbackAlignmentSourcesReportCredit(t *testing.T) {
	b := newB()
	w := backends.Shape{3, 4}
	g := gaussians(1, w.Len())
	cases := []struct {
		spec string
		want Credit
	}{
		{"grad-sign", BP},
		{"grad-sign@neuron", BP},
		{"random", BP},
		{"constant", BP},
		{"fa-sign", FA},
		{"fa-sign@layer", FA},
		{"dfa-sign", DFA},
		{"dfa-sign@global", DFA},
		{"delay:2+flip:0.1+fa-sign", FA},
		{"every:3+dfa-sign@neuron", DFA},
	}
	for _, c := range cases {
		s := mustNew(t, b, c.spec, w)
		if got := CreditOf(s); got != c.want {
			t.Errorf("CreditOf(%q) = %v, want %v", c.spec, got, c.want)
		}
	}
	for _, spec := range []string{"fa-sign", "dfa-sign"} {
		s := mustNew(t, b, spec, w)
		if _, ok := s.(CreditReader); !ok {
			t.Errorf("%s does not implement CreditReader", spec)
		}
		// The network fills Grad with the FA/DFA gradient; the source signs it.
		sameBits(t, spec, run(b, s, Inputs{Grad: upload(b, w, g)}, w), signs(g))
	}
	if BP.String() != "bp" || FA.String() != "fa" || DFA.String() != "dfa" {
		t.Errorf("Credit names %v %v %v", BP, FA, DFA)
	}
}

func TestConstantIsPlusOne(t *testing.T) {
	b := newB()
	w := backends.Shape{5, 2, 3, 3}
	in := Inputs{Grad: upload(b, w, gaussians(2, w.Len()))}
	allEqual(t, "constant", run(b, mustNew(t, b, "constant", w), in, w), 1)
	allEqual(t, "constant:-1", run(b, mustNew(t, b, "constant:-1", w), in, w), -1)
	allEqual(t, "constant:0", run(b, mustNew(t, b, "constant:0", w), in, w), 0)
}

func TestRandomIsFairReproducibleCoin(t *testing.T) {
	b := newB()
	w := backends.Shape{100, 1000}
	n := w.Len()
	src := mustNew(t, b, "random", w)
	in := Inputs{Step: 7, Index: 1, Seed: 42}
	m := run(b, src, in, w)
	plus := 0
	for i, v := range m {
		if v != 1 && v != -1 {
			t.Fatalf("random: element %d is %v, want ±1", i, v)
		}
		if v == 1 {
			plus++
		}
	}
	if !binomialOK(plus, n, 0.5) {
		t.Errorf("random: %d of %d are +1, want about half", plus, n)
	}
	// Reproducible: a fresh source, another thread count, same inputs.
	b1 := cpu.New(1)
	sameBits(t, "random again", run(b1, mustNew(t, b1, "random", w), in, w), m)
	// The draw is the documented one: element i is +1 iff DropoutKeep.
	seed := drawSeed(streamOf("random"), in)
	for i := 0; i < 1000; i++ {
		if want := backends.DropoutKeep(seed, i, 0.5); (m[i] == 1) != want {
			t.Fatalf("random: element %d is %v, DropoutKeep says kept=%v", i, m[i], want)
		}
	}
	// Independent across steps, groups and seeds: about half the entries differ.
	for what, other := range map[string]Inputs{
		"step":  {Step: 8, Index: 1, Seed: 42},
		"group": {Step: 7, Index: 2, Seed: 42},
		"seed":  {Step: 7, Index: 1, Seed: 43},
	} {
		o := run(b, src, other, w)
		diff := 0
		for i := range m {
			if m[i] != o[i] {
				diff++
			}
		}
		if !binomialOK(diff, n, 0.5) {
			t.Errorf("random: another %s changes %d of %d entries, want about half", what, diff, n)
		}
	}
}

func TestSourcesPanicOnMissingInputs(t *testing.T) {
	b := newB()
	w := backends.Shape{3, 2}
	for _, spec := range []string{"grad-sign", "grad-sign@neuron", "grad-sign@layer"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with no gradient did not panic", spec)
				}
			}()
			run(b, mustNew(t, b, spec, w), Inputs{Group: "conv1"}, w)
		}()
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("grad-sign@neuron with a PostGrad of the wrong length did not panic")
			}
		}()
		run(b, mustNew(t, b, "grad-sign@neuron", w), Inputs{PostGrad: upload(b, backends.Shape{2}, []float32{1, 2})}, w)
	}()
}
