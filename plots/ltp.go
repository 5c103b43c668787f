package plots

import (
	"path/filepath"

	"ghlsim/internal/runfiles"
)

// LTPShareTable turns the telemetry of an experiment's cells into a table
// for GroupedBars: one row per table entry ("row · column", seeds pooled),
// two columns per layer — the mean share (%) of its synapses potentiated
// (Δw > 0, LTP) and depressed (Δw < 0, LTD) per recorded step. It reports
// false when no cell has telemetry.
func LTPShareTable(r Run) (runfiles.Table, bool) {
	refs := tableRefs(r)
	type acc struct{ up, down, n float64 }
	type entry struct {
		label  string
		layers map[string]*acc
	}
	var order []string
	entries := map[string]*entry{}
	var layers []string
	seenLayer := map[string]bool{}
	for _, i := range cellOrder(r, refs) {
		c := r.Cells[i]
		if len(c.Telemetry) == 0 {
			continue
		}
		label := c.Label()
		if ref, ok := refs[filepath.Clean(c.Dir)]; ok {
			label = ref.label
		}
		e := entries[label]
		if e == nil {
			e = &entry{label: label, layers: map[string]*acc{}}
			entries[label] = e
			order = append(order, label)
		}
		for _, t := range c.Telemetry {
			if !finite(t.Potentiated) || !finite(t.Depressed) {
				continue
			}
			if !seenLayer[t.Layer] {
				seenLayer[t.Layer] = true
				layers = append(layers, t.Layer)
			}
			a := e.layers[t.Layer]
			if a == nil {
				a = &acc{}
				e.layers[t.Layer] = a
			}
			a.up += t.Potentiated
			a.down += t.Depressed
			a.n++
		}
	}
	if len(order) == 0 || len(layers) == 0 {
		return runfiles.Table{}, false
	}
	t := runfiles.Table{Metric: "share of synapses (%)", Title: "LTP / LTD share per layer"}
	for _, label := range order {
		e := entries[label]
		row := runfiles.Row{Name: label}
		for _, l := range layers {
			a := e.layers[l]
			if a == nil || a.n == 0 {
				continue
			}
			up, down := 100*a.up/a.n, 100*a.down/a.n
			row.Cells = append(row.Cells,
				runfiles.Cell{Column: l + " LTP", Mean: up, N: 1, Values: []float64{up}},
				runfiles.Cell{Column: l + " LTD", Mean: down, N: 1, Values: []float64{down}})
		}
		t.Rows = append(t.Rows, row)
	}
	return t, true
}
