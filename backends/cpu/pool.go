package cpu

import (
	"fmt"
	"math"

	"ghlsim/backends"
)

// poolKind selects the operation of a poolTask.
type poolKind int

const (
	maxFwd poolKind = iota
	maxBwd
	avgFwd
	avgBwd
)

// poolTask runs a pooling op over groups of pb (batch, channel) planes.
type poolTask struct {
	kind           poolKind
	in, out        []float32 // input-side (x or dx) and output-side (y or dy) tensors
	idx            []int32   // argmax offset within the input plane, per output
	keys           []int32   // max forward: per item, H×Wo row-pass keys, positions, a padded key row
	vector         bool      // max forward: maxPlaneAVX2 applies
	H, W, Ho, Wo   int
	k, stride, pad int
	planes, pb     int
}

func (t *poolTask) run(i int) {
	var hk, hp, kr []int32
	if t.kind == maxFwd {
		n := t.H*t.Wo*2 + t.W + 2
		sc := t.keys[i*n : (i+1)*n]
		hk, hp, kr = sc[:t.H*t.Wo], sc[t.H*t.Wo:2*t.H*t.Wo], sc[2*t.H*t.Wo:]
	}
	for pl := i * t.pb; pl < min(t.planes, (i+1)*t.pb); pl++ {
		in := t.in[pl*t.H*t.W : (pl+1)*t.H*t.W]
		out := t.out[pl*t.Ho*t.Wo : (pl+1)*t.Ho*t.Wo]
		switch t.kind {
		case maxFwd:
			idx := t.idx[pl*t.Ho*t.Wo : (pl+1)*t.Ho*t.Wo]
			if t.vector && t.maxPlaneAVX2(in, out, idx, hk, hp, kr) {
				continue
			}
			t.maxPlane(in, out, idx, hk, hp)
		case maxBwd:
			clear(in)
			for o, j := range t.idx[pl*t.Ho*t.Wo : (pl+1)*t.Ho*t.Wo] {
				in[j] += out[o]
			}
		case avgFwd, avgBwd:
			t.avgPlane(in, out)
		}
	}
}

// window is the clipped input range of output coordinate o along an axis
// of extent n (padding contributes nothing).
func (t *poolTask) window(o, n int) (lo, hi int) {
	lo = o*t.stride - t.pad
	return max(lo, 0), min(lo+t.k, n)
}

// maxPlane pools one plane: the first maximum in row-major window order
// wins; padding never wins; a NaN wins as in PyTorch. It compares order keys
// (integers ordered as the floats, −0 equal to +0) with branch-free
// selects — a float compare-and-branch mispredicts on every new maximum —
// in two separable passes whose window chains are short and independent:
// per input row the best of each output column's window (hk, hp: key and
// position, H×Wo scratch), then the best of each output's window rows.
// Strict comparisons keep the first of equal values in each pass, so the
// row-major first maximum wins overall. A plane holding a NaN takes the
// scalar path.
func (t *poolTask) maxPlane(in, out []float32, idx, hk, hp []int32) {
	W, Wo := t.W, t.Wo
	nan := 0
	for iy := 0; iy < t.H; iy++ {
		row := in[iy*W : (iy+1)*W]
		for ox := 0; ox < Wo; ox++ {
			x0, x1 := t.window(ox, W)
			best, bp := math.MinInt32, x0
			for ix := x0; ix < x1; ix++ {
				b := int32(math.Float32bits(row[ix]))
				m := b & 0x7fffffff
				nan |= int((0x7f800000 - m) >> 31) // −1 once some |v| bits exceed +Inf's
				sg := b >> 31
				k := int((m ^ sg) - sg)
				gt := (best - k) >> 63 // −1 when k > best
				best ^= (best ^ k) & gt
				bp ^= (bp ^ ix) & gt
			}
			hk[iy*Wo+ox], hp[iy*Wo+ox] = int32(best), int32(iy*W+bp)
		}
	}
	if nan != 0 {
		t.maxPlaneScalar(in, out, idx)
		return
	}
	for oy := 0; oy < t.Ho; oy++ {
		y0, y1 := t.window(oy, t.H)
		for ox := 0; ox < Wo; ox++ {
			best, bp := int(hk[y0*Wo+ox]), int(hp[y0*Wo+ox])
			for iy := y0 + 1; iy < y1; iy++ {
				k := int(hk[iy*Wo+ox])
				gt := (best - k) >> 63
				best ^= (best ^ k) & gt
				bp ^= (bp ^ int(hp[iy*Wo+ox])) & gt
			}
			out[oy*Wo+ox], idx[oy*Wo+ox] = in[bp], int32(bp)
		}
	}
}

// maxPlaneScalar is maxPlane by direct float comparisons, for planes that
// hold a NaN.
func (t *poolTask) maxPlaneScalar(in, out []float32, idx []int32) {
	for oy := 0; oy < t.Ho; oy++ {
		y0, y1 := t.window(oy, t.H)
		for ox := 0; ox < t.Wo; ox++ {
			x0, x1 := t.window(ox, t.W)
			bi := y0*t.W + x0
			best := in[bi]
			for iy := y0; iy < y1; iy++ {
				for ix, v := range in[iy*t.W+x0 : iy*t.W+x1] {
					if v > best || (v != v && best == best) {
						best, bi = v, iy*t.W+x0+ix
					}
				}
			}
			out[oy*t.Wo+ox], idx[oy*t.Wo+ox] = best, int32(bi)
		}
	}
}

// avgPlane averages (forward) or spreads (backward) one plane; the divisor
// is always k², counting padded zeros (count_include_pad=True).
func (t *poolTask) avgPlane(in, out []float32) {
	inv := 1 / float32(t.k*t.k)
	if t.kind == avgBwd {
		clear(in)
	}
	for oy := 0; oy < t.Ho; oy++ {
		y0, y1 := t.window(oy, t.H)
		for ox := 0; ox < t.Wo; ox++ {
			x0, x1 := t.window(ox, t.W)
			if t.kind == avgBwd {
				g := out[oy*t.Wo+ox] * inv
				for iy := y0; iy < y1; iy++ {
					row := in[iy*t.W+x0 : iy*t.W+x1]
					for j := range row {
						row[j] += g
					}
				}
				continue
			}
			var s float32
			for iy := y0; iy < y1; iy++ {
				for _, v := range in[iy*t.W+x0 : iy*t.W+x1] {
					s += v
				}
			}
			out[oy*t.Wo+ox] = s * inv
		}
	}
}

// pool checks shapes and runs one pooling op; in is [B,C,H,W] and out
// [B,C,H',W'].
func (b *Backend) pooling(op string, kind poolKind, in, out *Tensor, idx []int32, p backends.PoolParams) {
	n, c, h, w := four(op, "input", in)
	if err := p.Validate(h, w); err != nil {
		panic(fmt.Sprintf("cpu: %s: %v", op, err))
	}
	dims4(op, "output", out, n, c, p.OutSize(h), p.OutSize(w))
	t := &b.ws.pool
	*t = poolTask{kind: kind, in: in.data, out: out.data, idx: idx,
		H: h, W: w, Ho: p.OutSize(h), Wo: p.OutSize(w), k: p.Kernel, stride: p.Stride, pad: p.Pad,
		planes: n * c, pb: max(1, grain/(h*w))}
	if kind == maxFwd {
		t.keys = growI32(&b.ws.poolKeys, items(t.planes, t.pb)*(2*h*t.Wo+w+2))
		t.vector = poolAsm && p.Kernel == 4 && p.Stride == 2 && p.Pad == 1 && w == 2*t.Wo && t.Wo%8 == 0
	}
	b.workers.do(items(t.planes, t.pb), t)
	*t = poolTask{}
}

// indicesOf unwraps argmax storage for a pooled output of shape s.
func indicesOf(op string, arg backends.Indices, s backends.Shape) []int32 {
	ix, ok := arg.(*Indices)
	if !ok || ix == nil {
		panic(fmt.Sprintf("cpu: %s: indices %T do not belong to the cpu backend", op, arg))
	}
	if !ix.shape.Equal(s) {
		panic(fmt.Sprintf("cpu: %s: indices of shape %v, want %v", op, ix.shape, s))
	}
	return ix.idx
}

// MaxPool2D pools x into y and records each output's winning input (its
// offset within the input plane) in arg. The first maximum in window order
// wins and padding never wins.
func (b *Backend) MaxPool2D(y backends.Tensor, arg backends.Indices, x backends.Tensor, p backends.PoolParams) {
	yt := tensorOf(y)
	b.pooling("MaxPool2D", maxFwd, tensorOf(x), yt, indicesOf("MaxPool2D", arg, yt.shape), p)
}

// MaxPool2DBackward routes dy to the recorded winners, summing where one
// input won several windows (dx is overwritten).
func (b *Backend) MaxPool2DBackward(dx, dy backends.Tensor, arg backends.Indices) {
	dxt, dyt := tensorOf(dx), tensorOf(dy)
	const op = "MaxPool2DBackward"
	idx := indicesOf(op, arg, dyt.shape)
	n, c, h, w := four(op, "dx", dxt)
	dn, dc, ho, wo := four(op, "dy", dyt)
	if dn != n || dc != c {
		panic(fmt.Sprintf("cpu: %s: dx %v does not match dy %v", op, dxt.shape, dyt.shape))
	}
	t := &b.ws.pool
	*t = poolTask{kind: maxBwd, in: dxt.data, out: dyt.data, idx: idx, H: h, W: w, Ho: ho, Wo: wo,
		planes: n * c, pb: max(1, grain/(h*w))}
	b.workers.do(items(t.planes, t.pb), t)
	*t = poolTask{}
}

// AvgPool2D averages x over windows into y (count_include_pad=True).
func (b *Backend) AvgPool2D(y, x backends.Tensor, p backends.PoolParams) {
	b.pooling("AvgPool2D", avgFwd, tensorOf(x), tensorOf(y), nil, p)
}

// AvgPool2DBackward spreads each dy over its window with weight 1/k² (dx is
// overwritten).
func (b *Backend) AvgPool2DBackward(dx, dy backends.Tensor, p backends.PoolParams) {
	b.pooling("AvgPool2DBackward", avgBwd, tensorOf(dx), tensorOf(dy), nil, p)
}
