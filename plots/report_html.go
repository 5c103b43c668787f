package plots

import (
	"bytes"
	"fmt"
	"html"
	"strconv"
	"strings"

	"ghlsim/internal/runfiles"
)

// reportCSS styles report.html. It uses no web fonts, images or other
// external resources.
const reportCSS = `
:root { --fg: #1a1a1a; --muted: #5b5b5b; --line: #dcdcd8; --head: #1f2d3a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 'Liberation Sans', Arial, Helvetica, sans-serif; color: var(--fg); background: #f3f3f1; }
header { background: var(--head); color: #fff; padding: 16px 28px 12px; }
header h1 { margin: 0 0 6px; font-size: 22px; font-weight: bold; }
header p { margin: 0 0 8px; color: #c9d4de; font-size: 13px; }
nav a { color: #bfe0ff; margin-right: 16px; text-decoration: none; font-size: 14px; }
main { max-width: 1160px; margin: 0 auto; padding: 4px 24px 32px; }
section, article { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 18px 16px; margin: 16px 0; }
article > section { border: none; padding: 0; margin: 18px 0 0; }
h2 { font-size: 19px; margin: 0 0 10px; }
h3 { font-size: 16px; margin: 0 0 8px; }
table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e7e7e4; text-align: right; vertical-align: top; }
th:first-child, td:first-child, th.l, td.l { text-align: left; }
thead th { background: #f0f0ed; font-weight: bold; }
caption { text-align: left; font-size: 13.5px; color: var(--muted); padding-bottom: 6px; }
table.kv th { text-align: left; color: var(--muted); font-weight: normal; white-space: nowrap; }
table.kv td { text-align: left; word-break: break-word; }
table.results th[colspan] { text-align: center; border-left: 2px solid #fff; }
td.paper, th.sub { color: var(--muted); }
td.n { color: var(--muted); font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: baseline; }
.scroll { max-height: 380px; overflow: auto; border: 1px solid #ececea; }
.grid { margin-top: 12px; display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 16px; align-items: start; }
figure { margin: 0; border: 1px solid #ececea; border-radius: 4px; padding: 8px; background: #fff; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 6px; }
figcaption b { color: var(--fg); }
pre { background: #f7f7f5; border: 1px solid #ececea; padding: 10px; overflow: auto; max-height: 420px; font-size: 12.5px; margin: 0; }
p.note { color: var(--muted); font-size: 13.5px; margin: 4px 0; }
footer { max-width: 1160px; margin: 0 auto; padding: 0 24px 28px; color: var(--muted); font-size: 12.5px; }
@media print { body { background: #fff; } section, article { border: none; break-inside: avoid; } .scroll, pre { max-height: none; overflow: visible; } }
`

// htmlWriter accumulates escaped HTML.
type htmlWriter struct{ bytes.Buffer }

func esc(s string) string { return html.EscapeString(s) }

// el writes <tag attrs>escaped text</tag>.
func (w *htmlWriter) el(tag, attrs, text string) {
	if attrs != "" {
		attrs = " " + attrs
	}
	fmt.Fprintf(w, "<%s%s>%s</%s>\n", tag, attrs, esc(text), tag)
}

// renderHTML lays page out as one self-contained, well-formed HTML document.
func renderHTML(page reportPage) []byte {
	var w htmlWriter
	w.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
	w.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
	w.WriteString("<meta name=\"generator\" content=\"ghlsim plots\" />\n")
	w.el("title", "", page.Title)
	w.WriteString("<style>" + reportCSS + "</style>\n</head>\n<body>\n<header>\n")
	w.el("h1", "", page.Title)
	if !page.Combined {
		r := page.Runs[0].Run
		w.el("p", "", fmt.Sprintf("%s · created %s · %s", r.Dir, orDash(r.Info.Created), orDash(r.Info.GitRevision)))
	}
	w.WriteString("<nav>")
	if page.Combined {
		w.WriteString(`<a href="#comparison">Comparison</a>`)
		for i, s := range page.Runs {
			fmt.Fprintf(&w, `<a href="#%s">%d. %s</a>`, s.id("run"), i+1, esc(s.Run.Label()))
		}
	} else {
		for _, l := range sectionLinks(page.Runs[0]) {
			fmt.Fprintf(&w, `<a href="#%s">%s</a>`, l[0], esc(l[1]))
		}
	}
	w.WriteString("</nav>\n</header>\n<main>\n")
	if page.Combined {
		w.WriteString(`<section id="comparison">` + "\n")
		w.el("h2", "", "Comparison")
		writeTable(&w, "", runsHead, compareRows(page.Runs), runsLeft)
		writeFigures(&w, page.Compare)
		w.WriteString("</section>\n")
	}
	for i, s := range page.Runs {
		h := "h2"
		if page.Combined {
			h = "h3"
			fmt.Fprintf(&w, "<article id=\"%s\">\n", s.id("run"))
			w.el("h2", "", fmt.Sprintf("%d. %s", i+1, runTitle(s.Run)))
			w.el("p", `class="note"`, fmt.Sprintf("%s · created %s", s.Run.Dir, orDash(s.Run.Info.Created)))
		}
		writeRun(&w, s, h)
		if page.Combined {
			w.WriteString("</article>\n")
		}
	}
	w.WriteString("</main>\n<footer>Written by ghlsim (package plots) from the run's result files. ")
	w.WriteString("The figures are also in figures/*.svg; report.md holds the same tables.</footer>\n</body>\n</html>\n")
	return w.Bytes()
}

// sectionLinks lists (id, title) of the sections a run section has.
func sectionLinks(s runSection) [][2]string {
	links := [][2]string{{s.id("summary"), "Summary"}}
	if s.Run.Table != nil {
		links = append(links, [2]string{s.id("results"), "Results"})
	}
	return append(links,
		[2]string{s.id("figures"), "Figures"},
		[2]string{s.id("metrics"), "Metrics"},
		[2]string{s.id("environment"), "Environment"},
		[2]string{s.id("config"), "Configuration"})
}

// writeRun writes the sections of one run with headings of level h.
func writeRun(w *htmlWriter, s runSection, h string) {
	r := s.Run
	open := func(name, title string) {
		fmt.Fprintf(w, "<section id=\"%s\">\n", s.id(name))
		w.el(h, "", title)
	}
	open("summary", "Summary")
	writeKV(w, summaryRows(r))
	w.WriteString("</section>\n")

	if r.Table != nil {
		open("results", "Results")
		writeResults(w, *r.Table)
		if r.Table.Seeds != nil {
			writeTable(w, "Per seed at the end of the run (rank among all excitatory synapses, 1 = strongest; first 4 mV: simulated seconds)", simSeedsHead, simSeedsRows(*r.Table), simSeedsLeft)
			if head, rows := simMarks(*r.Table); len(rows) > 0 {
				writeTable(w, "Rewarded synapse every 10 simulated minutes: weight (rank)", head, rows, func(i int) bool { return false })
			}
		}
		w.WriteString("</section>\n")
	}

	open("figures", "Figures")
	if len(s.Figures) == 0 {
		w.el("p", `class="note"`, "No figures yet: the run has no metrics, telemetry, weights, benchmarks or table.")
	}
	writeFigures(w, s.Figures)
	w.WriteString("</section>\n")

	open("metrics", "Metrics per epoch")
	switch {
	case len(r.Sim) > 0:
		w.el("p", `class="note"`, "One record per simulated chunk ("+runfiles.SimRecordsFile+"; at most 60 rows shown, evenly spaced):")
		w.WriteString(`<div class="scroll">`)
		writeTable(w, "", simChunkHead, simChunkRows(r.Sim), func(int) bool { return false })
		w.WriteString("</div>\n")
	case r.Table != nil && r.Table.Seeds != nil:
		w.el("p", `class="note"`, "A simulated-time experiment keeps one record per chunk in its cells (cells/<id>/"+runfiles.SimRecordsFile+"); the results above list every seed.")
	case len(r.Cells) > 0 && len(r.Epochs) == 0:
		w.el("p", `class="note"`, "An experiment keeps per-epoch metrics in its cells (cells/<id>/"+runfiles.MetricsFile+"); one line per started cell:")
		w.WriteString(`<div class="scroll">`)
		writeTable(w, "", runsHead, cellRows(r), runsLeft)
		w.WriteString("</div>\n")
	case len(r.Epochs) == 0:
		w.el("p", `class="note"`, "No "+runfiles.MetricsFile+" yet.")
	default:
		w.WriteString(`<div class="scroll">`)
		writeTable(w, "", metricsHead, metricsRows(r.Epochs), metricsLeft)
		w.WriteString("</div>\n")
	}
	if len(r.Bench) > 0 {
		writeTable(w, "Benchmarks ("+runfiles.BenchFile+", latest record per config and impl)", benchHead, benchRows(r.Bench), benchLeft)
	}
	w.WriteString("</section>\n")

	open("environment", "Environment")
	writeKV(w, envRows(r))
	w.WriteString("</section>\n")

	open("config", "Configuration")
	w.el("pre", "", configText(r))
	w.WriteString("</section>\n")
}

// writeKV writes a two-column key/value table.
func writeKV(w *htmlWriter, rows [][2]string) {
	w.WriteString("<table class=\"kv\">\n")
	for _, kv := range rows {
		fmt.Fprintf(w, "<tr><th>%s</th><td>%s</td></tr>\n", esc(kv[0]), esc(orDash(kv[1])))
	}
	w.WriteString("</table>\n")
}

// writeTable writes a table with a header row; columns for which left is
// true are left-aligned (text), the others right-aligned (numbers).
func writeTable(w *htmlWriter, caption string, head []string, rows [][]string, left func(int) bool) {
	cls := func(i int) string {
		if left(i) {
			return ` class="l"`
		}
		return ""
	}
	w.WriteString("<table>\n")
	if caption != "" {
		w.el("caption", "", caption)
	}
	w.WriteString("<thead><tr>")
	for i, h := range head {
		fmt.Fprintf(w, "<th%s>%s</th>", cls(i), esc(h))
	}
	w.WriteString("</tr></thead>\n<tbody>\n")
	for _, row := range rows {
		w.WriteString("<tr>")
		for i, c := range row {
			fmt.Fprintf(w, "<td%s>%s</td>", cls(i), esc(c))
		}
		w.WriteString("</tr>\n")
	}
	w.WriteString("</tbody>\n</table>\n")
}

// writeResults writes an experiment table as the paper lays it out: one
// row per setting, and per column our mean ± std, the number of seeds and
// the paper's number.
func writeResults(w *htmlWriter, t runfiles.Table) {
	cols := tableColumns(t.Rows)
	colours := columnColors(t.Rows, cols)
	paper := tableHasPaper(t)
	span := 2
	if paper {
		span = 3
	}
	w.WriteString("<table class=\"results\">\n")
	w.el("caption", "", fmt.Sprintf("%s — %s; experiment %s v%d, budget %s; ours = mean ± sample std over n seeds.",
		orDash(t.Title), orDash(t.Metric), orDash(t.Experiment), t.Version, orDash(t.Budget)))
	w.WriteString("<thead><tr><th rowspan=\"2\">setting</th>")
	for _, c := range cols {
		clr, ok := colours[c]
		if !ok {
			clr = RuleColor(c)
		}
		fmt.Fprintf(w, "<th colspan=\"%d\"><span class=\"swatch\" style=\"background:%s\"></span>%s</th>", span, hexColor(clr), esc(c))
	}
	w.WriteString("</tr>\n<tr>")
	for range cols {
		w.WriteString("<th class=\"sub\">ours</th><th class=\"sub\">n</th>")
		if paper {
			w.WriteString("<th class=\"sub\">paper</th>")
		}
	}
	w.WriteString("</tr></thead>\n<tbody>\n")
	for _, row := range t.Rows {
		fmt.Fprintf(w, "<tr><th>%s</th>", esc(row.Name))
		for _, c := range cols {
			cell, ok := findCell(row, c)
			if !ok {
				w.WriteString("<td>—</td><td class=\"n\"></td>")
				if paper {
					w.WriteString("<td class=\"paper\">—</td>")
				}
				continue
			}
			fmt.Fprintf(w, "<td>%s</td><td class=\"n\">%s</td>", esc(oursText(cell)), strconv.Itoa(cell.N))
			if paper {
				fmt.Fprintf(w, "<td class=\"paper\">%s</td>", esc(paperText(cell)))
			}
		}
		w.WriteString("</tr>\n")
	}
	w.WriteString("</tbody>\n</table>\n")
}

// writeFigures writes the figures as a grid, each SVG inline.
func writeFigures(w *htmlWriter, figs []placedFigure) {
	if len(figs) == 0 {
		return
	}
	w.WriteString("<div class=\"grid\">\n")
	for _, f := range figs {
		fmt.Fprintf(w, "<figure id=\"fig-%s\">\n", esc(strings.TrimSuffix(strings.TrimPrefix(f.File, FiguresDir+"/"), ".svg")))
		w.Write(inlineSVG(f.SVG))
		fmt.Fprintf(w, "<figcaption><b>%s.</b> %s</figcaption>\n</figure>\n", esc(f.Title), esc(f.Caption))
	}
	w.WriteString("</div>\n")
}

// inlineSVG drops what precedes the <svg> element (XML declaration,
// comments), which has no place inside HTML.
func inlineSVG(svg []byte) []byte {
	if i := bytes.Index(svg, []byte("<svg")); i >= 0 {
		svg = svg[i:]
	}
	return append(bytes.TrimSpace(svg), '\n')
}
