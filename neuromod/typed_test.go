package neuromod

import (
	"math"
	"slices"
	"strings"
	"testing"

	"ghlsim/backends"
)

// TestSpecValuesMatchStrings: each typed Spec prints the canonical spec
// string, parses back to itself, and its sources deliver the same M, bit
// for bit, as the string's over several steps (flip's and random's draws
// included, which hang on the source's name).
func TestSpecValuesMatchStrings(t *testing.T) {
	cases := []struct {
		spec Spec
		text string
	}{
		{GradSign(PerSynapse), "grad-sign"},
		{GradSign(PerNeuron), "grad-sign@neuron"},
		{FASign(PerLayer), "fa-sign@layer"},
		{DFASign(Global), "dfa-sign@global"},
		{Random(), "random"},
		{Constant(1), "constant"},
		{Constant(-1), "constant:-1"},
		{Constant(0.3), "constant:0.3"},
		{Flip(0.1, GradSign(PerSynapse)), "flip:0.1+grad-sign"},
		{Flip(0.1, GradSign(PerNeuron)), "flip:0.1+grad-sign@neuron"},
		{Delay(3, Flip(0.25, Random())), "delay:3+flip:0.25+random"},
		{Every(2, Delay(1, GradSign(PerSynapse))), "every:2+delay:1+grad-sign"},
		{Flip(0.1, Flip(0.1, GradSign(PerSynapse))), "flip:0.1+flip:0.1+grad-sign"},
	}
	b := newB()
	w := backends.Shape{4, 3, 2, 2}
	for _, c := range cases {
		if err := c.spec.Validate(); err != nil {
			t.Errorf("%s: %v", c.text, err)
			continue
		}
		if c.spec.String() != c.text {
			t.Errorf("String() = %q, want %q", c.spec.String(), c.text)
		}
		parsed, err := Parse(c.text)
		if err != nil || parsed.String() != c.text {
			t.Errorf("Parse(%q) = %q, %v", c.text, parsed.String(), err)
		}
		fromValue, err := c.spec.New(b, w)
		if err != nil {
			t.Fatal(err)
		}
		fromString := mustNew(t, b, c.text, w)
		if fromValue.Name() != fromString.Name() || CreditOf(fromValue) != CreditOf(fromString) || ReadsGlobalCredit(fromValue) != ReadsGlobalCredit(fromString) {
			t.Errorf("%s: value makes %s (credit %v), the string %s (credit %v)", c.text, fromValue.Name(), CreditOf(fromValue), fromString.Name(), CreditOf(fromString))
		}
		for step := range 5 {
			in := Inputs{Step: step, Group: "conv1", Index: 1, Seed: 7, GlobalCredit: float64(step) - 2.5,
				Grad: upload(b, w, gaussians(uint64(step), w.Len())), PostGrad: upload(b, backends.Shape{4}, gaussians(uint64(100+step), 4))}
			sameBits(t, c.text, run(b, fromValue, in, w), run(b, fromString, in, w))
		}
	}
}

// TestSpecValuesValidate: a bad argument gives a Spec that carries the
// grammar's error (named by the spec's text), through any wrapper, and New
// returns it; the zero Spec is refused.
func TestSpecValuesValidate(t *testing.T) {
	cases := []struct {
		spec Spec
		want string
	}{
		{Flip(1.5, GradSign(PerSynapse)), `modulator source "flip:1.5+grad-sign": flip: p = 1.5 is outside [0, 1]`},
		{Flip(-0.1, GradSign(PerSynapse)), "outside [0, 1]"},
		{Flip(math.NaN(), GradSign(PerSynapse)), "not a number"},
		{Delay(-1, GradSign(PerSynapse)), "k = -1 must be ≥ 0"},
		{Every(0, Random()), "k = 0 must be ≥ 1"},
		{Constant(float32(math.Inf(1))), "not a finite number"},
		{GradSign(Granularity(9)), "granularity 9 is none of"},
		{Delay(2, Flip(2, GradSign(PerSynapse))), "flip: p = 2 is outside"},
		{Flip(0.1, Spec{}), "flip has no inner source"},
		{Custom("a+b", nil), "must be non-empty without"},
		{Custom("grad-sign", func(backends.Backend, backends.Shape) (Source, error) { return nil, nil }), "is a built-in family's"},
		{Custom("mine", nil), "nil function"},
		{Spec{}, "the zero Spec names no source"},
	}
	b := newB()
	for _, c := range cases {
		err := c.spec.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Validate() = %v, want an error containing %q", c.spec, err, c.want)
		}
		if _, err2 := c.spec.New(b, backends.Shape{2, 2}); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%s: New error %v, Validate %v", c.spec, err2, err)
		}
	}
	if !(Spec{}).IsZero() || Flip(2, GradSign(PerSynapse)).IsZero() || GradSign(PerSynapse).IsZero() {
		t.Error("IsZero is wrong")
	}
	if _, err := Parse("flip:1.5"); err == nil || !strings.Contains(err.Error(), "outside [0, 1]") {
		t.Errorf("Parse(flip:1.5) = %v: Parse checks parameters", err)
	}
}

// custom is a script's own source for TestCustomSpec: M = −sign(∂L/∂W).
type custom struct{}

func (custom) Name() string { return "anti" }
func (custom) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	b.Sign(m, in.Grad)
	b.AXPY(m, -2, m) // m − 2m = −m
}

// TestCustomSpec: a source passed as a value, with no registry, composes
// with the wrappers; flip:1 of it is grad-sign again.
func TestCustomSpec(t *testing.T) {
	b := newB()
	w := backends.Shape{3, 4}
	spec := Flip(1, Custom("anti", func(backends.Backend, backends.Shape) (Source, error) { return custom{}, nil }))
	if spec.String() != "flip:1+anti" {
		t.Errorf("String() = %q", spec.String())
	}
	src, err := spec.New(b, w)
	if err != nil {
		t.Fatal(err)
	}
	if src.Name() != "flip:1+anti" {
		t.Errorf("Name() = %q", src.Name())
	}
	in := Inputs{Grad: upload(b, w, gaussians(3, w.Len()))}
	sameBits(t, "flip:1+anti", run(b, src, in, w), run(b, mustNew(t, b, "grad-sign", w), in, w))
	if slices.Contains(Names(), "anti") {
		t.Error("Custom registered its name")
	}
}
