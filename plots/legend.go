package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendStrip is a legend laid out in rows above the plot area, so it never
// hides data at single-column width (gonum's own legend sits inside the
// axes).
type legendStrip struct {
	style   text.Style
	thumbW  vg.Length
	entries []legendItem
}

// legendItem is one legend entry: a label and the thumbnails drawn on top
// of one another before it.
type legendItem struct {
	label  string
	thumbs []plot.Thumbnailer
}

func newLegendStrip(st Style) *legendStrip {
	ts := textStyle(st.FontSize)
	ts.Color = legendTextColor
	return &legendStrip{style: ts, thumbW: 16}
}

// legendTextColor is the colour of legend labels: near-black, and distinct
// from the pure black of tick and axis labels so a reader of the SVG (and
// TestReportFiguresInChromium) can count the legend's entries.
var legendTextColor = color.RGBA{0x1a, 0x1a, 0x1a, 0xff}

// add appends an entry; a label already present is not repeated.
func (l *legendStrip) add(label string, thumbs ...plot.Thumbnailer) {
	for _, e := range l.entries {
		if e.label == label {
			return
		}
	}
	l.entries = append(l.entries, legendItem{label: label, thumbs: thumbs})
}

// gaps between thumbnail and text, and between entries.
const (
	legendTextGap  vg.Length = 3
	legendEntryGap vg.Length = 9
)

func (l *legendStrip) entryWidth(e legendItem) vg.Length {
	return l.thumbW + legendTextGap + l.style.Width(e.label)
}

func (l *legendStrip) rowHeight() vg.Length {
	return l.style.Font.Size * 1.35
}

// rows packs the entries greedily into rows no wider than width.
func (l *legendStrip) rows(width vg.Length) [][]legendItem {
	var rows [][]legendItem
	var cur []legendItem
	var used vg.Length
	for _, e := range l.entries {
		w := l.entryWidth(e)
		if len(cur) > 0 && used+legendEntryGap+w > width {
			rows = append(rows, cur)
			cur, used = nil, 0
		}
		if len(cur) > 0 {
			used += legendEntryGap
		}
		cur = append(cur, e)
		used += w
	}
	if len(cur) > 0 {
		rows = append(rows, cur)
	}
	return rows
}

// legendMargin is the horizontal margin left on each side of the legend.
const legendMargin vg.Length = 4

// height is the vertical space the legend needs on a canvas of the given
// width, including a small margin below it; zero for an empty legend.
func (l *legendStrip) height(canvasWidth vg.Length) vg.Length {
	n := len(l.rows(canvasWidth - 2*legendMargin))
	if n == 0 {
		return 0
	}
	return vg.Length(n)*l.rowHeight() + 4
}

// draw paints the legend along the top of c, centred, and returns the part
// of c below it.
func (l *legendStrip) draw(c draw.Canvas) draw.Canvas {
	rows := l.rows(c.Max.X - c.Min.X - 2*legendMargin)
	if len(rows) == 0 {
		return c
	}
	rh := l.rowHeight()
	y := c.Max.Y - 2
	for _, row := range rows {
		var total vg.Length
		for i, e := range row {
			if i > 0 {
				total += legendEntryGap
			}
			total += l.entryWidth(e)
		}
		x := c.Min.X + (c.Max.X-c.Min.X-total)/2
		mid := y - rh/2
		for _, e := range row {
			icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: mid - rh*0.35},
				Max: vg.Point{X: x + l.thumbW, Y: mid + rh*0.35},
			}}
			for _, t := range e.thumbs {
				t.Thumbnail(&icon)
			}
			c.FillText(l.style, vg.Point{X: x + l.thumbW + legendTextGap, Y: mid}, e.label)
			x += l.entryWidth(e) + legendEntryGap
		}
		y -= rh
	}
	return draw.Crop(c, 0, 0, 0, -l.height(c.Max.X-c.Min.X))
}
