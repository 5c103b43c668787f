package neuromod

import (
	"slices"
	"testing"

	"ghlsim/backends"
	"ghlsim/internal/noinit"
	"ghlsim/internal/registry"
)

// TestBuiltinSourcesListedOnce: builtinSources names each family of the
// package once, with a summary, a factory or a wrapper (never both) and a
// parameter check, and the base sources' instances report the family name.
func TestBuiltinSourcesListedOnce(t *testing.T) {
	want := []string{"constant", "delay", "dfa-sign", "every", "fa-sign", "flip", "grad-sign", "random"}
	var names []string
	b := newB()
	for _, e := range builtinSources {
		names = append(names, e.name)
		if e.summary == "" || e.check == nil || (e.factory == nil) == (e.wrap == nil) {
			t.Errorf("%s: summary %q, check %v, factory %v, wrap %v", e.name, e.summary, e.check != nil, e.factory != nil, e.wrap != nil)
			continue
		}
		if e.factory != nil {
			s, err := e.factory(b, backends.Shape{2, 3}, "")
			if err != nil || s.Name() != e.name {
				t.Errorf("%s makes %v, %v", e.name, s, err)
			}
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("builtinSources lists %v, want each of %v once", names, want)
	}
}

// registered is TestRegisterExtends' source: M = 0.
type registered struct{}

func (registered) Name() string                                             { return "test-registered" }
func (registered) Modulate(b backends.Backend, _ Inputs, m backends.Tensor) { b.Fill(m, 0) }

// TestRegisterExtends: a registered family is found after the built-ins
// and composes in spec strings.
func TestRegisterExtends(t *testing.T) {
	// A fresh registry for this test: the family it adds stays out of the
	// package's other tests.
	saved := sources
	sources = registry.New("neuromod: source", func(e sourceEntry) string { return e.name }, builtinSources)
	defer func() { sources = saved }()
	Register("test-registered", "test source", func(backends.Backend, backends.Shape, string) (Source, error) { return registered{}, nil })
	if !slices.Contains(Names(), "test-registered") || IsWrapper("test-registered") || Summary("test-registered") != "test source" {
		t.Errorf("Names() = %v", Names())
	}
	src, err := New(newB(), "delay:1+test-registered", backends.Shape{2, 2})
	if err != nil || src.Name() != "delay:1+test-registered" {
		t.Errorf("New = %v, %v", src, err)
	}
}

// TestNoInitFuncs: the package fills nothing at init time (its families
// are the builtinSources literal).
func TestNoInitFuncs(t *testing.T) {
	got, err := noinit.Funcs(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 {
		t.Errorf("func init() in %v: list built-ins in sources.go instead", got)
	}
}
