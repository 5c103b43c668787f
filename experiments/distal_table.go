package experiments

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"ghlsim/internal/runfiles"
)

// simColumns are the quantities table.md summarises over seeds; the
// first is the table's metric (table.json's Rows).
var simColumns = []struct {
	name string
	get  func(runfiles.SimResult) float64
}{
	{"rewarded weight (mV)", func(r runfiles.SimResult) float64 { return r.RewardedWeightMV }},
	{"mean exc. weight (mV)", func(r runfiles.SimResult) float64 { return r.MeanExcWeightMV }},
	{"p99 exc. weight (mV)", func(r runfiles.SimResult) float64 { return r.P99ExcWeightMV }},
}

// isSimSpec reports whether the experiment's cells are simulated-time runs.
func isSimSpec(sf SpecFile) bool {
	return len(sf.Cells) > 0 && sf.Cells[0].Sim != nil
}

// writeSimTable is WriteTable for simulated-time experiments: table.json
// holds every finished seed's result (Seeds) and, per cell, the rewarded
// weight's mean ± std over seeds (Rows, one entry per cell like every
// table); table.csv one line per seed; table.md both.
func writeSimTable(dir string, sf SpecFile, spec *Spec) (*runfiles.Table, error) {
	t := &runfiles.Table{Experiment: sf.Experiment, Version: sf.Version, Budget: sf.Budget, Title: sf.Title, Metric: "rewarded weight at the end (mV)", Seeds: []runfiles.SimResult{}}
	if spec != nil && spec.Metric != "" {
		t.Metric = spec.Metric
	}
	for _, c := range sf.Cells {
		row := runfiles.Row{Name: c.Row}
		var res []runfiles.SimResult
		var dirs []string
		for seed := 1; seed <= sf.Seeds; seed++ {
			d := cellDir(dir, c, seed)
			r, err := runfiles.ReadJSON[runfiles.SimResult](filepath.Join(d, resultFile))
			if err != nil {
				continue
			}
			rel, _ := filepath.Rel(dir, d)
			r.Cell = rel
			res = append(res, r)
			dirs = append(dirs, rel)
		}
		cell := runfiles.Cell{Column: c.Column, Rule: c.Column, Values: []float64{}, Cells: dirs}
		for _, r := range res {
			cell.Values = append(cell.Values, simColumns[0].get(r))
		}
		cell.N = len(cell.Values)
		cell.Mean, cell.Std = meanStd(cell.Values)
		row.Cells = append(row.Cells, cell)
		t.Rows = append(t.Rows, row)
		t.Seeds = append(t.Seeds, res...)
	}
	if err := runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.TableFile), t); err != nil {
		return nil, err
	}
	if err := runfiles.WriteFileAtomic(filepath.Join(dir, "table.csv"), simTableCSV(t)); err != nil {
		return nil, err
	}
	var notes []string
	if spec != nil {
		notes = spec.Notes
	}
	if err := runfiles.WriteFileAtomic(filepath.Join(dir, "table.md"), []byte(TableMarkdown(t, notes))); err != nil {
		return nil, err
	}
	return t, nil
}

// simHead is the per-seed header of table.csv and table.md.
var simHead = []string{"cell", "seed", "simulated_s", "rewarded_weight_mv", "rank", "ties", "exc_synapses", "first_4mv_s",
	"mean_exc_weight_mv", "p99_exc_weight_mv", "at_max", "rewards", "spikes", "wall_s"}

// simRow formats one seed's result in simHead's order.
func simRow(r runfiles.SimResult) []string {
	first := ""
	if r.First4mVS != nil {
		first = strconv.FormatFloat(*r.First4mVS, 'f', 3, 64)
	}
	return []string{r.Cell, strconv.Itoa(r.Seed), strconv.FormatFloat(r.SimulatedS, 'f', 1, 64),
		strconv.FormatFloat(r.RewardedWeightMV, 'f', 4, 64), strconv.Itoa(r.RewardedRank), strconv.Itoa(r.RewardedTies),
		strconv.Itoa(r.ExcSynapses), first, strconv.FormatFloat(r.MeanExcWeightMV, 'f', 4, 64),
		strconv.FormatFloat(r.P99ExcWeightMV, 'f', 4, 64), strconv.Itoa(r.AtMax), strconv.Itoa(r.Rewards),
		strconv.FormatInt(r.Spikes, 10), strconv.FormatFloat(r.Seconds, 'f', 1, 64)}
}

func simTableCSV(t *runfiles.Table) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(simHead)
	for _, r := range t.Seeds {
		w.Write(simRow(r))
	}
	w.Flush()
	return buf.Bytes()
}

// simTableMarkdown lays out a simulated-time experiment: one line per
// seed, the rewarded synapse at every 10-minute mark, the mean ± std over
// seeds and the notes.
func simTableMarkdown(t *runfiles.Table, notes []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s (%s v%d, budget %s)\n\n", t.Title, t.Experiment, t.Version, t.Budget)
	b.WriteString("Per seed, at the end of the run (rank among all excitatory synapses, 1 = strongest; first 4 mV: simulated seconds, — = never):\n\n")
	b.WriteString("| seed | simulated (s) | rewarded (mV) | rank | ties | first 4 mV (s) | mean exc. (mV) | p99 exc. (mV) | at 4 mV | rewards | spikes | wall (s) |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range t.Seeds {
		first := "—"
		if r.First4mVS != nil {
			first = fmt.Sprintf("%.1f", *r.First4mVS)
		}
		fmt.Fprintf(&b, "| %d | %.0f | %.4f | %d of %d | %d | %s | %.3f | %.3f | %d | %d | %d | %.1f |\n", r.Seed, r.SimulatedS,
			r.RewardedWeightMV, r.RewardedRank, r.ExcSynapses, r.RewardedTies, first, r.MeanExcWeightMV, r.P99ExcWeightMV, r.AtMax,
			r.Rewards, r.Spikes, r.Seconds)
	}
	if len(t.Seeds) == 0 {
		b.WriteString("| pending | | | | | | | | | | | |\n")
	}
	marks := false
	for _, r := range t.Seeds {
		marks = marks || len(r.Marks) > 0
	}
	if marks {
		b.WriteString("\nRewarded synapse every 10 simulated minutes: weight in mV (rank; rewards so far):\n\n| seed |")
		var times []float64
		for _, r := range t.Seeds {
			if len(r.Marks) > len(times) {
				times = times[:0]
				for _, m := range r.Marks {
					times = append(times, m.TimeS)
				}
			}
		}
		for _, s := range times {
			fmt.Fprintf(&b, " %g min |", s/60)
		}
		b.WriteString("\n|---:|" + strings.Repeat("---:|", len(times)) + "\n")
		for _, r := range t.Seeds {
			fmt.Fprintf(&b, "| %d |", r.Seed)
			for i := range times {
				if i < len(r.Marks) {
					m := r.Marks[i]
					fmt.Fprintf(&b, " %.2f (%d; %d) |", m.RewardedWeightMV, m.RewardedRank, m.Rewards)
				} else {
					b.WriteString(" |")
				}
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\nOver seeds (mean ± std, n):\n\n| | " + strings.Join(func() []string {
		var h []string
		for _, c := range simColumns {
			h = append(h, c.name)
		}
		return h
	}(), " | ") + " |\n|---|" + strings.Repeat("---:|", len(simColumns)) + "\n")
	for _, row := range t.Rows {
		for _, c := range row.Cells {
			fmt.Fprintf(&b, "| %s / %s |", row.Name, c.Column)
			var res []runfiles.SimResult
			for _, r := range t.Seeds {
				if slices.Contains(c.Cells, r.Cell) {
					res = append(res, r)
				}
			}
			for _, col := range simColumns {
				if len(res) == 0 {
					b.WriteString(" pending |")
					continue
				}
				var v []float64
				for _, r := range res {
					v = append(v, col.get(r))
				}
				m, s := meanStd(v)
				if len(v) == 1 { // one seed has no spread to show
					fmt.Fprintf(&b, " %.3f (n=1) |", m)
					continue
				}
				fmt.Fprintf(&b, " %.3f ± %.3f (%d) |", m, s, len(v))
			}
			b.WriteString("\n")
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}
