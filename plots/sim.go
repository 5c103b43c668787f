package plots

import (
	"image/color"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"ghlsim/internal/runfiles"
)

// maxTracePoints bounds the points of one drawn trace: longer recordings
// are reduced to their minimum and maximum per time bin, which keeps every
// spike and jump visible at a fraction of the SVG size.
const maxTracePoints = 1200

// RasterOptions controls SpikeRaster.
type RasterOptions struct {
	// Inhibitory, when positive, is the first inhibitory neuron: neurons
	// from it on are drawn in blue and listed as "inhibitory".
	Inhibitory int
	// Highlight draws these neurons' spikes larger, in vermillion, with
	// their names in the legend (e.g. 0 → "n1").
	Highlight map[int]string
}

// SpikeRaster draws a spike raster from a spike-monitor recording: one dot
// per spike, time (s) across, neuron index up; excitatory neurons black,
// inhibitory blue (RasterOptions.Inhibitory), highlighted neurons larger
// and vermillion, with a legend strip above. It returns ErrNoData when
// there is no spike.
func SpikeRaster(sp Spikes, opt RasterOptions, st Style) ([]byte, error) {
	st = st.orDefault()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	if len(sp.TimeMS) == 0 || len(sp.Index) != len(sp.TimeMS) {
		return nil, ErrNoData
	}
	p := simPlot(st, "time (s)", "neuron")
	var exc, inh plotter.XYs
	hl := map[int]plotter.XYs{}
	maxIdx := 0
	for q, i := range sp.Index {
		pt := plotter.XY{X: sp.TimeMS[q] / 1000, Y: float64(i)}
		maxIdx = max(maxIdx, i)
		switch _, h := opt.Highlight[i]; {
		case h:
			hl[i] = append(hl[i], pt)
		case opt.Inhibitory > 0 && i >= opt.Inhibitory:
			inh = append(inh, pt)
		default:
			exc = append(exc, pt)
		}
	}
	leg := newLegendStrip(st)
	dot := func(c color.Color, r vg.Length) draw.GlyphStyle {
		return draw.GlyphStyle{Color: c, Radius: r, Shape: draw.CircleGlyph{}}
	}
	add := func(pts plotter.XYs, gs draw.GlyphStyle, label string) {
		if len(pts) == 0 {
			return
		}
		p.Add(&plotter.Scatter{XYs: pts, GlyphStyle: gs})
		big := gs
		big.Radius = 2
		leg.add(label, glyphThumb{big})
	}
	excLabel := "excitatory"
	if opt.Inhibitory <= 0 {
		excLabel = "spike"
	}
	add(exc, dot(color.Gray{0x22}, 0.55), excLabel)
	add(inh, dot(OkabeIto[5], 0.55), "inhibitory")
	ids := make([]int, 0, len(opt.Highlight))
	for i := range opt.Highlight {
		ids = append(ids, i)
	}
	sort.Ints(ids)
	hlColors := []color.RGBA{OkabeIto[6], OkabeIto[1], OkabeIto[7], OkabeIto[3]}
	for k, i := range ids {
		add(hl[i], dot(hlColors[k%len(hlColors)], 1.6), opt.Highlight[i])
	}
	p.Y.Min, p.Y.Max = 0, float64(max(maxIdx, opt.Inhibitory)+1)
	p.Y.Tick.Marker = integerTicks{}
	return renderSVG(st.Width, st.Height*1.2+leg.height(st.Width), func(dc draw.Canvas) {
		p.Draw(padRight(leg.draw(dc)))
	})
}

// TraceSeries is one recorded variable over time.
type TraceSeries struct {
	Label  string
	TimeMS []float64
	Values []float64
}

// TracePanel is one panel of StateTraces: its series share the y axis.
type TracePanel struct {
	YLabel string
	Series []TraceSeries
}

// TraceEvent marks moments on every panel of StateTraces with vertical
// lines (e.g. dopamine releases).
type TraceEvent struct {
	Label  string
	TimesS []float64
	Color  color.RGBA
	Dashes []vg.Length
}

// StateTraces draws stacked panels sharing the time axis (s), one per
// TracePanel; the series of a panel with several get their own colours and
// legend entries (a single series is dark grey, named by the y label);
// events are vertical lines across every panel. Traces longer than 1200
// points are reduced to their per-bin minimum and maximum. It returns
// ErrNoData when no series has a finite value.
func StateTraces(panels []TracePanel, events []TraceEvent, st Style) ([]byte, error) {
	st = st.orDefault()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	leg := newLegendStrip(st)
	var plots []*plot.Plot
	lo, hi := math.Inf(1), math.Inf(-1)
	k := 0
	for _, pn := range panels {
		p := simPlot(st, "", pn.YLabel)
		p.Add(horizontalGrid())
		n := 0
		for _, s := range pn.Series {
			pts := envelope(s.TimeMS, s.Values, maxTracePoints)
			if len(pts) == 0 {
				continue
			}
			c := color.RGBA{0x33, 0x33, 0x33, 0xff}
			if len(pn.Series) > 1 {
				c = traceColor(k)
				k++
				leg.add(s.Label, lineThumb{lineStyle(c, st.LineWidth)})
			}
			p.Add(&plotter.Line{XYs: pts, LineStyle: lineStyle(c, st.LineWidth*0.75)})
			lo, hi = math.Min(lo, pts[0].X), math.Max(hi, pts[len(pts)-1].X)
			n++
		}
		if n > 0 {
			plots = append(plots, p)
		}
	}
	if len(plots) == 0 {
		return nil, ErrNoData
	}
	for _, ev := range events {
		var inside []float64
		for _, t := range ev.TimesS {
			if t >= lo && t <= hi {
				inside = append(inside, t)
			}
		}
		if len(inside) == 0 {
			continue
		}
		ls := lineStyle(ev.Color, 0.8, ev.Dashes...)
		for _, p := range plots {
			p.Add(&vLines{X: inside, Style: ls})
		}
		leg.add(ev.Label, lineThumb{ls})
	}
	for i, p := range plots {
		p.X.Min, p.X.Max = lo, hi
		if i == len(plots)-1 {
			p.X.Label.Text = "time (s)"
		} else {
			p.X.Tick.Marker = blankTicks{}
		}
	}
	panelH := st.Height * 0.55
	return renderSVG(st.Width, panelH*vg.Length(len(plots))+st.FontSize*2+leg.height(st.Width), func(dc draw.Canvas) {
		area := leg.draw(dc)
		tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadY: 4, PadLeft: 3, PadRight: 9, PadBottom: 1}
		col := make([][]*plot.Plot, len(plots))
		for i, p := range plots {
			col[i] = []*plot.Plot{p}
		}
		cs := plot.Align(col, tiles, area)
		for i, p := range plots {
			p.Draw(cs[i][0])
		}
	})
}

// WeightSeries is one distal-reward run's chunk records (sim.jsonl).
type WeightSeries struct {
	Label   string
	Records []runfiles.SimChunk
}

// WeightTrajectories draws the rewarded synapse's weight (solid) against
// the 99th percentile (dashed) and the mean (dotted) of all excitatory
// weights over simulated time, one colour per run, from sim.jsonl records;
// the time axis is in minutes when the longest run passes 5 minutes, else
// in seconds. It returns ErrNoData when no run has a record.
func WeightTrajectories(series []WeightSeries, st Style) ([]byte, error) {
	st = st.orDefault()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	tmax := 0.0
	for _, s := range series {
		for _, r := range s.Records {
			tmax = math.Max(tmax, r.TimeS)
		}
	}
	unit, scale := "s", 1.0
	if tmax > 300 {
		unit, scale = "min", 1.0/60
	}
	p := simPlot(st, "simulated time ("+unit+")", "weight (mV)")
	p.Add(horizontalGrid())
	leg := newLegendStrip(st)
	kinds := []struct {
		name   string
		get    func(runfiles.SimChunk) float64
		dashes []vg.Length
	}{
		{"rewarded synapse", func(r runfiles.SimChunk) float64 { return r.RewardedWeightMV }, nil},
		{"99th percentile", func(r runfiles.SimChunk) float64 { return r.P99ExcWeightMV }, []vg.Length{4, 2}},
		{"mean", func(r runfiles.SimChunk) float64 { return r.MeanExcWeightMV }, []vg.Length{1, 1.5}},
	}
	drawn := 0
	for i, s := range series {
		c := traceColor(i)
		n := 0
		for _, k := range kinds {
			var pts plotter.XYs
			for _, r := range s.Records {
				if v := k.get(r); finite(v) {
					pts = append(pts, plotter.XY{X: r.TimeS * scale, Y: v})
				}
			}
			if len(pts) == 0 {
				continue
			}
			w := st.LineWidth
			if k.dashes != nil {
				w *= 0.8
			}
			p.Add(&plotter.Line{XYs: pts, LineStyle: lineStyle(c, w, k.dashes...)})
			if len(pts) == 1 {
				p.Add(&plotter.Scatter{XYs: pts, GlyphStyle: draw.GlyphStyle{Color: c, Radius: 2, Shape: draw.CircleGlyph{}}})
			}
			n++
		}
		if n > 0 {
			drawn++
			if len(series) > 1 {
				leg.add(s.Label, lineThumb{lineStyle(c, st.LineWidth)})
			}
		}
	}
	if drawn == 0 {
		return nil, ErrNoData
	}
	for _, k := range kinds {
		leg.add(k.name, lineThumb{lineStyle(color.Gray{0x55}, st.LineWidth, k.dashes...)})
	}
	p.Y.Min = 0
	return renderSVG(st.Width, st.Height+leg.height(st.Width), func(dc draw.Canvas) {
		p.Draw(padRight(leg.draw(dc)))
	})
}

// ModulatorTrace draws a neuromodulator's concentration over time (s)
// from a state-monitor recording of its variable d (µM), with the release
// times marked by triangles on the curve. It returns ErrNoData when the
// recording is empty.
func ModulatorTrace(rec StateRecording, releasesS []float64, st Style) ([]byte, error) {
	st = st.orDefault()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	if len(rec.Values) == 0 {
		return nil, ErrNoData
	}
	pts := envelope(rec.TimeMS, rec.Values[0], maxTracePoints)
	if len(pts) == 0 {
		return nil, ErrNoData
	}
	p := simPlot(st, "time (s)", "concentration (µM)")
	p.Add(horizontalGrid())
	c := OkabeIto[3]
	p.Add(&plotter.Line{XYs: pts, LineStyle: lineStyle(c, st.LineWidth)})
	leg := newLegendStrip(st)
	name := rec.Var
	if name == "d" {
		name = "dopamine"
	}
	leg.add(name, lineThumb{lineStyle(c, st.LineWidth)})
	var marks plotter.XYs
	for _, t := range releasesS {
		if r := sort.SearchFloat64s(rec.TimeMS, t*1000); r < len(rec.TimeMS) && math.Abs(rec.TimeMS[r]-t*1000) < 1e-6*math.Max(1, t*1000) {
			marks = append(marks, plotter.XY{X: t, Y: rec.Values[0][r]})
		}
	}
	if len(marks) > 0 {
		gs := draw.GlyphStyle{Color: OkabeIto[6], Radius: 2.5, Shape: draw.PyramidGlyph{}}
		p.Add(&plotter.Scatter{XYs: marks, GlyphStyle: gs})
		leg.add("release", glyphThumb{gs})
	}
	p.Y.Min = 0
	p.X.Min, p.X.Max = pts[0].X, pts[len(pts)-1].X
	return renderSVG(st.Width, st.Height+leg.height(st.Width), func(dc draw.Canvas) {
		p.Draw(padRight(leg.draw(dc)))
	})
}

// envelope turns a recording (times in ms) into points in seconds, at most
// maxPts of them: when longer, each of maxPts/2 equal time bins keeps its
// minimum and maximum, in time order. Non-finite values are dropped.
func envelope(tms, vs []float64, maxPts int) plotter.XYs {
	n := min(len(tms), len(vs))
	var out plotter.XYs
	if n <= maxPts {
		for i := 0; i < n; i++ {
			if finite(vs[i]) && finite(tms[i]) {
				out = append(out, plotter.XY{X: tms[i] / 1000, Y: vs[i]})
			}
		}
		return out
	}
	bins := maxPts / 2
	per := float64(n) / float64(bins)
	for b := 0; b < bins; b++ {
		lo, hi := int(float64(b)*per), min(n, int(float64(b+1)*per))
		iMin, iMax := -1, -1
		for i := lo; i < hi; i++ {
			if !finite(vs[i]) || !finite(tms[i]) {
				continue
			}
			if iMin < 0 || vs[i] < vs[iMin] {
				iMin = i
			}
			if iMax < 0 || vs[i] > vs[iMax] {
				iMax = i
			}
		}
		if iMin < 0 {
			continue
		}
		a, c := min(iMin, iMax), max(iMin, iMax)
		out = append(out, plotter.XY{X: tms[a] / 1000, Y: vs[a]})
		if c != a {
			out = append(out, plotter.XY{X: tms[c] / 1000, Y: vs[c]})
		}
	}
	return out
}

// traceColor is the i-th series colour of the simulation figures
// (Okabe–Ito; blue and vermillion are left to event markers).
func traceColor(i int) color.RGBA {
	order := []int{3, 1, 7, 0, 2}
	return OkabeIto[order[i%len(order)]]
}

// vLines draws full-height vertical lines at the X values.
type vLines struct {
	X     []float64
	Style draw.LineStyle
}

// Plot implements plot.Plotter.
func (v *vLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, x := range v.X {
		xp := trX(x)
		c.StrokeLine2(v.Style, xp, c.Min.Y, xp, c.Max.Y)
	}
}

// blankTicks keeps an axis's tick positions out of sight (panels stacked
// above the one that carries the shared time axis).
type blankTicks struct{}

// Ticks implements plot.Ticker.
func (blankTicks) Ticks(min, max float64) []plot.Tick { return nil }

// padRight leaves room at the right edge for the last tick label, which
// gonum centres on the end of the axis.
func padRight(c draw.Canvas) draw.Canvas { return draw.Crop(c, 0, -9, 0, 0) }

// fineTicks is gonum's default ticker with labels just precise enough to
// tell neighbouring ticks apart (gonum prints 3.990, 3.995 and 4.000 on a
// narrow axis all as "4").
type fineTicks struct{}

// Ticks implements plot.Ticker.
func (fineTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	var major []float64
	for _, t := range ts {
		if t.Label != "" {
			major = append(major, t.Value)
		}
	}
	if len(major) < 2 {
		return ts
	}
	step := math.Abs(major[1] - major[0])
	dec := 0
	for dec < 12 {
		x := step * math.Pow(10, float64(dec))
		if math.Abs(x-math.Round(x)) < 1e-6*math.Max(1, x) {
			break
		}
		dec++
	}
	for i := range ts {
		if ts[i].Label == "" {
			continue
		}
		v := ts[i].Value
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ts[i].Label = strconv.FormatFloat(v, 'f', dec, 64)
	}
	return ts
}

// simPlot is newPlot with fineTicks on both axes.
func simPlot(st Style, xlabel, ylabel string) *plot.Plot {
	p := newPlot(st, xlabel, ylabel)
	p.X.Tick.Marker = fineTicks{}
	p.Y.Tick.Marker = fineTicks{}
	return p
}
