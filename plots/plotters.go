package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// barSeries draws bars of one colour whose positions and widths are in data
// units, which makes grouped layouts exact (gonum's BarChart sizes bars in
// points). It implements plot.Plotter, plot.DataRanger and plot.Thumbnailer.
type barSeries struct {
	Color      color.Color
	Horizontal bool // bars grow along x; Pos is then a y position
	Bars       []barSpec
}

// barSpec is one bar: centre position and width on the category axis, and
// its value (the bar runs from 0 to Value).
type barSpec struct {
	Pos, Width, Value float64
}

// Plot implements plot.Plotter.
func (b *barSeries) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, s := range b.Bars {
		lo, hi := s.Pos-s.Width/2, s.Pos+s.Width/2
		var pts []vg.Point
		if b.Horizontal {
			x0, x1, y0, y1 := trX(0), trX(s.Value), trY(lo), trY(hi)
			pts = []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}}
			pts = c.ClipPolygonX(pts)
		} else {
			x0, x1, y0, y1 := trX(lo), trX(hi), trY(0), trY(s.Value)
			pts = []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}}
			pts = c.ClipPolygonY(pts)
		}
		c.FillPolygon(b.Color, pts)
	}
}

// DataRange implements plot.DataRanger; it always includes 0.
func (b *barSeries) DataRange() (xmin, xmax, ymin, ymax float64) {
	cmin, cmax := math.Inf(1), math.Inf(-1)
	vmin, vmax := 0.0, 0.0
	for _, s := range b.Bars {
		cmin = math.Min(cmin, s.Pos-s.Width/2)
		cmax = math.Max(cmax, s.Pos+s.Width/2)
		vmin = math.Min(vmin, s.Value)
		vmax = math.Max(vmax, s.Value)
	}
	if b.Horizontal {
		return vmin, vmax, cmin, cmax
	}
	return cmin, cmax, vmin, vmax
}

// Thumbnail implements plot.Thumbnailer: a filled square.
func (b *barSeries) Thumbnail(c *draw.Canvas) {
	h := c.Max.Y - c.Min.Y
	cx := (c.Min.X + c.Max.X) / 2
	r := vg.Rectangle{Min: vg.Point{X: cx - h/2, Y: c.Min.Y}, Max: vg.Point{X: cx + h/2, Y: c.Max.Y}}
	c.FillPolygon(b.Color, []vg.Point{r.Min, {X: r.Min.X, Y: r.Max.Y}, r.Max, {X: r.Max.X, Y: r.Min.Y}})
}

// diamondGlyph is the marker of the paper's numbers: a white diamond with a
// dark outline, visible on top of bars of any colour.
type diamondGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	pts := []vg.Point{{X: pt.X, Y: pt.Y + r}, {X: pt.X + r, Y: pt.Y}, {X: pt.X, Y: pt.Y - r}, {X: pt.X - r, Y: pt.Y}}
	c.FillPolygon(color.White, pts)
	c.StrokeLines(draw.LineStyle{Color: sty.Color, Width: 0.9}, append(pts, pts[0]))
}

// paperGlyph is the glyph style of the paper's numbers.
func paperGlyph() draw.GlyphStyle {
	return draw.GlyphStyle{Color: paperColor, Radius: 3, Shape: diamondGlyph{}}
}

// runGlyphs tells apart runs that share a colour (the same rule under
// different settings); the first run of each colour gets no glyph.
var runGlyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{},
	draw.PyramidGlyph{}, draw.RingGlyph{}, draw.PlusGlyph{}, draw.BoxGlyph{},
}

// glyphThumb draws one glyph in the middle of a legend thumbnail.
type glyphThumb struct{ sty draw.GlyphStyle }

// Thumbnail implements plot.Thumbnailer.
func (g glyphThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyphNoClip(g.sty, c.Center())
}

// lineThumb draws a horizontal line across a legend thumbnail.
type lineThumb struct{ sty draw.LineStyle }

// Thumbnail implements plot.Thumbnailer.
func (l lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.sty, c.Min.X, y, c.Max.X, y)
}
