package plots

import (
	"image/color"
	"testing"

	"gonum.org/v1/plot/vg"
)

func TestRuleColor(t *testing.T) {
	known := []string{"ghl", "bp", "sign", "hebb", "softhebb", "swta-fh", "hpca-fh"}
	seen := map[color.RGBA]string{}
	for _, r := range known {
		c := RuleColor(r)
		if other, dup := seen[c]; dup {
			t.Errorf("%s and %s share colour %s", r, other, hexColor(c))
		}
		seen[c] = r
		inPalette := false
		for _, p := range OkabeIto {
			inPalette = inPalette || p == c
		}
		if !inPalette {
			t.Errorf("%s: %s is not an Okabe–Ito colour", r, hexColor(c))
		}
	}
	if hexColor(RuleColor("ghl")) != "#d55e00" || RuleColor(" GHL ") != RuleColor("ghl") {
		t.Error("ghl must be vermillion, case- and space-insensitively")
	}
	a, b := RuleColor("my-new-rule"), RuleColor("MY-NEW-RULE")
	if a != b {
		t.Error("fallback colours must not depend on case")
	}
	if _, clash := seen[a]; clash {
		t.Errorf("fallback colour %s collides with a known rule", hexColor(a))
	}
	if RuleColor("my-new-rule") != a {
		t.Error("fallback colours must be deterministic")
	}
}

func TestStyleValidate(t *testing.T) {
	if err := DefaultStyle().Validate(); err != nil {
		t.Fatal(err)
	}
	st := DefaultStyle()
	if st.Width != 3.5*vg.Inch || st.FontSize < MinFontSize {
		t.Errorf("default style %+v is not single-column with ≥ 8 pt fonts", st)
	}
	bad := []Style{
		{Width: 3.5 * vg.Inch, Height: 2 * vg.Inch, FontSize: 7, LineWidth: 1},
		{Width: 1 * vg.Inch, Height: 2 * vg.Inch, FontSize: 8, LineWidth: 1},
		{Width: 3.5 * vg.Inch, Height: 2 * vg.Inch, FontSize: 8},
	}
	for i, s := range bad {
		if s.Validate() == nil {
			t.Errorf("style %d (%+v) accepted", i, s)
		}
	}
	if (Style{}).orDefault() != DefaultStyle() {
		t.Error("the zero Style must mean DefaultStyle")
	}
}
