// Package plots draws ghlsim's figures and reports from result files only
// (the files package runfiles defines), never from live networks, so any
// run directory, finished or in progress, can be plotted and reported later.
//
// # Figures
//
// Every figure function takes plain data and a Style and returns a
// standalone SVG document; one given nothing to draw returns ErrNoData.
//
//	LearningCurves(curves, st)     loss and train/val/test accuracy per epoch, runs overlaid (gonum/plot)
//	SweepCurves(table, param, st)  metric vs a swept parameter, mean ± std over seeds, paper's numbers (gonum/plot)
//	GroupedBars(table, st)         the paper's table as grouped bars with error bars and paper markers (gonum/plot)
//	Throughput(bench, st)          images/s per benchmark config, one bar per implementation (gonum/plot)
//	ReceptiveFields(w, opt, st)    first-layer filters as RGB or grey tiles, per-filter contrast (svgo)
//	PolarityRaster(telemetry, st)  layer × step heat map of the potentiated share with a colour bar (svgo)
//	Histograms(panels, bins, st)   small multiples: weight norms (WeightNormPanels), eligibilities (EligibilityPanels) (svgo)
//
// DefaultStyle is one column of a two-column paper (3.5 in wide) with 8 pt
// labels; Style.Validate refuses fonts below 8 pt. Colours are colour-blind
// safe: each rule has a fixed Okabe–Ito colour (RuleColor: ghl vermillion,
// bp blue, sign sky blue, hebb reddish purple, softhebb bluish green,
// swta-fh orange, hpca-fh black; other names a fixed colour of Paul Tol's
// muted palette), the same in every figure.
//
// # Reports
//
// Report writes report.html (one self-contained file: CSS and SVG inline,
// no script, no external reference), report.md (GitHub-flavoured, linking
// figures/*.svg) and the figures for one or several run directories. It is
// what `ghl report RUN_DIR...` runs and what training and experiments call
// when they finish a run or a cell. LoadRun and RunFigures expose the steps.
//
// A figure from a run directory:
//
//	run, err := plots.LoadRun("runs/ghl-cifar10")
//	if err != nil {
//		return err
//	}
//	svg, err := plots.LearningCurves([]plots.Curve{run.Curve()}, plots.DefaultStyle())
//	if err != nil {
//		return err
//	}
//	return os.WriteFile("curves.svg", svg, 0o644)
//
// The report of two runs side by side:
//
//	err := plots.Report([]string{"runs/ghl", "runs/bp"}, plots.ReportOptions{Out: "reports/ghl-vs-bp"})
//
// scripts/render_report.sh RUN_DIR OUT.png screenshots a report with
// headless Chromium and checks the picture is not blank.
package plots
