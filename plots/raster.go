package plots

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"ghlsim/internal/runfiles"
)

// maxRasterColumns bounds the step axis of PolarityRaster; longer runs are
// binned.
const maxRasterColumns = 120

// PolarityRaster draws a layer × training-step heat map of the potentiated
// share (the fraction of a layer's synapses with Δw > 0) from telemetry
// records, layers top to bottom in order of first appearance. The colour
// scale diverges around 0.5 (as many synapses potentiated as depressed):
// blue below, white at 0.5, vermillion above, symmetric and just wide
// enough for the data; a colour bar on the right shows it. Runs with more
// than 120 distinct steps are binned into 120 equal step ranges (mean per
// bin). Cells are rects with class "cell", colour-bar segments have class
// "cbar". It returns ErrNoData when no record has a finite share.
func PolarityRaster(tel []runfiles.Telemetry, st Style) ([]byte, error) {
	st = st.orDefault()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	var layers []string
	layerIdx := map[string]int{}
	var steps []int
	for _, t := range tel {
		if !finite(t.Potentiated) {
			continue
		}
		if _, ok := layerIdx[t.Layer]; !ok {
			layerIdx[t.Layer] = len(layers)
			layers = append(layers, t.Layer)
		}
		steps = append(steps, t.Step)
	}
	if len(steps) == 0 {
		return nil, ErrNoData
	}
	sort.Ints(steps)
	distinct := steps[:1]
	for _, s := range steps[1:] {
		if s != distinct[len(distinct)-1] {
			distinct = append(distinct, s)
		}
	}
	stride := 1.0
	if len(distinct) > 1 {
		gaps := make([]int, len(distinct)-1)
		for i := range gaps {
			gaps[i] = distinct[i+1] - distinct[i]
		}
		sort.Ints(gaps)
		stride = float64(gaps[len(gaps)/2])
	}
	lo := float64(distinct[0]) - stride/2
	hi := float64(distinct[len(distinct)-1]) + stride/2
	nb := min(len(distinct), maxRasterColumns)
	sum := make([][]float64, len(layers))
	cnt := make([][]int, len(layers))
	for i := range layers {
		sum[i] = make([]float64, nb)
		cnt[i] = make([]int, nb)
	}
	for _, t := range tel {
		if !finite(t.Potentiated) {
			continue
		}
		b := int((float64(t.Step) - lo) / (hi - lo) * float64(nb))
		b = max(0, min(nb-1, b))
		l := layerIdx[t.Layer]
		sum[l][b] += t.Potentiated
		cnt[l][b]++
	}
	dev := 0.0
	for l := range sum {
		for b := range sum[l] {
			if cnt[l][b] > 0 {
				dev = math.Max(dev, math.Abs(sum[l][b]/float64(cnt[l][b])-0.5))
			}
		}
	}
	half := 0.5
	for _, h := range []float64{0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5} {
		if dev <= h {
			half = h
			break
		}
	}
	vmin, vmax := 0.5-half, 0.5+half

	fs := float64(st.FontSize)
	labelW := 0.0
	for _, l := range layers {
		labelW = math.Max(labelW, textWidth(l, fs))
	}
	left := 4 + fs*1.3 + labelW + 4
	right := 8 + 7 + 3 + textWidth("0.55", fs) + fs*1.5
	top := 6.0
	bottom := 3 + fs*1.3 + fs*1.5 + 2
	width := float64(st.Width)
	rh := math.Max(10, math.Min(22, (float64(st.Height)*0.75-top-bottom)/float64(len(layers))))
	plotW := width - left - right
	plotH := rh * float64(len(layers))
	height := top + plotH + bottom
	d := newSVGDoc(width, height, st)

	d.rect(left, top, plotW, plotH, color.RGBA{0xee, 0xee, 0xee, 0xff})
	cw := plotW / float64(nb)
	d.group(`shape-rendering="crispEdges"`)
	for l := range layers {
		for b := 0; b < nb; b++ {
			if cnt[l][b] == 0 {
				continue
			}
			v := sum[l][b] / float64(cnt[l][b])
			d.rect(left+float64(b)*cw, top+float64(l)*rh, cw+0.05, rh, diverging((v-vmin)/(vmax-vmin)), `class="cell"`)
		}
	}
	d.end()
	for l, name := range layers {
		d.text(left-4, top+(float64(l)+0.5)*rh+fs*0.35, name, "end", 0)
	}
	d.vtext(4+fs*0.8, top+plotH/2, "layer", fs+1)

	// step axis
	axisY := top + plotH
	d.line(left, axisY, left+plotW, axisY, 0.5, color.Black)
	for _, t := range niceTicks(float64(distinct[0]), float64(distinct[len(distinct)-1])) {
		x := left + (t.Value-lo)/(hi-lo)*plotW
		d.line(x, axisY, x, axisY+3, 0.5, color.Black)
		d.text(x, axisY+3+fs, t.Label, "middle", 0)
	}
	d.text(left+plotW/2, height-3, "training step", "middle", fs+1)

	// colour bar
	const segs = 50
	bx := left + plotW + 8
	d.group(`shape-rendering="crispEdges"`)
	for i := 0; i < segs; i++ {
		f := (float64(i) + 0.5) / segs
		d.rect(bx, top+plotH*(1-float64(i+1)/segs), 7, plotH/segs+0.05, diverging(f), `class="cbar"`)
	}
	d.end()
	for _, v := range []float64{vmin, 0.5, vmax} {
		y := top + plotH*(1-(v-vmin)/(vmax-vmin))
		d.line(bx+7, y, bx+9, y, 0.5, color.Black)
		d.text(bx+10, y+fs*0.35, fmt.Sprintf("%.2g", v), "start", 0)
	}
	d.vtext(width-fs*0.5, top+plotH/2, "potentiated share", fs+1)
	return d.bytes(), nil
}

// diverging maps f in [0, 1] to blue (0) – near-white (0.5) – vermillion (1),
// the Okabe–Ito blue and vermillion.
func diverging(f float64) color.RGBA {
	f = math.Max(0, math.Min(1, f))
	lowC := OkabeIto[5]
	midC := color.RGBA{0xf7, 0xf7, 0xf7, 0xff}
	highC := OkabeIto[6]
	if f < 0.5 {
		return mix(lowC, midC, f/0.5)
	}
	return mix(midC, highC, (f-0.5)/0.5)
}

// mix interpolates linearly between a (t=0) and b (t=1).
func mix(a, b color.RGBA, t float64) color.RGBA {
	m := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*t)) }
	return color.RGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), 0xff}
}
