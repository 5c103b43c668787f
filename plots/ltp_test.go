package plots

import (
	"path/filepath"
	"testing"

	"ghlsim/internal/runfiles"
)

// Each table entry's LTP and LTD shares are the means over its cells'
// (seeds') telemetry records, per layer, labelled "row · column".
func TestLTPShareTable(t *testing.T) {
	root := "/exp"
	tel := func(up1, down1, up2, down2 float64) []runfiles.Telemetry {
		return []runfiles.Telemetry{
			{Step: 0, Layer: "conv1", Potentiated: up1, Depressed: down1},
			{Step: 0, Layer: "conv2", Potentiated: up2, Depressed: down2},
		}
	}
	r := Run{Dir: root, Table: &runfiles.Table{Rows: []runfiles.Row{
		{Name: "flip p=0", Cells: []runfiles.Cell{{Column: "τ_e 100 ms", Cells: []string{"cells/a__s1", "cells/a__s2"}}}},
		{Name: "flip p=0.5", Cells: []runfiles.Cell{{Column: "τ_e 100 ms", Cells: []string{"cells/b__s1"}}}},
	}}}
	r.Cells = []Run{
		{Dir: filepath.Join(root, "cells/a__s1"), Telemetry: tel(0.2, 0.6, 0.1, 0.3)},
		{Dir: filepath.Join(root, "cells/a__s2"), Telemetry: tel(0.4, 0.4, 0.3, 0.1)},
		{Dir: filepath.Join(root, "cells/b__s1"), Telemetry: tel(0.5, 0.5, 0.25, 0.25)},
	}
	lt, ok := LTPShareTable(r)
	if !ok || len(lt.Rows) != 2 {
		t.Fatalf("table %+v (%v)", lt, ok)
	}
	want := map[string]map[string]float64{
		"flip p=0 · τ_e 100 ms":   {"conv1 LTP": 30, "conv1 LTD": 50, "conv2 LTP": 20, "conv2 LTD": 20},
		"flip p=0.5 · τ_e 100 ms": {"conv1 LTP": 50, "conv1 LTD": 50, "conv2 LTP": 25, "conv2 LTD": 25},
	}
	for _, row := range lt.Rows {
		w, ok := want[row.Name]
		if !ok || len(row.Cells) != 4 {
			t.Fatalf("row %q with %d cells", row.Name, len(row.Cells))
		}
		for _, c := range row.Cells {
			if d := c.Mean - w[c.Column]; d > 1e-9 || d < -1e-9 {
				t.Errorf("%s %s: %v, want %v", row.Name, c.Column, c.Mean, w[c.Column])
			}
		}
	}
	if _, err := GroupedBars(lt, DefaultStyle()); err != nil {
		t.Fatal(err)
	}
	if _, ok := LTPShareTable(Run{Dir: root}); ok {
		t.Error("a run without cells gave a table")
	}
}
