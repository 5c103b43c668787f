package experiments

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"ghlsim/internal/runfiles"
)

// WriteTable aggregates the finished cells of an experiment run into
// table.json, table.csv and table.md (our mean ± std over seeds beside the
// paper's number), and returns the table. Unfinished cells show n = 0.
func WriteTable(dir string) (*runfiles.Table, error) {
	sf, err := runfiles.ReadJSON[SpecFile](filepath.Join(dir, "spec.json"))
	if err != nil {
		return nil, err
	}
	spec, _ := Lookup(sf.Experiment)
	if isSimSpec(sf) {
		return writeSimTable(dir, sf, spec)
	}
	t := &runfiles.Table{Experiment: sf.Experiment, Version: sf.Version, Budget: sf.Budget, Title: sf.Title, Metric: "test accuracy (%)"}
	if spec != nil && spec.Metric != "" {
		t.Metric = spec.Metric
	}
	rowIdx := map[string]int{}
	for _, c := range sf.Cells {
		i, ok := rowIdx[c.Row]
		if !ok {
			i = len(t.Rows)
			rowIdx[c.Row] = i
			t.Rows = append(t.Rows, runfiles.Row{Name: c.Row, Param: c.Param, Value: c.Value})
		}
		cell := runfiles.Cell{Column: c.Column, Rule: c.rule(), Paper: c.Paper, Values: []float64{}}
		for seed := 1; seed <= sf.Seeds; seed++ {
			d := cellDir(dir, c, seed)
			r, err := runfiles.ReadJSON[cellResult](filepath.Join(d, "result.json"))
			if err != nil {
				continue
			}
			cell.Values = append(cell.Values, 100*r.TestAcc)
			rel, _ := filepath.Rel(dir, d)
			cell.Cells = append(cell.Cells, rel)
		}
		cell.N = len(cell.Values)
		cell.Mean, cell.Std = meanStd(cell.Values)
		t.Rows[i].Cells = append(t.Rows[i].Cells, cell)
	}
	if err := runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.TableFile), t); err != nil {
		return nil, err
	}
	if err := runfiles.WriteFileAtomic(filepath.Join(dir, "table.csv"), tableCSV(t)); err != nil {
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

// meanStd is the mean and sample standard deviation (0 for one value).
func meanStd(v []float64) (mean, std float64) {
	if len(v) == 0 {
		return 0, 0
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)-1))
}

func tableCSV(t *runfiles.Table) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"row", "column", "rule", "mean", "std", "n", "values", "paper"})
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			vals := make([]string, len(c.Values))
			for i, v := range c.Values {
				vals[i] = fmt.Sprintf("%.2f", v)
			}
			p := ""
			if c.Paper != nil {
				p = fmt.Sprintf("%.2f", *c.Paper)
			}
			mean, std := "", ""
			if c.N > 0 {
				mean, std = fmt.Sprintf("%.2f", c.Mean), fmt.Sprintf("%.2f", c.Std)
			}
			w.Write([]string{r.Name, c.Column, c.Rule, mean, std, fmt.Sprint(c.N), strings.Join(vals, " "), p})
		}
	}
	w.Flush()
	return buf.Bytes()
}

// TableMarkdown lays the table out like the paper's: one row per setting,
// per column our mean ± std (n seeds) and the paper's number; a
// simulated-time experiment's table (Seeds set) gets one line per seed.
func TableMarkdown(t *runfiles.Table, notes []string) string {
	if t.Seeds != nil {
		return simTableMarkdown(t, notes)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s (%s v%d, budget %s)\n\n%s; ours: mean ± std over seeds (n), final-epoch test accuracy.\n\n", t.Title, t.Experiment, t.Version, t.Budget, t.Metric)
	var cols []string
	seen := map[string]bool{}
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			if !seen[c.Column] {
				seen[c.Column] = true
				cols = append(cols, c.Column)
			}
		}
	}
	hasPaper := false // a table without any paper number gets no paper columns
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			hasPaper = hasPaper || c.Paper != nil
		}
	}
	b.WriteString("| |")
	for _, c := range cols {
		if hasPaper {
			fmt.Fprintf(&b, " %s (ours) | %s (paper) |", c, c)
		} else {
			fmt.Fprintf(&b, " %s |", c)
		}
	}
	b.WriteString("\n|---|")
	for range cols {
		if hasPaper {
			b.WriteString("---:|---:|")
		} else {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		fmt.Fprintf(&b, "| %s |", r.Name)
		byCol := map[string]runfiles.Cell{}
		for _, c := range r.Cells {
			byCol[c.Column] = c
		}
		for _, col := range cols {
			c, ok := byCol[col]
			ours, pap := "", ""
			if ok {
				switch {
				case c.N == 1: // one seed has no spread to show
					ours = fmt.Sprintf("%.2f (n=1)", c.Mean)
				case c.N > 0:
					ours = fmt.Sprintf("%.2f ± %.2f (%d)", c.Mean, c.Std, c.N)
				default:
					ours = "pending"
				}
				if c.Paper != nil {
					pap = fmt.Sprintf("%.2f", *c.Paper)
				}
			}
			if hasPaper {
				fmt.Fprintf(&b, " %s | %s |", ours, pap)
			} else {
				fmt.Fprintf(&b, " %s |", ours)
			}
		}
		b.WriteString("\n")
	}
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}
