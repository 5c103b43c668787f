package neuromod

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

// Spec is a modulator source as a Go value: what a spec string such as
// "delay:4+flip:0.1+grad-sign@neuron" describes, written with constructors
// instead —
//
//	neuromod.Delay(4, neuromod.Flip(0.1, neuromod.GradSign(neuromod.PerNeuron)))
//
// — or read from a string by Parse. New turns it into one group's Source;
// a Spec is immutable and serves any number of groups, each New making a
// fresh source. A Spec and the string it prints (String) make the same
// sources, bit for bit: both run the same factories on the same canonical
// parameter text.
//
// The constructors check their arguments as the grammar does (p ∈ [0, 1],
// k ≥ 0, a known granularity, …). A bad argument is input, not a
// programmer error, so it does not panic: the Spec carries the error,
// which Validate reports and New and network.Build return, and a wrapper
// around a bad Spec carries its error on. Specs compose without checks in
// between; check once, where the Spec is used. The zero Spec means "none
// given" (IsZero): network.Rules then falls back to its Modulator string.
type Spec struct {
	p   plan
	err error // the first error of the spec's constructors, wrapped with its text
}

// GradSign is the paper's third factor, M = sign(∂L/∂W) from backprop,
// at granularity g (PerSynapse for the paper): "grad-sign[@g]".
func GradSign(g Granularity) Spec { return baseSpec("grad-sign", "", g) }

// FASign is sign(∂L/∂W) with the gradient from feedback alignment, at
// granularity g: "fa-sign[@g]".
func FASign(g Granularity) Spec { return baseSpec("fa-sign", "", g) }

// DFASign is sign(∂L/∂W) with the gradient from direct feedback
// alignment, at granularity g: "dfa-sign[@g]".
func DFASign(g Granularity) Spec { return baseSpec("dfa-sign", "", g) }

// Random is a fair ±1 per synapse and step, carrying no task
// information: "random".
func Random() Spec { return baseSpec("random", "", PerSynapse) }

// Constant is M = v on every synapse: "constant" for v = 1 (pure
// depression, the grammar's default) and "constant:v" otherwise; v must
// be finite.
func Constant(v float32) Spec {
	if v == 1 {
		return baseSpec("constant", "", PerSynapse)
	}
	return baseSpec("constant", strconv.FormatFloat(float64(v), 'g', -1, 32), PerSynapse)
}

// Flip negates each synapse's inner modulator independently with
// probability p ∈ [0, 1] per step: "flip:p+inner".
func Flip(p float64, inner Spec) Spec {
	return wrapSpec("flip", strconv.FormatFloat(p, 'g', -1, 64), inner)
}

// Delay delivers the inner modulator k ≥ 0 steps late: "delay:k+inner".
func Delay(k int, inner Spec) Spec { return wrapSpec("delay", strconv.Itoa(k), inner) }

// Every delivers the inner modulator only at steps t with t % k == 0
// (k ≥ 1), and 0 otherwise: "every:k+inner".
func Every(k int, inner Spec) Spec { return wrapSpec("every", strconv.Itoa(k), inner) }

// Custom is a base source of a program's own, passed as a value with no
// registry involved: f makes the source for one group with weights of
// shape w (see Source; a source reading Inputs.Grad gets the backprop
// gradient). It composes with the wrappers: Flip(0.2, Custom("surprise",
// f)). name is how the Spec prints and must obey the rules of Register
// (non-empty, no ':', '@', '+' or spaces) and not be a built-in family's.
func Custom(name string, f func(b backends.Backend, w backends.Shape) (Source, error)) Spec {
	t := term{text: name, name: name}
	var err error
	switch {
	case !validName(name):
		err = fmt.Errorf("custom source name %q must be non-empty without ':', '@', '+' or spaces", name)
	case isBuiltin(name):
		err = fmt.Errorf("custom source name %s is a built-in family's: choose another", quote.Q(name))
	case f == nil:
		err = fmt.Errorf("custom source %s has a nil function", quote.Q(name))
	default:
		t.entry = sourceEntry{name: name, factory: func(b backends.Backend, w backends.Shape, _ string) (Source, error) { return f(b, w) }}
	}
	return newSpec(plan{base: t}, err)
}

// Parse reads a spec string (the grammar of the package documentation)
// into a Spec, checking its terms, names and parameters; registered
// families are looked up now.
func Parse(spec string) (Spec, error) {
	p, err := parseSpec(spec)
	if err != nil {
		return Spec{}, fmt.Errorf("modulator source %s: %w", quote.Q(spec), err)
	}
	return Spec{p: p}, nil
}

// New makes the source for one group with weights of shape w.
func (s Spec) New(b backends.Backend, w backends.Shape) (Source, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	src, err := s.p.build(b, w)
	if err != nil {
		return nil, fmt.Errorf("modulator source %s: %w", quote.Q(s.String()), err)
	}
	return src, nil
}

// Validate reports the first bad argument given to the spec's
// constructors, or that the Spec is the zero value.
func (s Spec) Validate() error {
	if s.err != nil {
		return s.err
	}
	if s.IsZero() {
		return errZeroSpec
	}
	return nil
}

var errZeroSpec = errors.New("modulator source: the zero Spec names no source (use a constructor such as neuromod.GradSign(neuromod.PerSynapse), or Parse)")

// IsZero reports whether s is the zero Spec (no source given).
func (s Spec) IsZero() bool { return s.err == nil && s.p.base.name == "" }

// String is the spec in the grammar, canonical: wrappers outermost first,
// the base last, "@synapse" left out — what the source's Name reports,
// e.g. "delay:4+flip:0.1+grad-sign@neuron". Parse(s.String()) gives an
// equal Spec.
func (s Spec) String() string {
	var parts []string
	for _, t := range s.p.wrappers {
		parts = append(parts, t.name+paramSuffix(t.param))
	}
	b := s.p.base
	text := b.name + paramSuffix(b.param)
	if b.gran != PerSynapse {
		text += "@" + b.gran.String()
	}
	return strings.Join(append(parts, text), "+")
}

// newSpec is the Spec of plan p, carrying err (if any) wrapped with the
// spec's text.
func newSpec(p plan, err error) Spec {
	s := Spec{p: p}
	if err != nil {
		s.err = fmt.Errorf("modulator source %s: %w", quote.Q(s.String()), err)
	}
	return s
}

// baseSpec is the built-in base source name with param at granularity g.
func baseSpec(name, param string, g Granularity) Spec {
	e := builtinEntry(name)
	t := term{name: name, param: param, gran: g, entry: e}
	t.text = name + paramSuffix(param)
	var err error
	if g < PerSynapse || g > Global {
		err = fmt.Errorf("%s: granularity %d is none of PerSynapse, PerNeuron, PerLayer and Global", name, int(g))
		t.gran = PerSynapse
	} else if g != PerSynapse {
		t.text += "@" + g.String()
	}
	if err == nil && e.check != nil {
		err = e.check(param)
	}
	return newSpec(plan{base: t}, err)
}

// wrapSpec wraps inner in the built-in wrapper name with param.
func wrapSpec(name, param string, inner Spec) Spec {
	e := builtinEntry(name)
	t := term{text: name + ":" + param, name: name, param: param, entry: e}
	p := plan{wrappers: append([]term{t}, inner.p.wrappers...), base: inner.p.base}
	if inner.err != nil {
		return Spec{p: p, err: inner.err}
	}
	if inner.IsZero() {
		return newSpec(p, fmt.Errorf("%s has no inner source (pass one, e.g. neuromod.GradSign(neuromod.PerSynapse))", name))
	}
	var err error
	if e.check != nil {
		err = e.check(param)
	}
	return newSpec(p, err)
}

// builtinEntry is the built-in family called name; the constructors above
// name only built-in families (TestBuiltinSourcesListedOnce).
func builtinEntry(name string) sourceEntry {
	for _, e := range builtinSources {
		if e.name == name {
			return e
		}
	}
	panic("neuromod: no built-in source " + name)
}

// isBuiltin reports whether name is a built-in family.
func isBuiltin(name string) bool {
	for _, e := range builtinSources {
		if e.name == name {
			return true
		}
	}
	return false
}
