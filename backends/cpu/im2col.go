package cpu

import (
	"fmt"

	"ghlsim/backends"
)

// convGeom is the geometry of one convolution call.
type convGeom struct {
	B, C, H, W int // input
	K, KH, KW  int // kernel
	Ho, Wo     int // output extent
	stride     int
	pad        int
	reflect    bool
	P          int  // output positions per sample, Ho·Wo
	CKK        int  // patch length C·kh·kw
	dense      bool // 1×1 kernel on 1×1 input: patches are the input rows
}

// geom checks x, w and the output-side tensor y (u or dy) against each other
// and p and returns the geometry. A rank-2 weight [K, N] is a 1×1 kernel over
// [B, N] activity (a dense layer); p is then ignored.
func geom(op string, x, w, y *Tensor, p backends.ConvParams) convGeom {
	var g convGeom
	g.B, g.C, g.H, g.W = nchw(op, "x", x)
	switch len(w.shape) {
	case 4:
		g.K, g.KH, g.KW = w.shape[0], w.shape[2], w.shape[3]
		if w.shape[1] != g.C {
			panic(fmt.Sprintf("cpu: %s: weight %v does not match input %v", op, w.shape, x.shape))
		}
	case 2:
		g.K, g.KH, g.KW = w.shape[0], 1, 1
		if w.shape[1] != g.C || g.H != 1 || g.W != 1 {
			panic(fmt.Sprintf("cpu: %s: dense weight %v does not match input %v", op, w.shape, x.shape))
		}
		p = backends.ConvParams{Stride: 1}
	default:
		panic(fmt.Sprintf("cpu: %s: weight has shape %v, want [K,C,kh,kw] or [K,N]", op, w.shape))
	}
	if err := p.Validate(g.H, g.W, g.KH, g.KW); err != nil {
		panic(fmt.Sprintf("cpu: %s: %v", op, err))
	}
	g.stride, g.pad, g.reflect = p.Stride, p.Pad, p.Mode == backends.PadReflect && p.Pad > 0
	g.Ho, g.Wo = p.OutSize(g.H, g.KH), p.OutSize(g.W, g.KW)
	g.P, g.CKK = g.Ho*g.Wo, g.C*g.KH*g.KW
	yb, yk, yh, yw := nchw(op, "output", y)
	if yb != g.B || yk != g.K || yh != g.Ho || yw != g.Wo {
		panic(fmt.Sprintf("cpu: %s: output %v, want [%d,%d,%d,%d] for input %v, weight %v, %+v",
			op, y.shape, g.B, g.K, g.Ho, g.Wo, x.shape, w.shape, p))
	}
	g.dense = g.H == 1 && g.W == 1 && g.KH == 1 && g.KW == 1 && g.pad == 0
	return g
}

// chunk is the number of samples per im2col chunk on b when the chunk's
// buffers hold rows values per output position (the patches' C·kh·kw plus
// the rows of a left operand or output).
func (g *convGeom) chunk(b *Backend, rows int) int { return b.samples(g.B, rows*g.P, 0) }

// tables fills the padded-input index tables: rows[i·Ho+oy] is the input row
// read by kernel row i at output row oy (−1 for zero padding), likewise cols
// for kernel column j and output column ox. Reflect padding mirrors the index
// without repeating the edge, as PyTorch's padding_mode="reflect".
func (g *convGeom) tables(ws *workspace) (rows, cols []int32) {
	rows = growI32(&ws.rowIdx, g.KH*g.Ho)
	cols = growI32(&ws.colIdx, g.KW*g.Wo)
	fill := func(t []int32, k, out, in int) {
		for i := 0; i < k; i++ {
			for o := 0; o < out; o++ {
				t[i*out+o] = int32(g.index(o*g.stride+i-g.pad, in))
			}
		}
	}
	fill(rows, g.KH, g.Ho, g.H)
	fill(cols, g.KW, g.Wo, g.W)
	return rows, cols
}

// index maps a padded coordinate to an input coordinate, or −1 for a zero.
func (g *convGeom) index(v, n int) int {
	if v >= 0 && v < n {
		return v
	}
	if !g.reflect {
		return -1
	}
	if v < 0 {
		return -v
	}
	return 2*(n-1) - v
}

// colTask is im2col or col2im for a chunk of samples: the patch matrix col
// is [C·kh·kw, n·P] with row (c, i, j) and column (sample, oy, ox). One item
// is one sample and a block of channels, so no two items touch the same
// memory in either direction.
type colTask struct {
	g          convGeom
	x          []float32 // the chunk's first sample of x (im2col) or dx (col2im)
	col        []float32
	ld         int // n·P
	cb, blocks int // channels per item, channel blocks per sample
	rows, cols []int32
	back       bool // col2im: accumulate col into x
}

func (t *colTask) run(item int) {
	g := &t.g
	s, blk := item/t.blocks, item%t.blocks
	c0, c1 := blk*t.cb, min(g.C, (blk+1)*t.cb)
	plane := g.H * g.W
	for c := c0; c < c1; c++ {
		xp := t.x[(s*g.C+c)*plane : (s*g.C+c+1)*plane]
		if t.back {
			clear(xp)
		}
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				r := (c*g.KH+i)*g.KW + j
				seg := t.col[r*t.ld+s*g.P : r*t.ld+(s+1)*g.P]
				if t.back {
					t.scatter(xp, seg, i, j)
				} else {
					t.gather(xp, seg, i, j)
				}
			}
		}
	}
}

// gather copies the inputs seen by kernel tap (i, j) into seg.
func (t *colTask) gather(xp, seg []float32, i, j int) {
	g := &t.g
	xm := t.cols[j*g.Wo : (j+1)*g.Wo]
	// Zero padding at stride 1 reads a contiguous run of each input row.
	lo, hi, off := 0, 0, j-g.pad
	run := g.stride == 1 && !g.reflect
	if run {
		lo = min(g.Wo, max(0, -off))
		hi = max(lo, min(g.Wo, g.W-off))
	}
	for oy := 0; oy < g.Ho; oy++ {
		d := seg[oy*g.Wo : (oy+1)*g.Wo]
		iy := t.rows[i*g.Ho+oy]
		if iy < 0 {
			clear(d)
			continue
		}
		src := xp[int(iy)*g.W : int(iy+1)*g.W]
		if run {
			clear(d[:lo])
			if hi > lo {
				copy(d[lo:hi], src[lo+off:hi+off])
			}
			clear(d[hi:])
			continue
		}
		for ox, ix := range xm {
			if ix < 0 {
				d[ox] = 0
			} else {
				d[ox] = src[ix]
			}
		}
	}
}

// scatter adds seg back onto the inputs tap (i, j) read.
func (t *colTask) scatter(xp, seg []float32, i, j int) {
	g := &t.g
	xm := t.cols[j*g.Wo : (j+1)*g.Wo]
	for oy := 0; oy < g.Ho; oy++ {
		iy := t.rows[i*g.Ho+oy]
		if iy < 0 {
			continue
		}
		dst := xp[int(iy)*g.W : int(iy+1)*g.W]
		for ox, ix := range xm {
			if ix >= 0 {
				dst[ix] += seg[oy*g.Wo+ox]
			}
		}
	}
}

// im2col writes the patches of samples b0..b0+n−1 of x into col
// ([C·kh·kw, n·P]).
func (b *Backend) im2col(g *convGeom, x []float32, b0, n int, col []float32) {
	b.colRun(g, x, b0, n, col, false)
}

// col2im overwrites samples b0..b0+n−1 of dx with the sum of the patch
// gradients in col (the adjoint of im2col).
func (b *Backend) col2im(g *convGeom, dx []float32, b0, n int, col []float32) {
	b.colRun(g, dx, b0, n, col, true)
}

func (b *Backend) colRun(g *convGeom, x []float32, b0, n int, col []float32, back bool) {
	t := &b.ws.col
	t.g, t.col, t.ld, t.back = *g, col, n*g.P, back
	t.x = x[b0*g.C*g.H*g.W:]
	t.rows, t.cols = g.tables(&b.ws)
	t.cb = max(1, min(g.C, grain/max(1, g.KH*g.KW*g.P)))
	t.blocks = items(g.C, t.cb)
	b.workers.do(n*t.blocks, t)
	*t = colTask{}
}
