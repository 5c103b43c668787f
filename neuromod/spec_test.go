package neuromod

import (
	"strings"
	"testing"

	"ghlsim/backends"
)

func TestSpecAcceptsGrammar(t *testing.T) {
	b := newB()
	w := backends.Shape{4, 3, 2, 2}
	cases := []struct{ spec, name string }{
		{"grad-sign", "grad-sign"},
		{"grad-sign@synapse", "grad-sign"},
		{"grad-sign@neuron", "grad-sign@neuron"},
		{"grad-sign@layer", "grad-sign@layer"},
		{"grad-sign@global", "grad-sign@global"},
		{"fa-sign", "fa-sign"},
		{"dfa-sign@neuron", "dfa-sign@neuron"},
		{"random", "random"},
		{"constant", "constant"},
		{"constant:-1", "constant:-1"},
		{"flip:0.1", "flip:0.1+grad-sign"},
		{"flip:0", "flip:0+grad-sign"},
		{"flip:1", "flip:1+grad-sign"},
		{"delay:0", "delay:0+grad-sign"},
		{"delay:4+flip:0.1", "delay:4+flip:0.1+grad-sign"},
		{"every:3+random", "every:3+random"},
		{" delay:2 + fa-sign@layer ", "delay:2+fa-sign@layer"},
		{"flip:0.25+delay:2+every:3+dfa-sign@global", "flip:0.25+delay:2+every:3+dfa-sign@global"},
		{"flip:0.1+flip:0.1", "flip:0.1+flip:0.1+grad-sign"},
	}
	for _, c := range cases {
		s := mustNew(t, b, c.spec, w)
		if s.Name() != c.name {
			t.Errorf("New(%q).Name() = %q, want %q", c.spec, s.Name(), c.name)
		}
		// The canonical name is itself a valid spec naming the same source.
		if again := mustNew(t, b, s.Name(), w); again.Name() != s.Name() {
			t.Errorf("New(%q).Name() = %q, not a fixed point", s.Name(), again.Name())
		}
	}
}

func TestSpecRejectsBadSpecs(t *testing.T) {
	b := newB()
	w := backends.Shape{4, 3}
	cases := []struct{ spec, want string }{
		{"", "empty spec"},
		{"nope", `unknown source "nope"`},
		{"delay:2+nope", `unknown source "nope"`},
		{"grad-sign:3", "takes no parameter"},
		{"random:1", "takes no parameter"},
		{"constant:x", "not a finite number"},
		{"flip", "flip needs a probability"},
		{"flip:abc", "not a number"},
		{"flip:1.5", "outside [0, 1]"},
		{"flip:-0.1", "outside [0, 1]"},
		{"flip:NaN", "not a number"},
		{"delay", "delay needs a step count"},
		{"delay:-1", "k = -1 must be ≥ 0"},
		{"delay:1.5", "not an integer"},
		{"every:0", "k = 0 must be ≥ 1"},
		{"every:-2", "k = -2 must be ≥ 1"},
		{"grad-sign@column", `unknown granularity "column"`},
		{"grad-sign@", `unknown granularity ""`},
		{"random@neuron", "random has no granularity"},
		{"constant@layer", "constant has no granularity"},
		{"delay:4@neuron", "granularity belongs to the base"},
		{"grad-sign+delay:2", "only the last term may be a source"},
		{"delay:2+", "empty term"},
		{"delay:2++grad-sign", "empty term"},
	}
	for _, c := range cases {
		s, err := New(b, c.spec, w)
		if err == nil {
			t.Errorf("New(%q) = %v, want an error containing %q", c.spec, s.Name(), c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%q) error %q does not contain %q", c.spec, err, c.want)
		}
		if !strings.Contains(err.Error(), "modulator source") {
			t.Errorf("New(%q) error %q does not say it is about the modulator source", c.spec, err)
		}
	}
	if _, err := New(b, "grad-sign", backends.Shape{0, 3}); err == nil {
		t.Error("New with an invalid weight shape succeeded")
	}
}

func TestRegistry(t *testing.T) {
	names := strings.Join(Names(), " ")
	for _, n := range []string{"constant", "delay", "dfa-sign", "every", "fa-sign", "flip", "grad-sign", "random"} {
		if !strings.Contains(names, n) {
			t.Errorf("Names() = %v lacks %q", Names(), n)
		}
		if Summary(n) == "" {
			t.Errorf("Summary(%q) is empty", n)
		}
	}
	for n, want := range map[string]bool{"flip": true, "delay": true, "every": true, "grad-sign": false, "random": false, "nope": false} {
		if IsWrapper(n) != want {
			t.Errorf("IsWrapper(%q) = %v, want %v", n, !want, want)
		}
	}
	for _, bad := range []string{"", "a:b", "a@b", "a+b", "a b", "grad-sign"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", bad)
				}
			}()
			Register(bad, "bad", nil)
		}()
	}
}

func TestParseGranularity(t *testing.T) {
	for _, g := range []Granularity{PerSynapse, PerNeuron, PerLayer, Global} {
		got, err := ParseGranularity(g.String())
		if err != nil || got != g {
			t.Errorf("ParseGranularity(%q) = %v, %v", g.String(), got, err)
		}
	}
	if _, err := ParseGranularity("Neuron"); err == nil {
		t.Error("ParseGranularity is not case-sensitive")
	}
}
