package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"ghlsim/internal/runfiles"
)

// GroupedBars draws t laid out like the paper's table: one group of bars per
// row (row names along the x axis), one bar per column in the colour of its
// rule, height = mean over seeds, error bar = ± one sample standard
// deviation. Where a cell has the paper's number it is drawn as a diamond
// just right of our bar. Figures with more than 24 bars are drawn at double
// width. It returns ErrNoData when no cell has a finished seed or a paper
// number.
func GroupedBars(t runfiles.Table, st Style) ([]byte, error) {
	st = st.orDefault()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	rows := t.Rows
	cols := tableColumns(rows)
	if len(rows) == 0 || len(cols) == 0 {
		return nil, ErrNoData
	}
	hasPaper := false
	for _, r := range rows {
		for _, c := range r.Cells {
			if c.Paper != nil && finite(*c.Paper) {
				hasPaper = true
			}
		}
	}
	const groupW = 0.8
	slot := groupW / float64(len(cols))
	barW := slot * 0.85
	if hasPaper {
		barW = slot * 0.62
	}
	p := newPlot(st, "", metricLabel(t))
	p.Add(horizontalGrid())
	leg := newLegendStrip(st)
	var paperPts plotter.XYs
	vmax := 0.0
	nbars := 0
	colours := columnColors(rows, cols)
	for j, col := range cols {
		series := &barSeries{}
		var tops plotter.XYs
		var errs plotter.YErrors
		for i, r := range rows {
			c, ok := findCell(r, col)
			if !ok {
				continue
			}
			series.Color = colours[col]
			left := float64(i) - groupW/2 + slot*float64(j) + (slot-barW)/2
			if hasPaper {
				left = float64(i) - groupW/2 + slot*float64(j) + slot*0.04
			}
			centre := left + barW/2
			if c.N > 0 && finite(c.Mean) {
				series.Bars = append(series.Bars, barSpec{Pos: centre, Width: barW, Value: c.Mean})
				s := c.Std
				if !finite(s) {
					s = 0
				}
				tops = append(tops, plotter.XY{X: centre, Y: c.Mean})
				errs = append(errs, struct{ Low, High float64 }{s, s})
				vmax = math.Max(vmax, c.Mean+s)
			}
			if c.Paper != nil && finite(*c.Paper) {
				paperPts = append(paperPts, plotter.XY{X: left + barW + slot*0.16, Y: *c.Paper})
				vmax = math.Max(vmax, *c.Paper)
			}
		}
		if len(series.Bars) == 0 {
			continue
		}
		nbars += len(series.Bars)
		p.Add(series, &plotter.YErrorBars{XYs: tops, YErrors: errs, LineStyle: lineStyle(color.Black, 0.7), CapWidth: 3})
		leg.add(col, series)
	}
	if len(paperPts) > 0 {
		p.Add(&plotter.Scatter{XYs: paperPts, GlyphStyle: paperGlyph()})
		leg.add("paper", glyphThumb{paperGlyph()})
	}
	if nbars == 0 && len(paperPts) == 0 {
		return nil, ErrNoData
	}
	ticks := make(plot.ConstantTicks, len(rows))
	for i, r := range rows {
		ticks[i] = plot.Tick{Value: float64(i), Label: r.Name}
	}
	p.X.Tick.Marker = ticks
	p.X.Tick.Length = 0
	longest := 0
	for _, r := range rows {
		longest = max(longest, len([]rune(r.Name)))
	}
	if len(rows) > 4 || len(rows) > 1 && longest > 12 {
		// Many or long settings: slant the labels so they do not run into each other.
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
	}
	p.X.Min, p.X.Max = -0.5, float64(len(rows))-0.5
	p.Y.Min = 0
	if vmax > 0 {
		p.Y.Max = vmax * 1.06
	}
	w := st.Width
	if nbars > 24 {
		w *= 2
	}
	lh := leg.height(w)
	return renderSVG(w, st.Height+lh, func(dc draw.Canvas) {
		area := leg.draw(dc)
		p.Draw(draw.Crop(area, 3, -4, 0, 0))
	})
}
