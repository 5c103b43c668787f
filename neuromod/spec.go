package neuromod

import (
	"fmt"
	"strings"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

// DefaultBase is the base source of a spec that lists only wrappers, e.g.
// "flip:0.1" means "flip:0.1+grad-sign".
const DefaultBase = "grad-sign"

// term is one '+'-separated part of a spec: name[:param][@granularity].
type term struct {
	text  string // as written, trimmed
	name  string
	param string
	gran  Granularity
	entry sourceEntry
}

// plan is a parsed spec: wrappers outermost first, then the base.
type plan struct {
	wrappers []term
	base     term
}

// parseSpec checks a spec against the grammar and the registry without
// allocating anything on a backend.
func parseSpec(spec string) (plan, error) {
	var p plan
	if strings.TrimSpace(spec) == "" {
		return p, fmt.Errorf("empty spec (want e.g. grad-sign, flip:0.1 or delay:4+grad-sign@neuron)")
	}
	parts := strings.Split(spec, "+")
	for i, raw := range parts {
		t, err := parseTerm(raw)
		if err != nil {
			return p, err
		}
		last := i == len(parts)-1
		if t.entry.wrap == nil {
			if !last {
				return p, fmt.Errorf("%s is a source, not a wrapper: only the last term may be a source (wrappers %s come first, e.g. delay:4+%s)",
					quote.Q(t.text), strings.Join(namesOf(true), ", "), quote.S(t.text))
			}
			p.base = t
			continue
		}
		if strings.Contains(t.text, "@") {
			return p, fmt.Errorf("%s: a granularity belongs to the base source, not to a wrapper (write e.g. %s+grad-sign@neuron)", quote.Q(t.text), quote.S(t.name+paramSuffix(t.param)))
		}
		p.wrappers = append(p.wrappers, t)
		if last {
			p.base, err = parseTerm(DefaultBase)
			if err != nil {
				return p, err
			}
		}
	}
	return p, nil
}

// parseTerm splits and looks up one term.
func parseTerm(raw string) (term, error) {
	t := term{text: strings.TrimSpace(raw)}
	if t.text == "" {
		return t, fmt.Errorf("empty term between '+' signs (want e.g. delay:4+flip:0.1)")
	}
	body, gran, hasGran := strings.Cut(t.text, "@")
	t.name, t.param, _ = strings.Cut(body, ":")
	if hasGran {
		g, err := ParseGranularity(gran)
		if err != nil {
			return t, fmt.Errorf("%s: %w", quote.Q(t.text), err)
		}
		t.gran = g
	}
	e, ok := lookup(t.name)
	if !ok {
		return t, fmt.Errorf("unknown source %s (sources: %s; wrappers: %s)",
			quote.Q(t.name), strings.Join(namesOf(false), ", "), strings.Join(namesOf(true), ", "))
	}
	t.entry = e
	if e.check != nil {
		if err := e.check(t.param); err != nil {
			return t, err
		}
	}
	return t, nil
}

// paramSuffix is ":param", or "" for no parameter.
func paramSuffix(p string) string {
	if p == "" {
		return ""
	}
	return ":" + p
}

// build makes the base source, coarse-grains it, then wraps it from the
// innermost wrapper outwards.
func (p plan) build(b backends.Backend, w backends.Shape) (Source, error) {
	if !w.Valid() {
		return nil, fmt.Errorf("invalid weight shape %v", w)
	}
	s, err := p.base.entry.factory(b, w, p.base.param)
	if err != nil {
		return nil, err
	}
	if p.base.gran != PerSynapse {
		g, ok := s.(Granular)
		if !ok {
			return nil, fmt.Errorf("%s: %s has no granularity: only gradient-based sources (grad-sign, fa-sign, dfa-sign) take @neuron, @layer or @global",
				quote.Q(p.base.text), p.base.name)
		}
		if s, err = g.AtGranularity(b, w, p.base.gran); err != nil {
			return nil, err
		}
	}
	for i := len(p.wrappers) - 1; i >= 0; i-- {
		t := p.wrappers[i]
		if s, err = t.entry.wrap(b, w, t.param, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}
