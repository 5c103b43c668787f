package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	svg "github.com/ajstarks/svgo"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// unitsPerPt is the number of SVG user units per point in figures drawn
// with svgo: svgo takes integer coordinates, so a tenth of a point keeps
// positions exact enough for print.
const unitsPerPt = 10

// svgDoc is an svgo document sized in points (width and height attributes
// in pt), whose drawing helpers take coordinates in points with the origin
// at the top left.
type svgDoc struct {
	buf  bytes.Buffer
	svg  *svg.SVG
	w, h float64 // points
	font float64 // base font size, points
}

// newSVGDoc starts a w × h pt document on a white background with the
// report's font stack.
func newSVGDoc(w, h float64, st Style) *svgDoc {
	d := &svgDoc{w: math.Ceil(w), h: math.Ceil(h), font: float64(st.FontSize)}
	d.svg = svg.New(&d.buf)
	d.svg.StartviewUnit(int(d.w), int(d.h), "pt", 0, 0, u(d.w), u(d.h))
	d.svg.Rect(0, 0, u(d.w), u(d.h), "fill:#ffffff")
	d.svg.Gstyle(fmt.Sprintf("font-family:%s;font-size:%dpx;fill:#000000", cssFontFamily, u(d.font)))
	return d
}

// u converts points to user units.
func u(pt float64) int { return int(math.Round(pt * unitsPerPt)) }

// rect fills a rectangle given in points.
func (d *svgDoc) rect(x, y, w, h float64, fill color.Color, attrs ...string) {
	d.svg.Rect(u(x), u(y), u(x+w)-u(x), u(y+h)-u(y), append([]string{`fill="` + hexColor(fill) + `"`}, attrs...)...)
}

// line strokes a line given in points.
func (d *svgDoc) line(x1, y1, x2, y2, width float64, stroke color.Color) {
	d.svg.Line(u(x1), u(y1), u(x2), u(y2), fmt.Sprintf("stroke:%s;stroke-width:%d", hexColor(stroke), u(width)))
}

// text writes s with its baseline at (x, y) points. anchor is "start",
// "middle" or "end"; size is in points (0 means the base font size).
func (d *svgDoc) text(x, y float64, s, anchor string, size float64, extra ...string) {
	if size == 0 {
		size = d.font
	}
	style := fmt.Sprintf("text-anchor:%s", anchor)
	if size != d.font {
		style += fmt.Sprintf(";font-size:%dpx", u(size))
	}
	d.svg.Text(u(x), u(y), s, append([]string{style}, extra...)...)
}

// vtext writes s rotated a quarter turn counter-clockwise, centred on (x, y).
func (d *svgDoc) vtext(x, y float64, s string, size float64) {
	d.text(x, y, s, "middle", size, fmt.Sprintf(`transform="rotate(-90 %d %d)"`, u(x), u(y)))
}

// group opens a <g> with the given attributes; end closes it.
func (d *svgDoc) group(attrs string) { d.svg.Group(attrs) }
func (d *svgDoc) end()               { d.svg.Gend() }

// bytes closes the document and returns it.
func (d *svgDoc) bytes() []byte {
	d.svg.Gend()
	d.svg.End()
	return d.buf.Bytes()
}

// textWidth is the advance width of s in points at the given size, measured
// with the Liberation Sans metrics the SVG asks for.
func textWidth(s string, size float64) float64 {
	face := font.DefaultCache.Lookup(textFont, vg.Length(size))
	return face.Width(s).Points()
}

// niceTicks returns the ticks readableTicks puts on an axis from lo to hi
// (4 to 7, labels of at most maxTickLabel characters); a single tick at lo
// when the range is empty.
func niceTicks(lo, hi float64) []plot.Tick {
	return readableTicks{}.Ticks(lo, hi)
}
