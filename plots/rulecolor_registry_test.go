package plots

import "testing"

// TestRuleColorsFromRegistry: the colours the rules declare in synapse are
// the ones the figures have always used (the Okabe–Ito assignment that
// lived in this package before), and a rule declaring none (rstdp) keeps
// its hashed fallback.
func TestRuleColorsFromRegistry(t *testing.T) {
	want := map[string]int{"ghl": 6, "bp": 5, "sign": 2, "hebb": 7, "softhebb": 3, "swta-fh": 1, "hpca-fh": 0}
	if len(ruleColors) != len(want) {
		t.Errorf("%d rules declare a colour, want %d: %v", len(ruleColors), len(want), ruleColors)
	}
	for rule, i := range want {
		if got := RuleColor(rule); got != OkabeIto[i] {
			t.Errorf("%s is %s, want Okabe–Ito %d %s", rule, hexColor(got), i, hexColor(OkabeIto[i]))
		}
	}
	if got, want := hexColor(RuleColor("rstdp")), "#cc6677"; got != want {
		t.Errorf("rstdp is %s, want its hashed fallback %s", got, want)
	}
}
