package plots

import (
	"errors"
	"fmt"
	"strings"

	"ghlsim/network"
)

// Figure is one rendered figure of a report.
type Figure struct {
	Name    string // file stem: the report writes figures/<Name>.svg
	Title   string // short title, e.g. "Learning curves"
	Caption string // one or two sentences saying what is drawn
	SVG     []byte // the standalone SVG document
}

// figureSpec is a figure a run may have: make returns ErrNoData (or is
// never called) when the inputs are absent.
type figureSpec struct {
	name, title, caption string
	make                 func() ([]byte, error)
}

// RunFigures renders every figure the files of r support, in report order:
// learning curves (metrics.jsonl), polarity raster (telemetry.jsonl),
// first-layer receptive fields, weight-norm and eligibility histograms
// (weights.safetensors), throughput (bench.jsonl), and for experiment runs
// (table.json) the results bars, one accuracy-vs-parameter figure per swept
// parameter and the learning curves of every cell overlaid. Figures whose
// inputs are absent are skipped; any other failure is returned.
func RunFigures(r Run, st Style) ([]Figure, error) {
	var specs []figureSpec
	if len(r.Epochs) > 0 {
		specs = append(specs, figureSpec{"learning-curves", "Learning curves",
			"Training loss (top) and accuracy (bottom; test solid, validation dashed, train dotted) per epoch.",
			func() ([]byte, error) { return LearningCurves([]Curve{r.Curve()}, st) }})
	}
	if len(r.Telemetry) > 0 {
		specs = append(specs, figureSpec{"polarity-raster", "Polarity raster",
			"Share of each layer's synapses potentiated (Δw > 0) at each recorded step; white = as many potentiated as depressed.",
			func() ([]byte, error) { return PolarityRaster(r.Telemetry, st) }})
	}
	if r.Weights != nil {
		if name, w, ok := FirstConvWeight(*r.Weights); ok {
			specs = append(specs, figureSpec{"receptive-fields", "Receptive fields",
				fmt.Sprintf("Filters of %s (shape %v), one tile per output channel, each at its own contrast.", name, w.Shape),
				func() ([]byte, error) { return ReceptiveFields(w, RFOptions{}, st) }})
		}
		if p := WeightNormPanels(*r.Weights); len(p) > 0 {
			specs = append(specs, figureSpec{"weight-norms", "Weight norms",
				"Distribution of the L2 norm of each neuron's incoming weights, per layer.",
				func() ([]byte, error) { return Histograms(p, 0, st) }})
		}
		if p := EligibilityPanels(*r.Weights); len(p) > 0 {
			specs = append(specs, figureSpec{"eligibility", "Eligibility traces",
				"Distribution of the eligibility values saved with the weights, per layer.",
				func() ([]byte, error) { return Histograms(p, 0, st) }})
		}
	}
	if len(r.Bench) > 0 {
		specs = append(specs, figureSpec{"throughput", "Throughput",
			"Training throughput per configuration and implementation; whiskers span the slowest and fastest timed step.",
			func() ([]byte, error) { return Throughput(r.Bench, st) }})
	}
	specs = append(specs, simFigures(r, "", "", st)...)
	if r.Table != nil {
		specs = append(specs, tableFigures(r, st)...)
	}
	return renderSpecs(specs, r.Dir)
}

// tableFigures are the figures aggregated over an experiment's table and cells.
func tableFigures(r Run, st Style) []figureSpec {
	t := *r.Table
	var specs []figureSpec
	plain := t
	plain.Rows = nil
	for _, row := range t.Rows {
		if row.Param == "" {
			plain.Rows = append(plain.Rows, row)
		}
	}
	if len(plain.Rows) > 0 {
		specs = append(specs, figureSpec{"results-bars", "Results",
			fmt.Sprintf("Our %s per setting and column, mean ± std over seeds; diamonds mark the paper's numbers.", metricLabel(t)),
			func() ([]byte, error) { return GroupedBars(plain, st) }})
	}
	for _, p := range Params(t) {
		specs = append(specs, figureSpec{"sweep-" + slug(p), "Accuracy vs " + ParamLabel(p),
			fmt.Sprintf("Our %s against %s, mean ± std over seeds; diamonds mark the paper's numbers.", metricLabel(t), ParamLabel(p)),
			func() ([]byte, error) { return SweepCurves(t, p, st) }})
	}
	if t.Seeds != nil {
		specs = append(specs, simTableFigures(r, st)...)
	}
	if lt, ok := LTPShareTable(r); ok {
		specs = append(specs, figureSpec{"ltp-ltd-share", "LTP / LTD share per layer",
			"Mean share of each layer's synapses potentiated (Δw > 0) and depressed (Δw < 0) per recorded step, per table entry (seeds pooled), from the cells' telemetry.",
			func() ([]byte, error) { return GroupedBars(lt, st) }})
	}
	if len(r.Cells) > 0 {
		curves := CellCurves(r)
		specs = append(specs, figureSpec{"cells-learning-curves", "Learning curves of all cells",
			fmt.Sprintf("Every started cell of the experiment (%d), overlaid; seeds of one table entry share a colour and legend entry.", len(r.Cells)),
			func() ([]byte, error) { return LearningCurves(curves, st) }})
	}
	return specs
}

// CompareFigures renders the figures that overlay several runs: their
// learning curves, when at least two runs have metrics.
func CompareFigures(runs []Run, st Style) ([]Figure, error) {
	var with []Run
	for _, r := range runs {
		if len(r.Epochs) > 0 {
			with = append(with, r)
		}
	}
	if len(with) < 2 {
		return nil, nil
	}
	return renderSpecs([]figureSpec{{"compare-learning-curves", "Learning curves of all runs",
		"Training loss and accuracy of every run, overlaid (test solid, validation dashed, train dotted).",
		func() ([]byte, error) { return LearningCurves(CompareCurves(with), st) }}}, "the compared runs")
}

// renderSpecs runs every spec, dropping those without data.
func renderSpecs(specs []figureSpec, what string) ([]Figure, error) {
	var out []Figure
	for _, s := range specs {
		b, err := s.make()
		if errors.Is(err, ErrNoData) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("plots: figure %q of %s: %w", s.name, what, err)
		}
		out = append(out, Figure{Name: s.name, Title: s.title, Caption: s.caption, SVG: b})
	}
	return out, nil
}

// FirstConvWeight returns the first-layer conv weight of f: "conv1.weight"
// when it is 4-D, else the first 4-D tensor named "*.weight" in natural
// order.
func FirstConvWeight(f network.SafetensorsFile) (string, network.HostTensor, bool) {
	if t, ok := f.Tensors["conv1.weight"]; ok && len(t.Shape) == 4 {
		return "conv1.weight", t, true
	}
	for _, n := range tensorNames(f, ".weight") {
		if t := f.Tensors[n]; len(t.Shape) == 4 {
			return n, t, true
		}
	}
	return "", network.HostTensor{}, false
}

// slug turns s into a file-name-safe lower-case stem.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_':
			b.WriteRune(c)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	out := strings.Trim(b.String(), "-.")
	if out == "" {
		return "x"
	}
	return out
}

// orDash returns s, or "—" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
