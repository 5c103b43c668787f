package synapse

import (
	"slices"
	"strings"
	"testing"

	"ghlsim/internal/noinit"
	"ghlsim/internal/registry"
)

// TestBuiltinRulesListedOnce: every rule type of the package is listed
// exactly once in builtinRules, under the name its instances report, with
// a summary, and a constructor returns each.
func TestBuiltinRulesListedOnce(t *testing.T) {
	want := []string{"bp", "ghl", "hebb", "hpca-fh", "rstdp", "sign", "softhebb", "swta-fh"}
	var names []string
	for _, r := range builtinRules {
		names = append(names, r.Name)
		if err := r.Validate(); err != nil {
			t.Error(err)
			continue
		}
		if got := r.New().Name(); got != r.Name {
			t.Errorf("rule listed as %q makes instances named %q", r.Name, got)
		}
		if r.Summary == "" {
			t.Errorf("%s has no summary", r.Name)
		}
		d := r.Defaults
		if d.Optimizer == "" || d.Schedule == "" || d.ReadoutLR <= 0 {
			t.Errorf("%s: defaults %+v lack an optimiser, schedule or readout rate", r.Name, d)
		}
		if r.Unsupervised != (d.HebbianEpochs > 0) || r.Unsupervised != (d.HiddenLR == 0) {
			t.Errorf("%s: Unsupervised %v but defaults %+v", r.Name, r.Unsupervised, d)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("builtinRules lists %v, want each of %v once", names, want)
	}
	ctors := map[string]func() RuleInfo{"ghl": GHL, "sign": Sign, "hebb": Hebb, "bp": BP, "softhebb": SoftHebb, "swta-fh": SWTAFH, "hpca-fh": HPCAFH, "rstdp": RSTDP}
	for _, n := range want {
		if c, ok := ctors[n]; !ok || c().Name != n {
			t.Errorf("no constructor returns %s", n)
		}
	}
	if !slices.Equal(RuleNames(), want) {
		t.Errorf("RuleNames() = %v, want %v", RuleNames(), want)
	}
}

// TestRuleInfoIsACopy: a caller changing the RuleInfo it got (its
// HebbianLRs slice included) does not change the built-in list.
func TestRuleInfoIsACopy(t *testing.T) {
	r := SoftHebb()
	r.Defaults.HebbianLRs[0] = 99
	r.Defaults.ReadoutLR = 99
	if again := SoftHebb(); again.Defaults.HebbianLRs[0] != 0.08 || again.Defaults.ReadoutLR != 1e-3 {
		t.Errorf("SoftHebb() changed through a copy: %+v", again.Defaults)
	}
	l, _ := LookupRule("softhebb")
	l.Defaults.HebbianLRs[1] = 99
	if again, _ := LookupRule("softhebb"); again.Defaults.HebbianLRs[1] != 0.005 {
		t.Errorf("LookupRule's value shares storage with the list: %+v", again)
	}
}

// TestRegisterAddsAfterBuiltins: Register is explicit and checked — a new
// name becomes known to NewRule, a taken or empty one panics.
func TestRegisterAddsAfterBuiltins(t *testing.T) {
	// A fresh registry for this test, so that the rule it adds does not
	// reach the package's other tests and examples (ExampleRules).
	saved := rules
	rules = registry.New("synapse: rule", func(r RuleInfo) string { return r.Name }, builtinRules)
	defer func() { rules = saved }()
	Register("test-registered", "a test rule", func() Rule { return hebbRule{} })
	if r, err := NewRule("test-registered"); err != nil || r.Name() != "hebb" {
		t.Errorf("NewRule(test-registered) = %v, %v", r, err)
	}
	if all := Rules(); all[len(all)-1].Name != "test-registered" {
		t.Errorf("Rules() does not end with the registered rule: %v", all[len(all)-1].Name)
	}
	for _, name := range []string{"ghl", "test-registered", ""} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", name)
				}
			}()
			Register(name, "dup", func() Rule { return ghlRule{} })
		}()
	}
	if err := (RuleInfo{Name: "x"}).Validate(); err == nil || !strings.Contains(err.Error(), "no New") {
		t.Errorf("RuleInfo without New: Validate() = %v", err)
	}
}

// TestNoInitFuncs: the package fills nothing at init time (its rules are
// the builtinRules literal).
func TestNoInitFuncs(t *testing.T) {
	got, err := noinit.Funcs(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 {
		t.Errorf("func init() in %v: list built-ins in rules.go instead", got)
	}
}
