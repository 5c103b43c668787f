package plots

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"ghlsim/internal/runfiles"
)

// File and directory names the report writes.
const (
	ReportHTML = "report.html" // the self-contained HTML report
	ReportMD   = "report.md"   // the Markdown report (GitHub-flavoured)
	FiguresDir = "figures"     // standalone SVG files the Markdown report links to
)

// ReportOptions controls Report. The zero value writes one report into
// each run directory with the default style.
type ReportOptions struct {
	// Out, when set, is the directory (created if needed) that receives one
	// report covering every directory passed to Report, with the runs'
	// learning curves overlaid. When empty, each run directory gets its own
	// report, written inside it.
	Out string
	// Title overrides the report's heading.
	Title string
	// Style of the figures; the zero value means DefaultStyle.
	Style Style
}

// Report writes report.html, report.md and figures/*.svg for the run
// directories dirs (see ReportOptions.Out for where). report.html is one
// self-contained file: styles and figures inline, no script, no external
// reference. Both reports hold the run's summary, configuration,
// environment, per-epoch metrics, every figure the run's files support and,
// for experiment runs, the results table beside the paper's numbers. Every
// file is written atomically. Without Out, a failing directory does not
// stop the others; the errors are joined.
func Report(dirs []string, opt ReportOptions) error {
	if len(dirs) == 0 {
		return errors.New("plots: Report needs at least one run directory")
	}
	st := opt.Style.orDefault()
	if err := st.Validate(); err != nil {
		return err
	}
	opt.Style = st
	if opt.Out != "" {
		return writeReport(dirs, opt.Out, opt)
	}
	var errs []error
	for _, d := range dirs {
		if err := writeReport([]string{d}, d, opt); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// reportPage is everything both renderers need.
type reportPage struct {
	Title    string
	Compare  []placedFigure // combined reports: figures overlaying the runs
	Runs     []runSection
	Combined bool
}

// runSection is one run's part of a report.
type runSection struct {
	Prefix  string // "" in a single-run report, "r1-" … in a combined one; prefixes ids and figure files
	Run     Run
	Figures []placedFigure
}

// placedFigure is a figure with the file it is written to.
type placedFigure struct {
	Figure
	File string // relative to the report, e.g. "figures/learning-curves.svg"
}

// id is the HTML id of the section named name.
func (s runSection) id(name string) string { return s.Prefix + name }

func writeReport(dirs []string, out string, opt ReportOptions) error {
	page := reportPage{Combined: len(dirs) > 1}
	var runs []Run
	for i, d := range dirs {
		r, err := LoadRun(d)
		if err != nil {
			return err
		}
		runs = append(runs, r)
		sec := runSection{Run: r}
		if page.Combined {
			sec.Prefix = fmt.Sprintf("r%d-", i+1)
		}
		figs, err := RunFigures(r, opt.Style)
		if err != nil {
			return err
		}
		sec.Figures = place(figs, sec.Prefix)
		page.Runs = append(page.Runs, sec)
	}
	if page.Combined {
		figs, err := CompareFigures(runs, opt.Style)
		if err != nil {
			return err
		}
		page.Compare = place(figs, "")
	}
	page.Title = opt.Title
	if page.Title == "" {
		page.Title = defaultTitle(runs)
	}

	if err := os.MkdirAll(filepath.Join(out, FiguresDir), 0o755); err != nil {
		return fmt.Errorf("plots: create %s: %w", filepath.Join(out, FiguresDir), err)
	}
	var all []placedFigure
	all = append(all, page.Compare...)
	for _, s := range page.Runs {
		all = append(all, s.Figures...)
	}
	for _, f := range all {
		if err := writeShared(filepath.Join(out, f.File), f.SVG); err != nil {
			return err
		}
	}
	if err := writeShared(filepath.Join(out, ReportMD), renderMarkdown(page)); err != nil {
		return err
	}
	return writeShared(filepath.Join(out, ReportHTML), renderHTML(page))
}

// writeShared writes path atomically and makes it world-readable (reports
// are meant to be shared; the atomic writer's temporary file is private).
func writeShared(path string, data []byte) error {
	if err := runfiles.WriteFileAtomic(path, data); err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	return nil
}

// place assigns each figure its file under figures/.
func place(figs []Figure, prefix string) []placedFigure {
	out := make([]placedFigure, len(figs))
	for i, f := range figs {
		out[i] = placedFigure{Figure: f, File: FiguresDir + "/" + prefix + f.Name + ".svg"}
	}
	return out
}

// defaultTitle names the report after its run(s).
func defaultTitle(runs []Run) string {
	if len(runs) > 1 {
		return fmt.Sprintf("ghlsim report: %d runs compared", len(runs))
	}
	return "ghlsim report: " + runTitle(runs[0])
}

// runTitle describes one run in a few words.
func runTitle(r Run) string {
	if t := r.Table; t != nil {
		s := t.Experiment
		if t.Title != "" {
			s += ": " + t.Title
		}
		if s != "" {
			return s
		}
	}
	i := r.Info
	s := r.Label()
	if i.Dataset != "" {
		s += " on " + i.Dataset
	}
	if i.Arch != "" {
		s += " (" + i.Arch + ")"
	}
	return s
}
