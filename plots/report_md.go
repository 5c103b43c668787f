package plots

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"ghlsim/internal/runfiles"
)

// mdCell escapes text for a GitHub-flavoured Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\\", "\\\\")
	s = strings.ReplaceAll(s, "|", "\\|")
	s = strings.ReplaceAll(s, "\n", " ")
	if s == "" {
		return "—"
	}
	return s
}

// mdTable writes a Markdown table; right-aligned columns unless left[i].
func mdTable(b *bytes.Buffer, head []string, rows [][]string, left func(i int) bool) {
	b.WriteString("|")
	for _, h := range head {
		b.WriteString(" " + mdCell(h) + " |")
	}
	b.WriteString("\n|")
	for i := range head {
		if left(i) {
			b.WriteString(" :--- |")
		} else {
			b.WriteString(" ---: |")
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("|")
		for _, c := range r {
			b.WriteString(" " + mdCell(c) + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

// mdKV writes a key/value table.
func mdKV(b *bytes.Buffer, rows [][2]string) {
	t := make([][]string, len(rows))
	for i, kv := range rows {
		t[i] = []string{kv[0], kv[1]}
	}
	mdTable(b, []string{"item", "value"}, t, func(int) bool { return true })
}

// renderMarkdown lays page out as GitHub-flavoured Markdown with links to
// the standalone figures.
func renderMarkdown(page reportPage) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", page.Title)
	h := "##"
	if page.Combined {
		b.WriteString("## Comparison\n\n")
		mdTable(&b, runsHead, compareRows(page.Runs), runsLeft)
		mdFigures(&b, page.Compare)
		h = "###"
	}
	for i, s := range page.Runs {
		if page.Combined {
			fmt.Fprintf(&b, "## %d. %s\n\n", i+1, runTitle(s.Run))
		}
		r := s.Run
		fmt.Fprintf(&b, "%s Summary\n\n", h)
		mdKV(&b, summaryRows(r))
		if r.Table != nil {
			fmt.Fprintf(&b, "%s Results\n\n", h)
			mdResults(&b, *r.Table)
			if r.Table.Seeds != nil {
				b.WriteString("Per seed at the end of the run (rank among all excitatory synapses, 1 = strongest; first 4 mV: simulated seconds):\n\n")
				mdTable(&b, simSeedsHead, simSeedsRows(*r.Table), simSeedsLeft)
				if head, rows := simMarks(*r.Table); len(rows) > 0 {
					b.WriteString("Rewarded synapse every 10 simulated minutes: weight (rank):\n\n")
					mdTable(&b, head, rows, func(int) bool { return false })
				}
			}
		}
		fmt.Fprintf(&b, "%s Figures\n\n", h)
		if len(s.Figures) == 0 {
			b.WriteString("No figures yet: the run has no metrics, telemetry, weights, benchmarks or table.\n\n")
		}
		mdFigures(&b, s.Figures)
		fmt.Fprintf(&b, "%s Metrics per epoch\n\n", h)
		switch {
		case len(r.Sim) > 0:
			fmt.Fprintf(&b, "One record per simulated chunk (%s; at most 60 rows shown, evenly spaced):\n\n", runfiles.SimRecordsFile)
			mdTable(&b, simChunkHead, simChunkRows(r.Sim), func(int) bool { return false })
		case r.Table != nil && r.Table.Seeds != nil:
			fmt.Fprintf(&b, "A simulated-time experiment keeps one record per chunk in its cells (`cells/<id>/%s`); the results above list every seed.\n\n", runfiles.SimRecordsFile)
		case len(r.Cells) > 0 && len(r.Epochs) == 0:
			fmt.Fprintf(&b, "An experiment keeps per-epoch metrics in its cells (`cells/<id>/%s`); one line per started cell:\n\n", runfiles.MetricsFile)
			mdTable(&b, runsHead, cellRows(r), runsLeft)
		case len(r.Epochs) == 0:
			fmt.Fprintf(&b, "No %s yet.\n\n", runfiles.MetricsFile)
		default:
			mdTable(&b, metricsHead, metricsRows(r.Epochs), metricsLeft)
		}
		if len(r.Bench) > 0 {
			fmt.Fprintf(&b, "Benchmarks (%s, latest record per config and impl):\n\n", runfiles.BenchFile)
			mdTable(&b, benchHead, benchRows(r.Bench), benchLeft)
		}
		fmt.Fprintf(&b, "%s Environment\n\n", h)
		mdKV(&b, envRows(r))
		fmt.Fprintf(&b, "%s Configuration\n\n```json\n%s\n```\n\n", h, configText(r))
	}
	return b.Bytes()
}

// mdResults writes an experiment table: per column, ours (mean ± std), n
// and the paper's number.
func mdResults(b *bytes.Buffer, t runfiles.Table) {
	fmt.Fprintf(b, "%s — %s; experiment %s v%d, budget %s; ours = mean ± sample std over n seeds.\n\n",
		orDash(t.Title), orDash(t.Metric), orDash(t.Experiment), t.Version, orDash(t.Budget))
	cols := tableColumns(t.Rows)
	paper := tableHasPaper(t)
	head := []string{"setting"}
	for _, c := range cols {
		head = append(head, c+" (ours)", "n")
		if paper {
			head = append(head, c+" (paper)")
		}
	}
	var rows [][]string
	for _, row := range t.Rows {
		r := []string{row.Name}
		for _, c := range cols {
			cell, ok := findCell(row, c)
			switch {
			case !ok:
				r = append(r, "—", "")
			default:
				r = append(r, oursText(cell), strconv.Itoa(cell.N))
			}
			if paper {
				if ok {
					r = append(r, paperText(cell))
				} else {
					r = append(r, "—")
				}
			}
		}
		rows = append(rows, r)
	}
	mdTable(b, head, rows, func(i int) bool { return i == 0 })
}

// mdFigures links every figure's SVG file with its caption.
func mdFigures(b *bytes.Buffer, figs []placedFigure) {
	for _, f := range figs {
		fmt.Fprintf(b, "![%s](%s)\n\n*%s.* %s\n\n", f.Title, f.File, f.Title, f.Caption)
	}
}
