package plots

import (
	"fmt"
	"image/color"
	"math"

	"ghlsim/network"
)

// RFOptions sets how ReceptiveFields lays out its tiles. The zero value
// gives the defaults.
type RFOptions struct {
	// MaxTiles is the number of filters drawn (the first ones); default 96.
	MaxTiles int
	// Columns is the number of tiles per row; default min(count, 12).
	Columns int
	// Title is the caption above the grid; default names the tensor's shape.
	Title string
}

// ReceptiveFields draws the filters of a conv weight tensor w with PyTorch
// layout [K, C, kh, kw] as a grid of tiles, one per output channel, in
// channel order. With C = 3 a tile is an RGB image of the filter; otherwise
// it is grey (the channel mean when C > 1). Each tile has its own contrast:
// a value v maps to 0.5 + 0.5·v/max|w_k|, so mid-grey is 0 and full
// saturation is the filter's largest magnitude. Every tile is an SVG group
// with class "tile" of kh·kw square pixels.
func ReceptiveFields(w network.HostTensor, opt RFOptions, st Style) ([]byte, error) {
	st = st.orDefault()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	if len(w.Shape) != 4 {
		return nil, fmt.Errorf("plots: receptive fields need a conv weight [K, C, kh, kw], got shape %v", w.Shape)
	}
	k, c, kh, kw := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	if k == 0 || c == 0 || kh == 0 || kw == 0 {
		return nil, ErrNoData
	}
	if len(w.Data) != k*c*kh*kw {
		return nil, fmt.Errorf("plots: weight of shape %v holds %d values, want %d", w.Shape, len(w.Data), k*c*kh*kw)
	}
	maxTiles := opt.MaxTiles
	if maxTiles <= 0 {
		maxTiles = 96
	}
	n := min(k, maxTiles)
	cols := opt.Columns
	if cols <= 0 {
		cols = min(n, 12)
	}
	rows := (n + cols - 1) / cols
	mode := "grey"
	switch {
	case c == 3:
		mode = "RGB"
	case c > 1:
		mode = fmt.Sprintf("grey, mean of %d channels", c)
	}
	title := opt.Title
	if title == "" {
		title = fmt.Sprintf("%d of %d filters, %d×%d, %s", n, k, kh, kw, mode)
	}

	const margin, gap = 4.0, 1.5
	width := float64(st.Width)
	fs := float64(st.FontSize)
	top := margin + fs*1.3
	tile := (width - 2*margin - float64(cols-1)*gap) / float64(cols)
	tile = math.Min(tile, 48) // big kernels or few filters: do not blow tiles up
	px := tile / float64(max(kh, kw))
	gridW := float64(cols)*tile + float64(cols-1)*gap
	height := top + float64(rows)*tile + float64(rows-1)*gap + margin + fs*1.4
	d := newSVGDoc(width, height, st)
	d.text(width/2, margin+fs, title, "middle", 0)
	x0 := (width - gridW) / 2
	plane := kh * kw
	for f := 0; f < n; f++ {
		filt := w.Data[f*c*plane : (f+1)*c*plane]
		var m float64
		for _, v := range filt {
			m = math.Max(m, math.Abs(float64(v)))
		}
		scale := 0.0
		if m > 0 && finite(m) {
			scale = 0.5 / m
		}
		tx := x0 + float64(f%cols)*(tile+gap)
		ty := top + float64(f/cols)*(tile+gap)
		d.group(`class="tile" shape-rendering="crispEdges"`)
		for i := 0; i < kh; i++ {
			for j := 0; j < kw; j++ {
				p := i*kw + j
				var col color.RGBA
				if c == 3 {
					col = color.RGBA{level(filt[p], scale), level(filt[plane+p], scale), level(filt[2*plane+p], scale), 0xff}
				} else {
					var s float32
					for ch := 0; ch < c; ch++ {
						s += filt[ch*plane+p]
					}
					g := level(s/float32(c), scale)
					col = color.RGBA{g, g, g, 0xff}
				}
				d.rect(tx+float64(j)*px, ty+float64(i)*px, px, px, col)
			}
		}
		d.end()
	}
	d.text(width/2, height-margin, "mid-grey = 0; each filter scaled to ±max|w|", "middle", 0, `fill="#555555"`)
	return d.bytes(), nil
}

// level maps a weight to an 8-bit intensity: 0.5 + v·scale, clamped.
func level(v float32, scale float64) uint8 {
	x := 0.5 + float64(v)*scale
	if !finite(x) {
		x = 0.5
	}
	return uint8(math.Round(255 * math.Max(0, math.Min(1, x))))
}
