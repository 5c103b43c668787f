package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"ghlsim/internal/runfiles"
)

// LatestBench keeps the last record of every (config, impl) pair, in order
// of first appearance: bench.jsonl is appended to, so a rerun supersedes
// the earlier measurement.
func LatestBench(records []runfiles.Bench) []runfiles.Bench {
	idx := map[[2]string]int{}
	var out []runfiles.Bench
	for _, b := range records {
		k := [2]string{b.Config, b.Impl}
		if i, ok := idx[k]; ok {
			out[i] = b
			continue
		}
		idx[k] = len(out)
		out = append(out, b)
	}
	return out
}

// Throughput draws horizontal bars of training throughput (images/s): one
// group per benchmark configuration (named on the y axis, first at the
// top), one bar per implementation, coloured by implementation in order of
// first appearance. Whiskers span the throughput at the slowest and the
// fastest timed step. Repeated (config, impl) records count once, the last
// one (LatestBench). It returns ErrNoData when no record has a positive
// throughput.
func Throughput(records []runfiles.Bench, st Style) ([]byte, error) {
	st = st.orDefault()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	var recs []runfiles.Bench
	for _, b := range LatestBench(records) {
		if finite(b.ImagesPerS) && b.ImagesPerS > 0 {
			recs = append(recs, b)
		}
	}
	if len(recs) == 0 {
		return nil, ErrNoData
	}
	var configs, impls []string
	cfgIdx, implIdx := map[string]int{}, map[string]int{}
	for _, b := range recs {
		if _, ok := cfgIdx[b.Config]; !ok {
			cfgIdx[b.Config] = len(configs)
			configs = append(configs, b.Config)
		}
		if _, ok := implIdx[b.Impl]; !ok {
			implIdx[b.Impl] = len(impls)
			impls = append(impls, b.Impl)
		}
	}
	colors := seriesColors(impls)
	n := len(configs)
	const groupW = 0.8
	slot := groupW / float64(len(impls))
	// pos maps (config, impl) to a y position: first config on top, first
	// impl on top within its group.
	pos := func(ci, ii int) float64 {
		return float64(n-1-ci) + groupW/2 - slot*(float64(ii)+0.5)
	}

	p := newPlot(st, "throughput (images/s)", "")
	p.Add(verticalGrid())
	leg := newLegendStrip(st)
	series := make([]*barSeries, len(impls))
	for i, im := range impls {
		series[i] = &barSeries{Color: colors[im], Horizontal: true}
	}
	top := 0.0
	var whiskers plotter.XYs
	var errs plotter.XErrors
	for _, b := range recs {
		ci, ii := cfgIdx[b.Config], implIdx[b.Impl]
		y := pos(ci, ii)
		series[ii].Bars = append(series[ii].Bars, barSpec{Pos: y, Width: slot * 0.85, Value: b.ImagesPerS})
		top = math.Max(top, b.ImagesPerS)
		if b.MedianS > 0 && b.MinS > 0 && b.MaxS >= b.MinS {
			batch := b.ImagesPerS * b.MedianS
			lo, hi := batch/b.MaxS, batch/b.MinS
			whiskers = append(whiskers, plotter.XY{X: b.ImagesPerS, Y: y})
			errs = append(errs, struct{ Low, High float64 }{math.Max(0, b.ImagesPerS-lo), math.Max(0, hi-b.ImagesPerS)})
			top = math.Max(top, hi)
		}
	}
	for i, s := range series {
		p.Add(s)
		leg.add(impls[i], s)
	}
	if len(whiskers) > 0 {
		p.Add(&plotter.XErrorBars{XYs: whiskers, XErrors: errs, LineStyle: lineStyle(color.Black, 0.7), CapWidth: 3})
	}
	ticks := make(plot.ConstantTicks, n)
	for i, c := range configs {
		ticks[i] = plot.Tick{Value: float64(n - 1 - i), Label: c}
	}
	p.Y.Tick.Marker = ticks
	p.Y.Tick.Length = 0
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	p.X.Min, p.X.Max = 0, top*1.06

	lh := leg.height(st.Width)
	h := vg.Length(len(recs))*11 + 4*vg.Length(n) + 36
	if h < st.Height*0.8 {
		h = st.Height * 0.8
	}
	return renderSVG(st.Width, h+lh, func(dc draw.Canvas) {
		area := leg.draw(dc)
		p.Draw(draw.Crop(area, 3, -8, 0, 0))
	})
}
