package experiments

import (
	"slices"
	"testing"

	"ghlsim/internal/noinit"
)

// TestBuiltinSpecsListedOnce: builtinSpecs names every experiment once,
// each with a title, a metric, the three budgets and a Cells function,
// and SpecNames lists exactly them.
func TestBuiltinSpecsListedOnce(t *testing.T) {
	want := []string{"distal-reward", "polarity", "polarity-time", "spiking-mnist", "table1", "table4", "table5"}
	var names []string
	for _, s := range builtinSpecs {
		names = append(names, s.Name)
		if s.Title == "" || s.Metric == "" || s.Cells == nil || s.Version < 1 {
			t.Errorf("%s: title %q, metric %q, version %d, Cells %v", s.Name, s.Title, s.Metric, s.Version, s.Cells != nil)
		}
		for _, b := range Budgets {
			if s.Budgets[b] == "" {
				t.Errorf("%s does not describe budget %s", s.Name, b)
			}
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("builtinSpecs lists %v, want each of %v once", names, want)
	}
	if !slices.Equal(SpecNames(), want) {
		t.Errorf("SpecNames() = %v", SpecNames())
	}
}

// TestRegisterSpecRefuses: RegisterSpec refuses a nil spec and a taken
// name. (Adding a spec for real is internal/registry's test: a spec added
// here would join TestSmokeBudgets' run of every spec.)
func TestRegisterSpecRefuses(t *testing.T) {
	for _, s := range []*Spec{nil, {Name: "table1"}, {}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterSpec(%+v) did not panic", s)
				}
			}()
			RegisterSpec(s)
		}()
	}
}

// TestNoInitFuncs: the package fills nothing at init time (its specs are
// the builtinSpecs list).
func TestNoInitFuncs(t *testing.T) {
	got, err := noinit.Funcs(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 {
		t.Errorf("func init() in %v: list specs in specs.go instead", got)
	}
}
