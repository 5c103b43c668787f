package plots

import (
	"errors"
	"slices"
	"testing"

	"ghlsim/internal/runfiles"
)

// sweepTable is fixtureTable's flip rows: GHL and BP at p = 0, 0.1, 0.3,
// two seeds each, GHL with the paper's number at p = 0 and 0.3.
func sweepTable() runfiles.Table {
	t := fixtureTable(2)
	var rows []runfiles.Row
	for _, r := range t.Rows {
		if r.Param == "flip" {
			rows = append(rows, r)
		}
	}
	rows[0].Cells[0].Paper = ptr(76)
	rows[2].Cells[0].Paper = ptr(70.5)
	t.Rows = rows
	return t
}

func TestSweepCurves(t *testing.T) {
	tab := sweepTable()
	if got := Params(tab); !slices.Equal(got, []string{"flip"}) {
		t.Fatalf("Params = %v", got)
	}
	// Rows out of order must still be drawn in order of value.
	tab.Rows[0], tab.Rows[2] = tab.Rows[2], tab.Rows[0]
	b, err := SweepCurves(tab, "flip", DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	for _, s := range []string{"GHL", "BP", "paper", "modulator flip probability p", "test accuracy (%)", "0", "0.1", "0.3"} {
		if !d.hasText(s) {
			t.Errorf("no text %q in %v", s, d.texts())
		}
	}
	ghl, bp := hexColor(RuleColor("ghl")), hexColor(RuleColor("bp"))
	// Error bars: a whisker and two caps per point, 0.8 pt wide, in the column's colour.
	if n := d.strokes(ghl, "0.8"); n != 3*3 {
		t.Errorf("GHL error-bar strokes %d, want 9 (3 points)", n)
	}
	if n := d.strokes(bp, "0.8"); n != 3*3 {
		t.Errorf("BP error-bar strokes %d, want 9", n)
	}
	// One mean line per column plus its legend line.
	if n := d.strokes(ghl, "1.2"); n != 2 {
		t.Errorf("GHL lines %d, want 2", n)
	}
	// Paper diamonds outlined in the column's colour, plus the legend's in paper grey.
	if n := d.strokes(ghl, "0.9"); n != 2 {
		t.Errorf("GHL paper diamonds %d, want 2", n)
	}
	if n := d.strokes(bp, "0.9"); n != 0 {
		t.Errorf("BP has no paper numbers, got %d diamonds", n)
	}
	if m := d.minFontPt(t); m < 8 {
		t.Errorf("smallest font %.1f pt", m)
	}

	if _, err := SweepCurves(tab, "delay", DefaultStyle()); !errors.Is(err, ErrNoData) {
		t.Errorf("unswept parameter: %v, want ErrNoData", err)
	}
}

func TestParamLabel(t *testing.T) {
	if ParamLabel("delay") != "modulator delay (steps)" || ParamLabel("gamma") != "gamma" {
		t.Errorf("ParamLabel: %q %q", ParamLabel("delay"), ParamLabel("gamma"))
	}
}

// Columns of one rule (polarity-time: GHL at three eligibility time
// constants) are drawn in distinct colours, one legend entry each.
func TestSweepCurvesColumnsOfOneRule(t *testing.T) {
	var tab runfiles.Table
	tab.Metric = "test accuracy (%)"
	for _, lat := range []float64{0, 10, 50} {
		r := runfiles.Row{Name: "latency", Param: "latency (ms)", Value: lat}
		for i, col := range []string{"τ_e 10 ms", "τ_e 100 ms", "τ_e 1000 ms"} {
			v := 90 - lat/10 + float64(i)
			r.Cells = append(r.Cells, runfiles.Cell{Column: col, Rule: "ghl", Mean: v, N: 1, Values: []float64{v}})
		}
		tab.Rows = append(tab.Rows, r)
	}
	b, err := SweepCurves(tab, "latency (ms)", DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	strokes := map[string]bool{}
	for _, m := range colourRe.FindAllStringSubmatch(string(b), -1) {
		if h := m[1]; h[0:2] != h[2:4] || h[2:4] != h[4:6] { // not a grey
			strokes[h] = true
		}
	}
	if len(strokes) < 3 {
		t.Fatalf("three columns of rule ghl drawn in %d colours %v", len(strokes), strokes)
	}
	d := parseSVG(t, b)
	for _, s := range []string{"τ_e 10 ms", "τ_e 100 ms", "τ_e 1000 ms"} {
		if !d.hasText(s) {
			t.Errorf("no legend entry %q", s)
		}
	}
}
