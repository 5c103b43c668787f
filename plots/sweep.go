package plots

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"ghlsim/internal/runfiles"
)

// Params lists the swept parameters of t (the Param of its rows), in order
// of first appearance.
func Params(t runfiles.Table) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range t.Rows {
		if r.Param != "" && !seen[r.Param] {
			seen[r.Param] = true
			out = append(out, r.Param)
		}
	}
	return out
}

// paramLabels gives known swept parameters an axis label with units.
var paramLabels = map[string]string{
	"flip":     "modulator flip probability p",
	"delay":    "modulator delay (steps)",
	"depth":    "depth (conv layers)",
	"width":    "width multiplier (×)",
	"lr":       "learning rate η",
	"wd":       "weight decay λ",
	"batch":    "batch size (images)",
	"t_inv":    "inverse temperature",
	"noise":    "modulator noise (std)",
	"sparsity": "modulator sparsity (fraction)",
	"epochs":   "training length (epochs)",
}

// ParamLabel returns the axis label of a swept parameter: a fixed label with
// units for known names (flip, delay, depth, width, lr, wd, batch, t_inv,
// noise, sparsity, epochs), the name itself otherwise.
func ParamLabel(param string) string {
	if l, ok := paramLabels[param]; ok {
		return l
	}
	return param
}

// metricLabel is the value-axis label of a table's metric.
func metricLabel(t runfiles.Table) string {
	if t.Metric != "" {
		return t.Metric
	}
	return "accuracy (%)"
}

// cellColor is the colour of a table column: its rule's, or, without a
// rule, the colour the column name would have as a rule.
func cellColor(c runfiles.Cell) color.RGBA {
	if c.Rule != "" {
		return RuleColor(c.Rule)
	}
	return RuleColor(c.Column)
}

// SweepCurves draws the metric of t against one swept parameter: one line
// per column (colour of its rule, or distinct colours when columns share a
// rule) through the mean over seeds, error bars
// of ± one sample standard deviation, and the paper's numbers, where the
// table has them, as diamonds outlined in the column's colour. Rows whose
// Param differs are ignored. It returns ErrNoData when no row sweeps param.
func SweepCurves(t runfiles.Table, param string, st Style) ([]byte, error) {
	st = st.orDefault()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	var rows []runfiles.Row
	for _, r := range t.Rows {
		if r.Param == param && finite(r.Value) {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil, ErrNoData
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Value < rows[j].Value })

	p := newPlot(st, ParamLabel(param), metricLabel(t))
	p.Add(horizontalGrid())
	leg := newLegendStrip(st)
	hasPaper := false
	drawn := 0
	cols := tableColumns(rows)
	colours := columnColors(rows, cols)
	for _, col := range cols {
		var mean, paper plotter.XYs
		var errs plotter.YErrors
		for _, r := range rows {
			c, ok := findCell(r, col)
			if !ok {
				continue
			}
			if c.N > 0 && finite(c.Mean) {
				mean = append(mean, plotter.XY{X: r.Value, Y: c.Mean})
				s := c.Std
				if !finite(s) {
					s = 0
				}
				errs = append(errs, struct{ Low, High float64 }{s, s})
			}
			if c.Paper != nil && finite(*c.Paper) {
				paper = append(paper, plotter.XY{X: r.Value, Y: *c.Paper})
			}
		}
		clr := colours[col]
		if len(mean) > 0 {
			ls := lineStyle(clr, st.LineWidth)
			gs := draw.GlyphStyle{Color: clr, Radius: 2, Shape: draw.CircleGlyph{}}
			p.Add(&plotter.Line{XYs: mean, LineStyle: ls}, &plotter.Scatter{XYs: mean, GlyphStyle: gs})
			eb := &plotter.YErrorBars{XYs: mean, YErrors: errs, LineStyle: lineStyle(clr, 0.8), CapWidth: 4}
			p.Add(eb)
			leg.add(col, lineThumb{ls}, glyphThumb{gs})
			drawn++
		}
		if len(paper) > 0 {
			gs := paperGlyph()
			gs.Color = clr
			p.Add(&plotter.Scatter{XYs: paper, GlyphStyle: gs})
			hasPaper = true
			drawn++
		}
	}
	if drawn == 0 {
		return nil, ErrNoData
	}
	if hasPaper {
		leg.add("paper", glyphThumb{paperGlyph()})
	}
	if ticks, ok := valueTicks(rows); ok {
		p.X.Tick.Marker = ticks
	}
	lh := leg.height(st.Width)
	return renderSVG(st.Width, st.Height+lh, func(dc draw.Canvas) {
		area := leg.draw(dc)
		p.Draw(draw.Crop(area, 3, -6, 0, 0))
	})
}

// valueTicks puts x ticks exactly at the swept values when they are few and
// far enough apart to label.
func valueTicks(rows []runfiles.Row) (plot.ConstantTicks, bool) {
	var vals []float64
	for _, r := range rows {
		if len(vals) == 0 || r.Value != vals[len(vals)-1] {
			vals = append(vals, r.Value)
		}
	}
	if len(vals) < 2 || len(vals) > 7 {
		return nil, false
	}
	span := vals[len(vals)-1] - vals[0]
	for i := 1; i < len(vals); i++ {
		if vals[i]-vals[i-1] < span/10 {
			return nil, false
		}
	}
	ticks := make(plot.ConstantTicks, len(vals))
	for i, v := range vals {
		ticks[i] = plot.Tick{Value: v, Label: formatNumber(v)}
	}
	return ticks, true
}

// tableColumns returns the column names of rows in order of first appearance.
func tableColumns(rows []runfiles.Row) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, c := range r.Cells {
			if !seen[c.Column] {
				seen[c.Column] = true
				out = append(out, c.Column)
			}
		}
	}
	return out
}

// findCell returns the cell of row r in column col.
func findCell(r runfiles.Row, col string) (runfiles.Cell, bool) {
	for _, c := range r.Cells {
		if c.Column == col {
			return c, true
		}
	}
	return runfiles.Cell{}, false
}

// formatNumber prints v compactly: integers without a decimal point,
// others with up to 4 significant digits.
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4g", v)
}

// columnColors gives each table column its rule's colour (cellColor) unless
// two columns would share one (columns of one rule, such as polarity-time's
// τ_e lines, or names that hash alike): then every column gets a distinct
// series colour.
func columnColors(rows []runfiles.Row, cols []string) map[string]color.RGBA {
	out := map[string]color.RGBA{}
	used := map[color.RGBA]bool{}
	clash := false
	for _, col := range cols {
		for _, r := range rows {
			if c, ok := findCell(r, col); ok {
				clr := cellColor(c)
				clash = clash || used[clr]
				used[clr], out[col] = true, clr
				break
			}
		}
	}
	if clash {
		return seriesColors(cols)
	}
	return out
}
