package experiments

import (
	"strings"
	"testing"

	"ghlsim/internal/runfiles"
)

// TestTableMarkdownSingleSeed: a cell with one finished seed prints its
// value and "(n=1)", not a spread of "± 0.00" that was never measured;
// cells with several seeds keep mean ± std (n).
func TestTableMarkdownSingleSeed(t *testing.T) {
	tab := &runfiles.Table{Experiment: "x", Version: 1, Budget: "smoke", Title: "T", Metric: "test accuracy (%)",
		Rows: []runfiles.Row{
			{Name: "one", Cells: []runfiles.Cell{{Column: "GHL", Mean: 61.25, N: 1, Values: []float64{61.25}}}},
			{Name: "two", Cells: []runfiles.Cell{{Column: "GHL", Mean: 60, Std: 1.5, N: 2, Values: []float64{59, 61}}}},
		}}
	md := TableMarkdown(tab, nil)
	if strings.Contains(md, "± 0.00 (1)") || !strings.Contains(md, "| 61.25 (n=1) |") {
		t.Errorf("single-seed cell:\n%s", md)
	}
	if !strings.Contains(md, "| 60.00 ± 1.50 (2) |") {
		t.Errorf("two-seed cell:\n%s", md)
	}
}

// TestPolaritySmokeColumnsNameTheirData: the smoke budget trains on
// synthetic data, so its column (the dataset the report labels every cell
// with) must say synthetic, not fashion-mnist; the cpu budget's cells run
// on, and are labelled, fashion-mnist.
func TestPolaritySmokeColumnsNameTheirData(t *testing.T) {
	pol, err := Lookup("polarity")
	if err != nil {
		t.Fatal(err)
	}
	for _, budget := range []string{"smoke", "cpu", "full"} {
		cells, err := pol.Cells(budget)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cells {
			if c.Column != c.Config.Dataset {
				t.Errorf("%s budget: cell %s labelled %q but trains on %q", budget, c.Row, c.Column, c.Config.Dataset)
			}
		}
	}
}
