package plots

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"

	"ghlsim/internal/runfiles"
)

// This file builds the report's tables as plain strings; report_html.go and
// report_md.go only lay them out.

// pct formats a fraction in [0, 1] as a percentage; negative or non-finite
// means "not measured".
func pct(v float64) string {
	if !finite(v) || v < 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", 100*v)
}

// fixed formats v with prec decimals, "—" when non-finite.
func fixed(v float64, prec int) string {
	if !finite(v) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// metricsHead is the header of the per-epoch metrics table.
var metricsHead = []string{"epoch", "phase", "step", "loss", "train acc (%)", "val acc (%)", "test acc (%)", "lr", "time (s)", "images/s"}

// metricsLeft, benchLeft and runsLeft tell which columns of those tables
// hold text (left-aligned) rather than numbers.
func metricsLeft(i int) bool { return i == 1 }
func benchLeft(i int) bool   { return i < 2 }
func runsLeft(i int) bool    { return i < 4 || i == 7 }

// metricsRows formats metrics.jsonl, one row per record.
func metricsRows(eps []runfiles.Epoch) [][]string {
	rows := make([][]string, len(eps))
	for i, e := range eps {
		phase := e.Phase
		if phase == "" {
			phase = "train"
		}
		rows[i] = []string{
			strconv.Itoa(e.Epoch), phase, strconv.Itoa(e.Step), fixed(e.Loss, 4),
			pct(e.TrainAcc), pct(e.ValAcc), pct(e.TestAcc),
			strconv.FormatFloat(e.LR, 'g', 4, 64), fixed(e.Seconds, 1), fixed(e.ImagesPerS, 0),
		}
	}
	return rows
}

// envRows is the environment table: what produced the run.
func envRows(r Run) [][2]string {
	i := r.Info
	return [][2]string{
		{"directory", r.Dir},
		{"tool", i.Tool},
		{"command", i.Command},
		{"created", i.Created},
		{"seed", strconv.FormatUint(i.Seed, 10)},
		{"backend", i.Backend},
		{"device", i.Device},
		{"Go version", i.GoVersion},
		{"git revision", i.GitRevision},
		{"rule", i.Rule},
		{"dataset", i.Dataset},
		{"architecture", i.Arch},
	}
}

// configText is the run's effective configuration, pretty-printed.
func configText(r Run) string {
	if len(r.Info.Config) == 0 {
		return "(config.json has no \"config\" field)"
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, r.Info.Config, "", "  "); err != nil {
		return string(r.Info.Config)
	}
	return buf.String()
}

// summaryRows are the headline numbers of a run.
func summaryRows(r Run) [][2]string {
	var out [][2]string
	if t := r.Table; t != nil {
		out = append(out, [2]string{"experiment", fmt.Sprintf("%s v%d, budget %s, %d cells started", orDash(t.Experiment), t.Version, orDash(t.Budget), len(r.Cells))})
	}
	if d := dataSummary(r.Info.Config); d != "" && r.Table == nil {
		out = append(out, [2]string{"data", d})
	}
	eps := r.Epochs
	if len(eps) == 0 {
		if r.Table == nil && len(r.Bench) == 0 && len(r.Sim) == 0 {
			out = append(out, [2]string{"status", "no metrics.jsonl yet (run not started or no epoch finished)"})
		}
	} else {
		last := eps[len(eps)-1]
		out = append(out, [2]string{"epochs recorded", fmt.Sprintf("%d (last: epoch %d, step %d)", len(eps), last.Epoch, last.Step)})
		out = append(out, [2]string{"final test accuracy", pct(last.TestAcc) + " %"})
		bestVal, bestTest := -1, -1
		for i, e := range eps {
			if finite(e.ValAcc) && e.ValAcc >= 0 && (bestVal < 0 || e.ValAcc > eps[bestVal].ValAcc) {
				bestVal = i
			}
			if finite(e.TestAcc) && e.TestAcc >= 0 && (bestTest < 0 || e.TestAcc > eps[bestTest].TestAcc) {
				bestTest = i
			}
		}
		if bestVal >= 0 {
			e := eps[bestVal]
			out = append(out, [2]string{"selected by validation", fmt.Sprintf("val %s %% at epoch %d → test %s %%", pct(e.ValAcc), e.Epoch, pct(e.TestAcc))})
		}
		if bestTest >= 0 {
			e := eps[bestTest]
			out = append(out, [2]string{"best test over epochs", fmt.Sprintf("%s %% at epoch %d (the reference code's protocol)", pct(e.TestAcc), e.Epoch)})
		}
		var secs, ips float64
		n := 0
		for _, e := range eps {
			if finite(e.Seconds) {
				secs += e.Seconds
			}
			if finite(e.ImagesPerS) && e.ImagesPerS > 0 {
				ips += e.ImagesPerS
				n++
			}
		}
		tp := ""
		if n > 0 {
			tp = fmt.Sprintf(", %.0f images/s on average", ips/float64(n))
		}
		out = append(out, [2]string{"training time", fmt.Sprintf("%.1f s%s", secs, tp)})
	}
	if len(r.Bench) > 0 {
		out = append(out, [2]string{"benchmarks", fmt.Sprintf("%d records in %s", len(r.Bench), runfiles.BenchFile)})
	}
	return append(out, simSummaryRows(r)...)
}

// benchHead is the header of the benchmark table.
var benchHead = []string{"config", "impl", "images/s", "median step (ms)", "GFLOP/s (direct-equivalent)", "% of peak", "GFLOP/s executed", "% of peak executed", "RSS (MB)", "repeats"}

// benchRows formats the latest benchmark record per (config, impl).
func benchRows(recs []runfiles.Bench) [][]string {
	var rows [][]string
	for _, b := range LatestBench(recs) {
		exec, execPct := fixed(b.ExecGFLOPs, 1), fixed(b.ExecPeakPct, 1)
		if b.ExecGFLOPs == 0 { // a record from before executed arithmetic was measured
			exec, execPct = "—", "—"
		}
		rows = append(rows, []string{b.Config, b.Impl, fixed(b.ImagesPerS, 0), fixed(1000*b.MedianS, 2),
			fixed(b.GFLOPs, 1), fixed(b.PeakPct, 1), exec, execPct, fixed(b.RSSMB, 0), strconv.Itoa(b.Repeats)})
	}
	return rows
}

// oursText formats our mean ± std over n seeds; "—" before any seed ends.
func oursText(c runfiles.Cell) string {
	if c.N == 0 || !finite(c.Mean) {
		return "—"
	}
	if c.N == 1 {
		return fmt.Sprintf("%.2f", c.Mean)
	}
	return fmt.Sprintf("%.2f ± %.2f", c.Mean, c.Std)
}

// tableHasPaper reports whether any cell of t has the paper's number; a
// table without one (polarity, spiking-mnist, …) gets no paper columns.
func tableHasPaper(t runfiles.Table) bool {
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			if c.Paper != nil && finite(*c.Paper) {
				return true
			}
		}
	}
	return false
}

// paperText formats the paper's number, "—" when it has none.
func paperText(c runfiles.Cell) string {
	if c.Paper == nil || !finite(*c.Paper) {
		return "—"
	}
	return strconv.FormatFloat(*c.Paper, 'f', -1, 64)
}

// runsHead and runsRows form the overview of several runs: the runs of a
// combined report, or the cells of an experiment.
var runsHead = []string{"run", "rule", "dataset", "arch", "epochs", "final test (%)", "val-selected test (%)", "directory"}

func runsRows(runs []Run, labels, dirs []string) [][]string {
	var rows [][]string
	for i, r := range runs {
		final, selected := "—", "—"
		if n := len(r.Epochs); n > 0 {
			final = pct(r.Epochs[n-1].TestAcc)
			best := -1
			for i, e := range r.Epochs {
				if finite(e.ValAcc) && e.ValAcc >= 0 && (best < 0 || e.ValAcc > r.Epochs[best].ValAcc) {
					best = i
				}
			}
			if best >= 0 {
				selected = pct(r.Epochs[best].TestAcc)
			}
		}
		rows = append(rows, []string{labels[i], orDash(r.Info.Rule), orDash(r.Info.Dataset), orDash(r.Info.Arch),
			strconv.Itoa(len(r.Epochs)), final, selected, dirs[i]})
	}
	return rows
}

// compareRows is the overview of a combined report's runs.
func compareRows(secs []runSection) [][]string {
	runs := make([]Run, len(secs))
	for i, s := range secs {
		runs[i] = s.Run
	}
	curves := CompareCurves(runs)
	labels := make([]string, len(runs))
	dirs := make([]string, len(runs))
	for i, c := range curves {
		labels[i] = c.Label
		dirs[i] = filepath.Clean(runs[i].Dir)
	}
	return runsRows(runs, labels, dirs)
}

// cellRows is the overview of an experiment's started cells in table
// order, labelled by their table entry where table.json names them.
func cellRows(r Run) [][]string {
	refs := tableRefs(r)
	var cells []Run
	var labels, dirs []string
	for _, i := range cellOrder(r, refs) {
		c := r.Cells[i]
		cells = append(cells, c)
		label := c.Label()
		if ref, ok := refs[filepath.Clean(c.Dir)]; ok {
			label = ref.label
		}
		dir := c.Dir
		if rel, err := filepath.Rel(r.Dir, c.Dir); err == nil {
			dir = rel
		}
		labels = append(labels, label)
		dirs = append(dirs, dir)
	}
	return runsRows(cells, labels, dirs)
}

// dataSummary says what a training run's config.json trained and tested
// on, the held-out validation share included (the default val_fraction 0.1
// trains on 90 % of the training split); "" for configs without a dataset.
func dataSummary(raw json.RawMessage) string {
	var c struct {
		Dataset     string   `json:"dataset"`
		TrainLimit  int      `json:"train_limit"`
		TestLimit   int      `json:"test_limit"`
		ValFraction *float64 `json:"val_fraction"`
		Batch       int      `json:"batch"`
		DropLast    bool     `json:"drop_last"`
		// a spiking run's network: its batches are fixed, the last partial one dropped
		Net json.RawMessage `json:"net"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &c) != nil || c.Dataset == "" {
		return ""
	}
	limit := func(n int, what string) string {
		if n > 0 {
			return fmt.Sprintf("the first %d %s images", n, what)
		}
		return "all " + what + " images"
	}
	s := fmt.Sprintf("%s: %s", c.Dataset, limit(c.TrainLimit, "training"))
	if c.ValFraction != nil && *c.ValFraction > 0 {
		s += fmt.Sprintf(", of which %.0f %% held out for validation (val_fraction %g) and %.0f %% trained on", 100**c.ValFraction, *c.ValFraction, 100*(1-*c.ValFraction))
	} else {
		s += ", no validation split"
	}
	s += "; tested on " + limit(c.TestLimit, "test")
	if c.Batch > 0 {
		last := "the last partial batch kept"
		if c.DropLast || len(c.Net) > 0 {
			last = "the last partial batch dropped"
		}
		s += fmt.Sprintf("; batch %d, %s", c.Batch, last)
	}
	return s
}
