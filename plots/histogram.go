package plots

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"ghlsim/network"
)

// HistPanel is one small multiple of Histograms: the values of one tensor
// (or a quantity derived from it).
type HistPanel struct {
	Title  string      // e.g. "conv1 (96 neurons)"
	XLabel string      // quantity and unit, e.g. "L2 norm of w_k"
	Values []float64   // non-finite values are ignored
	Color  color.Color // bar colour; nil means Okabe–Ito blue
}

// Histograms draws one histogram per panel as small multiples, two panels
// per row (one when there is a single panel), each with its own value range
// and count axis. bins ≤ 0 chooses the number per panel by the Rice rule
// (2·n^⅓ for n values, between 5 and 40). Bars are rects with class "bar",
// each panel a group with class "panel". It returns ErrNoData when no panel
// has a finite value.
func Histograms(panels []HistPanel, bins int, st Style) ([]byte, error) {
	st = st.orDefault()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	var use []HistPanel
	for _, p := range panels {
		for _, v := range p.Values {
			if finite(v) {
				use = append(use, p)
				break
			}
		}
	}
	if len(use) == 0 {
		return nil, ErrNoData
	}
	cols := min(2, len(use))
	rows := (len(use) + cols - 1) / cols
	fs := float64(st.FontSize)
	width := float64(st.Width)
	const margin, gapX = 3.0, 10.0
	padL := fs*1.3 + textWidth("0000", fs) + 4 // count label + tick labels
	padT := fs * 1.5                           // title
	padB := 3 + fs*1.2 + fs*1.4                // tick labels + x label
	cellW := (width - 2*margin - float64(cols-1)*gapX) / float64(cols)
	plotW := cellW - padL - 2
	plotH := math.Max(40, float64(st.Height)*0.42)
	cellH := padT + plotH + padB
	height := 2*margin + float64(rows)*cellH + float64(rows-1)*6
	d := newSVGDoc(width, height, st)
	for i, p := range use {
		ox := margin + float64(i%cols)*(cellW+gapX)
		oy := margin + float64(i/cols)*(cellH+6)
		drawHistogram(d, p, bins, ox+padL, oy+padT, plotW, plotH, fs)
	}
	return d.bytes(), nil
}

// drawHistogram draws one panel with its plot area at (x, y) of size w × h.
func drawHistogram(d *svgDoc, p HistPanel, bins int, x, y, w, h, fs float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	n := 0
	for _, v := range p.Values {
		if finite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			n++
		}
	}
	if bins <= 0 {
		bins = int(math.Max(5, math.Min(40, math.Round(2*math.Cbrt(float64(n))))))
	}
	if hi == lo {
		pad := math.Max(math.Abs(lo)*0.1, 0.5)
		lo, hi = lo-pad, hi+pad
	}
	counts := make([]int, bins)
	for _, v := range p.Values {
		if finite(v) {
			b := int((v - lo) / (hi - lo) * float64(bins))
			counts[min(b, bins-1)]++
		}
	}
	top := 0
	for _, c := range counts {
		top = max(top, c)
	}
	clr := p.Color
	if clr == nil {
		clr = OkabeIto[5]
	}
	d.group(`class="panel"`)
	d.text(x+w/2, y-fs*0.5, p.Title, "middle", 0)
	bw := w / float64(bins)
	d.group(`shape-rendering="crispEdges"`)
	for b, c := range counts {
		if c == 0 {
			continue
		}
		bh := h * float64(c) / float64(top)
		d.rect(x+float64(b)*bw, y+h-bh, bw*0.92, bh, clr, `class="bar"`)
	}
	d.end()
	black := color.Black
	d.line(x, y+h, x+w, y+h, 0.5, black)
	d.line(x, y, x, y+h, 0.5, black)
	for _, t := range niceTicks(lo, hi) {
		tx := x + (t.Value-lo)/(hi-lo)*w
		d.line(tx, y+h, tx, y+h+3, 0.5, black)
		d.text(tx, y+h+3+fs, t.Label, "middle", 0)
	}
	for _, c := range []int{0, top} {
		ty := y + h - h*float64(c)/float64(top)
		d.line(x-3, ty, x, ty, 0.5, black)
		d.text(x-4, ty+fs*0.35, shortNumber(float64(c)), "end", 0)
	}
	d.vtext(x-4-textWidth(shortNumber(float64(top)), fs)-fs*0.6, y+h/2, "count", 0)
	d.text(x+w/2, y+h+3+fs*2.3, p.XLabel, "middle", 0)
	d.end()
}

// WeightNormPanels returns one panel per weight tensor of f with at least two
// dimensions (names ending in ".weight", in natural layer order): the L2
// norm of each output neuron's incoming weights, w[k, ...]. Hebbian rules
// with Oja or SoftHebb normalisation drive these norms towards 1.
func WeightNormPanels(f network.SafetensorsFile) []HistPanel {
	var out []HistPanel
	for _, name := range tensorNames(f, ".weight") {
		t := f.Tensors[name]
		if len(t.Shape) < 2 || t.Shape[0] == 0 {
			continue
		}
		k := t.Shape[0]
		per := len(t.Data) / k
		norms := make([]float64, k)
		for i := range norms {
			var s float64
			for _, v := range t.Data[i*per : (i+1)*per] {
				s += float64(v) * float64(v)
			}
			norms[i] = math.Sqrt(s)
		}
		out = append(out, HistPanel{
			Title:  fmt.Sprintf("%s (%d neurons)", strings.TrimSuffix(name, ".weight"), k),
			XLabel: "L2 norm per neuron",
			Values: norms,
			Color:  OkabeIto[5],
		})
	}
	return out
}

// EligibilityPanels returns one panel per eligibility tensor of f (names
// ending in ".eligibility", in natural layer order) with the values of the
// eligibility trace (ALGORITHM.md §1) as saved.
func EligibilityPanels(f network.SafetensorsFile) []HistPanel {
	var out []HistPanel
	for _, name := range tensorNames(f, ".eligibility") {
		t := f.Tensors[name]
		vals := make([]float64, len(t.Data))
		for i, v := range t.Data {
			vals[i] = float64(v)
		}
		out = append(out, HistPanel{
			Title:  fmt.Sprintf("%s (%d synapses)", strings.TrimSuffix(name, ".eligibility"), len(vals)),
			XLabel: "eligibility E (a.u.)",
			Values: vals,
			Color:  OkabeIto[1],
		})
	}
	return out
}

// tensorNames returns the names in f ending in suffix, in natural order
// (conv2 before conv10).
func tensorNames(f network.SafetensorsFile, suffix string) []string {
	var names []string
	for n := range f.Tensors {
		if strings.HasSuffix(n, suffix) {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool { return naturalLess(names[i], names[j]) })
	return names
}
