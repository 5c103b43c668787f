package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"ghlsim/internal/runfiles"
)

// Curve is one run's per-epoch metrics as LearningCurves draws them.
type Curve struct {
	Label  string           // legend text; curves with the same label share one legend entry (e.g. seeds)
	Rule   string           // plasticity rule; sets the colour (RuleColor)
	Epochs []runfiles.Epoch // metrics.jsonl records in file order
}

// accKind is an accuracy series drawn per run, with its dash pattern.
type accKind struct {
	name   string
	get    func(runfiles.Epoch) float64
	dashes []vg.Length
	dot    draw.GlyphDrawer // marks a series of a single point, which draws no line
}

// accKinds are the accuracy series, in order of preference.
var accKinds = []accKind{
	{"test", func(e runfiles.Epoch) float64 { return e.TestAcc }, nil, draw.CircleGlyph{}},
	{"validation", func(e runfiles.Epoch) float64 { return e.ValAcc }, []vg.Length{4, 2}, draw.RingGlyph{}},
	{"train", func(e runfiles.Epoch) float64 { return e.TrainAcc }, []vg.Length{1, 1.5}, draw.CrossGlyph{}},
}

// LearningCurves draws two stacked panels sharing the epoch axis: the
// training loss (top) and the accuracy in percent (bottom: test solid,
// validation dashed, train dotted). Each curve's colour is its rule's;
// curves of one colour with different labels get distinct glyphs. The
// legend above the panels lists each label once, then the line-style key.
// A run with a single epoch draws no line, so its values are marked (test
// ●, validation ○, train ×). With more than three distinct labels only one
// accuracy series per run is drawn (test, else validation, else train), to
// keep the panel readable; with more than seven, runs are grouped by the
// first word of their label (legendGroups), one colour and legend entry per
// group, so the legend keeps at most eight entries. Value ranges are padded
// so that no point sits on the frame.
// Unmeasured values (negative accuracies, non-finite numbers) are left out.
// It returns ErrNoData when no curve has a single value to draw.
func LearningCurves(curves []Curve, st Style) ([]byte, error) {
	st = st.orDefault()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	loss := newPlot(st, "", "training loss (nats)")
	acc := newPlot(st, "epoch", "accuracy (%)")
	for _, p := range []*plot.Plot{loss, acc} {
		p.Add(horizontalGrid())
		p.X.Tick.Marker = integerTicks{}
	}
	leg := newLegendStrip(st)
	glyphs := glyphAssignment(curves)
	groups := legendGroups(curves)
	kinds := accKinds
	if len(glyphs) > 3 {
		kinds = accKinds[:1]
		for _, k := range accKinds {
			if anyMeasured(curves, k.get) {
				kinds = []accKind{k}
				break
			}
		}
	}
	kindUsed := make([]bool, len(kinds))
	drawn := 0
	for _, c := range curves {
		xs := epochAxis(c.Epochs)
		col := RuleColor(c.Rule)
		label := c.Label
		var gs *draw.GlyphStyle
		if groups != nil {
			g := groups[c.Label]
			col, label = g.color, g.label
		} else if g := glyphs[c.Label]; g > 0 {
			gs = &draw.GlyphStyle{Color: col, Radius: 2, Shape: runGlyphs[(g-1)%len(runGlyphs)]}
		}
		n := addSeries(loss, xs, c.Epochs, func(e runfiles.Epoch) float64 { return e.Loss }, 1, lineStyle(col, st.LineWidth), gs, draw.CircleGlyph{})
		for k, kind := range kinds {
			m := addSeries(acc, xs, c.Epochs, kind.get, 100, lineStyle(col, st.LineWidth, kind.dashes...), gs, kind.dot)
			if m > 0 {
				kindUsed[k] = true
			}
			n += m
		}
		if n == 0 {
			continue
		}
		drawn++
		thumbs := []plot.Thumbnailer{lineThumb{lineStyle(col, st.LineWidth)}}
		if gs != nil {
			thumbs = append(thumbs, glyphThumb{*gs})
		}
		leg.add(label, thumbs...)
	}
	if drawn == 0 {
		return nil, ErrNoData
	}
	for _, p := range []*plot.Plot{loss, acc} {
		padRange(&p.X, 0, 0.5)
		padRange(&p.Y, 0.08, 0)
	}
	single := true
	for _, c := range curves {
		single = single && len(c.Epochs) <= 1
	}
	for k, kind := range kinds {
		if kindUsed[k] {
			thumbs := []plot.Thumbnailer{lineThumb{lineStyle(color.Gray{0x55}, st.LineWidth, kind.dashes...)}}
			if single {
				thumbs = append(thumbs, glyphThumb{draw.GlyphStyle{Color: color.Gray{0x55}, Radius: 2, Shape: kind.dot}})
			}
			leg.add(kind.name, thumbs...)
		}
	}
	panel := st.Height * 0.85
	lh := leg.height(st.Width)
	return renderSVG(st.Width, 2*panel+lh, func(dc draw.Canvas) {
		area := leg.draw(dc)
		tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: 6, PadLeft: 3, PadRight: 6, PadBottom: 1}
		cs := plot.Align([][]*plot.Plot{{loss}, {acc}}, tiles, area)
		loss.Draw(cs[0][0])
		acc.Draw(cs[1][0])
	})
}

// addSeries adds one metric of one run to p as a line (and glyphs when gs
// is set, or the glyph dot when there is a single point) and returns the
// number of points drawn. Values below zero mean "not measured" and are
// skipped.
func addSeries(p *plot.Plot, xs []float64, eps []runfiles.Epoch, get func(runfiles.Epoch) float64, scale float64, ls draw.LineStyle, gs *draw.GlyphStyle, dot draw.GlyphDrawer) int {
	var pts plotter.XYs
	for i, e := range eps {
		v := get(e)
		if !finite(v) || v < 0 {
			continue
		}
		pts = append(pts, plotter.XY{X: xs[i], Y: v * scale})
	}
	if len(pts) == 0 {
		return 0
	}
	if len(pts) == 1 {
		// A line through one point draws nothing: mark it, larger than
		// the glyphs that tell runs apart on lines.
		p.Add(&plotter.Scatter{XYs: pts, GlyphStyle: draw.GlyphStyle{Color: ls.Color, Radius: singleDotRadius, Shape: dot}})
		return 1
	}
	p.Add(&plotter.Line{XYs: pts, LineStyle: ls})
	if gs != nil {
		p.Add(&plotter.Scatter{XYs: thin(pts, 12), GlyphStyle: *gs})
	}
	return len(pts)
}

// singleDotRadius is the radius of the marker of a series with one point.
const singleDotRadius = 3

// padRange widens a's data range by frac of its span on each side, so no
// value sits on the frame; an empty span (one value, or all equal) is
// widened by half, or by 5 % of the value's magnitude (at least 0.5) when
// half is 0.
func padRange(a *plot.Axis, frac, half float64) {
	if !finite(a.Min) || !finite(a.Max) || a.Min > a.Max {
		return
	}
	span := a.Max - a.Min
	if span == 0 {
		if half == 0 {
			half = math.Max(0.05*math.Abs(a.Min), 0.5)
		}
		a.Min, a.Max = a.Min-half, a.Max+half
		return
	}
	a.Min -= frac * span
	a.Max += frac * span
}

// maxLegendRuns is the number of legend entries for runs in a learning-curve
// figure; with more distinct labels than this the runs are grouped.
const maxLegendRuns = 7

// legendGroup is the legend entry and colour of a run in a grouped figure.
type legendGroup struct {
	label string
	color color.RGBA
}

// legendGroups returns nil when curves have at most maxLegendRuns distinct
// labels (each gets its own entry). Otherwise (e.g. the 22 cells of the
// polarity ablation) it groups labels by their first word, cut at a space,
// '@', '=' or '(' in the part before " · " ("flip p=0.1 · synthetic" →
// "flip", "grad-sign@layer · synthetic" → "grad-sign"), keeps the first
// maxLegendRuns−1 groups and puts the rest under "other". Each group gets
// a distinct colour and one legend entry saying how many labels it holds.
func legendGroups(curves []Curve) map[string]legendGroup {
	var labels []string
	seen := map[string]bool{}
	for _, c := range curves {
		if !seen[c.Label] {
			seen[c.Label] = true
			labels = append(labels, c.Label)
		}
	}
	if len(labels) <= maxLegendRuns {
		return nil
	}
	key := func(l string) string {
		l, _, _ = strings.Cut(l, " · ")
		if i := strings.IndexAny(strings.TrimSpace(l), " @=("); i > 0 {
			return strings.TrimSpace(l)[:i]
		}
		return strings.TrimSpace(l)
	}
	var order []string
	members := map[string]int{}
	for _, l := range labels {
		k := key(l)
		if members[k] == 0 {
			order = append(order, k)
		}
		members[k]++
	}
	if len(order) > maxLegendRuns {
		for _, k := range order[maxLegendRuns-1:] {
			members["other"] += members[k]
		}
		order = append(order[:maxLegendRuns-1:maxLegendRuns-1], "other")
	}
	cols := seriesColors(order)
	out := map[string]legendGroup{}
	for _, l := range labels {
		k := key(l)
		if !slices.Contains(order, k) {
			k = "other"
		}
		text := k
		if members[k] > 1 {
			text = fmt.Sprintf("%s (%d)", k, members[k])
		}
		out[l] = legendGroup{label: text, color: cols[k]}
	}
	return out
}

// anyMeasured reports whether some curve has a measured value of get.
func anyMeasured(curves []Curve, get func(runfiles.Epoch) float64) bool {
	for _, c := range curves {
		for _, e := range c.Epochs {
			if v := get(e); finite(v) && v >= 0 {
				return true
			}
		}
	}
	return false
}

// thin returns at most n points of pts, evenly spaced, always keeping the last.
func thin(pts plotter.XYs, n int) plotter.XYs {
	if len(pts) <= n {
		return pts
	}
	out := make(plotter.XYs, 0, n)
	for i := range n {
		out = append(out, pts[i*(len(pts)-1)/(n-1)])
	}
	return out
}

// epochAxis returns the x value of every record: its Epoch number when those
// increase strictly through the file, else its 1-based position (a run with
// a Hebbian phase and a readout phase may restart the count).
func epochAxis(eps []runfiles.Epoch) []float64 {
	xs := make([]float64, len(eps))
	increasing := true
	for i, e := range eps {
		xs[i] = float64(e.Epoch)
		if i > 0 && e.Epoch <= eps[i-1].Epoch {
			increasing = false
		}
	}
	if !increasing {
		for i := range xs {
			xs[i] = float64(i + 1)
		}
	}
	return xs
}

// glyphAssignment numbers the distinct labels within each colour: 0 for the
// first label of a colour (no glyph), 1, 2, … for the next ones.
func glyphAssignment(curves []Curve) map[string]int {
	out := map[string]int{}
	perColor := map[color.RGBA]int{}
	for _, c := range curves {
		if _, ok := out[c.Label]; ok {
			continue
		}
		col := RuleColor(c.Rule)
		out[c.Label] = perColor[col]
		perColor[col]++
	}
	return out
}

// integerTicks keeps only the integral ticks of readableTicks, for axes
// that count (epochs, layers).
type integerTicks struct{}

// Ticks implements plot.Ticker.
func (integerTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (readableTicks{}).Ticks(min, max) {
		if t.Value == math.Trunc(t.Value) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		out = append(out, plot.Tick{Value: math.Round((min + max) / 2)})
		out[0].Label = shortNumber(out[0].Value)
	}
	return out
}
