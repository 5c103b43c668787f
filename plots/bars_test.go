package plots

import (
	"errors"
	"testing"

	"ghlsim/internal/runfiles"
)

// plainTable is fixtureTable's two architecture rows (3 seeds) × GHL, BP,
// SoftHebb; FastHebb/SoftHebb has no paper number.
func plainTable() runfiles.Table {
	t := fixtureTable(3)
	t.Rows = t.Rows[:2]
	return t
}

func TestGroupedBars(t *testing.T) {
	b, err := GroupedBars(plainTable(), DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	for _, s := range []string{"DeepHebb", "FastHebb", "GHL", "BP", "SoftHebb", "paper", "test accuracy (%)"} {
		if d.countText(s) != 1 {
			t.Errorf("text %q appears %d times, want once", s, d.countText(s))
		}
	}
	for _, rule := range []string{"ghl", "bp", "softhebb"} {
		// one bar per row plus the legend swatch
		if n := d.fills(hexColor(RuleColor(rule))); n != 2+1 {
			t.Errorf("%s: %d filled shapes, want 2 bars + 1 swatch", rule, n)
		}
	}
	// Paper diamonds: 5 cells have a paper number, plus the legend's.
	if n := d.strokes(hexColor(paperColor), "0.9"); n != 5+1 {
		t.Errorf("%d paper diamonds, want 6", n)
	}
	// Error bars: whisker + 2 caps per bar, black.
	if n := d.strokes("#000000", "0.7"); n != 6*3 {
		t.Errorf("%d error-bar strokes, want 18", n)
	}
}

func TestGroupedBarsSkipsUnfinishedCells(t *testing.T) {
	tab := plainTable()
	tab.Rows[0].Cells[0].N = 0 // DeepHebb/GHL: no seed finished
	tab.Rows[0].Cells[0].Paper = nil
	b, err := GroupedBars(tab, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	if n := parseSVG(t, b).fills(hexColor(RuleColor("ghl"))); n != 1+1 {
		t.Errorf("%d GHL bars+swatch, want 2", n)
	}
	if _, err := GroupedBars(runfiles.Table{}, DefaultStyle()); !errors.Is(err, ErrNoData) {
		t.Errorf("empty table: %v, want ErrNoData", err)
	}
}

func TestGroupedBarsWideWhenCrowded(t *testing.T) {
	tab := plainTable()
	for len(tab.Rows) < 9 { // 9 rows × 3 columns = 27 bars
		tab.Rows = append(tab.Rows, tab.Rows[len(tab.Rows)%2])
	}
	b, err := GroupedBars(tab, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	if w := parseSVG(t, b).width; w != "504pt" {
		t.Errorf("width %s, want 504pt (double column) for 27 bars", w)
	}
}
