package plots

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// ErrNoData is returned by a figure function given nothing it can draw
// (no runs, no measured values). Report skips such figures silently.
var ErrNoData = errors.New("plots: nothing to draw")

// newPlot returns a gonum plot in the style's fonts, with thin axes, short
// ticks labelled by readableTicks and the given axis labels.
func newPlot(st Style, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	small := font.From(textFont, st.FontSize)
	large := font.From(textFont, st.FontSize+1)
	p.Title.TextStyle.Font = large
	p.Legend.TextStyle.Font = small
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = large
		a.Tick.Label.Font = small
		a.Tick.Length = 3
		a.Tick.Marker = readableTicks{}
		a.Padding = 3
		a.Label.Padding = 2
	}
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	return p
}

// textStyle returns a plain text style at size points, left-aligned and
// vertically centred.
func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(textFont, size),
		XAlign:  draw.XLeft,
		YAlign:  draw.YCenter,
		Handler: plot.DefaultTextHandler,
	}
}

// horizontalGrid returns light horizontal reference lines at the y ticks.
func horizontalGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Width = 0
	g.Horizontal.Color = gridColor
	g.Horizontal.Width = 0.4
	return g
}

// verticalGrid returns light vertical reference lines at the x ticks.
func verticalGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Horizontal.Width = 0
	g.Vertical.Color = gridColor
	g.Vertical.Width = 0.4
	return g
}

// renderSVG draws paint on a white w × h canvas and returns the SVG
// document. A panic inside gonum/plot (e.g. on a degenerate axis) becomes
// an error.
func renderSVG(w, h vg.Length, paint func(c draw.Canvas)) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("plots: drawing failed: %v", r)
		}
	}()
	cv := vgsvg.New(w, h)
	dc := draw.New(cv)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	paint(dc)
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: encode SVG: %w", err)
	}
	return fixFonts(buf.Bytes()), nil
}

// fixFonts replaces the bare family name gonum writes with a font stack of
// metric-compatible fallbacks, so the SVG renders alike where Liberation
// Sans is not installed.
func fixFonts(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"), []byte("font-family:"+cssFontFamily+";"))
}

// finite reports whether v is a real number.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// lineStyle returns a data line of the given colour, width and dash pattern.
func lineStyle(c color.Color, w vg.Length, dashes ...vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: w, Dashes: dashes}
}
