package cpu

// winoKind is the transform a winoTask applies.
type winoKind int

const (
	winoInputKind      winoKind = iota // x tiles → V = Bᵀ d B
	winoOutputKind                     // M → y tiles Aᵀ M A (+ bias)
	winoOutputGradKind                 // δ or y tiles → Z = A g Aᵀ
	winoInputGradKind                  // D → dx, scattering B D Bᵀ
	winoWeightKind                     // w → U = G w Gᵀ
	winoWeightGradKind                 // products → dw = Gᵀ M G
)

// winoTask runs one Winograd transform over a chunk of n samples.
// Transformed tiles live in 16 matrices [rows][n·tp] laid out by lay (tile
// column s·tp + ty·tw + tx); transformed kernels in 16 matrices
// [rows][C]. Tile items are one sample and a block of cb
// channels (nblk blocks per sample); weight items are a block of cb kernel
// rows. No two items write the same memory — the input gradient's
// overlapping tiles of one plane stay in one item and are added in tile
// order — so results do not depend on the thread count.
type winoTask struct {
	kind       winoKind
	g          winoGeom
	src, dst   []float32
	bias       []float32 // output: [K] or nil
	b0         int       // first sample of the chunk (x, y, dx indexing)
	lay        winoLayout
	m          int       // rows of output-side values / weight-side products
	sampleLD   int       // output-grad: source stride between samples
	rowLD      int       // output-grad: source stride between rows
	rows, cols []int32   // tile index tables (input, input-grad)
	pad        []float32 // tile items: one padded plane per item
	cb, nblk   int
}

// blocks sets the channel blocking of a tile transform over channels rows.
func (t *winoTask) blocks(channels int) {
	t.cb = max(1, min(channels, grain/(16*t.g.tp)))
	t.nblk = items(channels, t.cb)
}

func (t *winoTask) run(item int) {
	switch t.kind {
	case winoWeightKind:
		t.weights(item)
		return
	case winoWeightGradKind:
		t.weightGrads(item)
		return
	}
	s, blk := item/t.nblk, item%t.nblk
	pp := t.g.padSize()
	pad := t.pad[item*pp : (item+1)*pp]
	switch t.kind {
	case winoInputKind:
		t.inputs(s, blk, pad)
	case winoOutputKind:
		t.outputs(s, blk)
	case winoOutputGradKind:
		t.outputGrads(s, blk, pad)
	case winoInputGradKind:
		t.inputGrads(s, blk, pad)
	}
}

// streams returns the 16 slices buf[ξ·xs + off : ξ·xs + off + n], one per
// transformed matrix.
func streams(buf []float32, xs, off, n int) (s [16][]float32) {
	for xi := range s {
		s[xi] = buf[xi*xs+off : xi*xs+off+n]
	}
	return s
}

// inputs transforms the input tiles of sample s, channel block blk: each
// plane is copied into the padded plane pad (zeros or mirrored borders),
// whose 4×4 windows at even offsets are the tiles.
func (t *winoTask) inputs(s, blk int, pad []float32) {
	g := &t.g
	C, plane, pw := g.C, g.H*g.W, 2*g.tw+2
	for c := blk * t.cb; c < min(C, (blk+1)*t.cb); c++ {
		xp := t.src[((t.b0+s)*C+c)*plane : ((t.b0+s)*C+c+1)*plane]
		for py, iy := range t.rows {
			dst := pad[py*pw : (py+1)*pw]
			if iy < 0 {
				clear(dst)
				continue
			}
			src := xp[int(iy)*g.W : int(iy+1)*g.W]
			copy(dst[1:], src) // padded columns 1..W are the row itself
			for px, ix := range t.cols {
				if px > 0 && px <= g.W {
					continue
				}
				if ix < 0 {
					dst[px] = 0
				} else {
					dst[px] = src[ix]
				}
			}
		}
		if winoAsm && g.vectorTiles() {
			t.inputsAVX2(s, c, pad)
			continue
		}
		v := streams(t.dst, t.lay.xi, c*t.lay.row+s*g.tp, g.tp)
		for ty := 0; ty < g.th; ty++ {
			o := 2 * ty * pw
			r0, r1, r2, r3 := pad[o:o+pw], pad[o+pw:o+2*pw], pad[o+2*pw:o+3*pw], pad[o+3*pw:o+4*pw]
			for tx, tt := 0, ty*g.tw; tx < g.tw; tx, tt = tx+1, tt+1 {
				j := 2 * tx
				// Bᵀ d by columns (a, b, c, e hold columns 0..3), then B by rows.
				a0, a1, a2, a3 := bt4(r0[j], r1[j], r2[j], r3[j])
				b0, b1, b2, b3 := bt4(r0[j+1], r1[j+1], r2[j+1], r3[j+1])
				c0, c1, c2, c3 := bt4(r0[j+2], r1[j+2], r2[j+2], r3[j+2])
				e0, e1, e2, e3 := bt4(r0[j+3], r1[j+3], r2[j+3], r3[j+3])
				v[0][tt], v[1][tt], v[2][tt], v[3][tt] = bt4(a0, b0, c0, e0)
				v[4][tt], v[5][tt], v[6][tt], v[7][tt] = bt4(a1, b1, c1, e1)
				v[8][tt], v[9][tt], v[10][tt], v[11][tt] = bt4(a2, b2, c2, e2)
				v[12][tt], v[13][tt], v[14][tt], v[15][tt] = bt4(a3, b3, c3, e3)
			}
		}
	}
}

// outputs writes the output tiles of sample s, channel block blk.
func (t *winoTask) outputs(s, blk int) {
	g := &t.g
	K, Wo := g.K, g.Wo
	if winoAsm && g.vectorTiles() {
		t.outputsAVX2(s, blk)
		return
	}
	for k := blk * t.cb; k < min(K, (blk+1)*t.cb); k++ {
		yp := t.dst[((t.b0+s)*K+k)*g.P : ((t.b0+s)*K+k+1)*g.P]
		var bias float32
		if t.bias != nil {
			bias = t.bias[k]
		}
		m := streams(t.src, t.lay.xi, k*t.lay.row+s*g.tp, g.tp)
		for ty := 0; ty < g.th; ty++ {
			oy := 2 * ty
			y0, y1 := yp[oy*Wo:(oy+1)*Wo], []float32(nil)
			if oy+1 < g.Ho {
				y1 = yp[(oy+1)*Wo : (oy+2)*Wo]
			}
			for tx, tt := 0, ty*g.tw; tx < g.tw; tx, tt = tx+1, tt+1 {
				// Aᵀ m by columns (rows p and q), then A by rows.
				p0, q0 := at4(m[0][tt], m[4][tt], m[8][tt], m[12][tt])
				p1, q1 := at4(m[1][tt], m[5][tt], m[9][tt], m[13][tt])
				p2, q2 := at4(m[2][tt], m[6][tt], m[10][tt], m[14][tt])
				p3, q3 := at4(m[3][tt], m[7][tt], m[11][tt], m[15][tt])
				y00, y01 := at4(p0, p1, p2, p3)
				y10, y11 := at4(q0, q1, q2, q3)
				ox := 2 * tx
				y0[ox] = y00 + bias
				if ox+1 < Wo {
					y0[ox+1] = y01 + bias
				}
				if y1 != nil {
					y1[ox] = y10 + bias
					if ox+1 < Wo {
						y1[ox+1] = y11 + bias
					}
				}
			}
		}
	}
}

// outputGrads transforms the output-side tiles of sample s, row block blk;
// pad holds the two source rows of a tile row, zero-extended to 2·tw.
func (t *winoTask) outputGrads(s, blk int, pad []float32) {
	g := &t.g
	Wo, w2 := g.Wo, 2*g.tw
	if winoAsm && g.vectorTiles() {
		t.outputGradsAVX2(s, blk)
		return
	}
	ra, rb := pad[:w2], pad[w2:2*w2]
	for r := blk * t.cb; r < min(t.m, (blk+1)*t.cb); r++ {
		src := t.src[s*t.sampleLD+r*t.rowLD:]
		z := streams(t.dst, t.lay.xi, r*t.lay.row+s*g.tp, g.tp)
		for ty := 0; ty < g.th; ty++ {
			oy := 2 * ty
			a, b := src[oy*Wo:(oy+1)*Wo], []float32(nil)
			if oy+1 < g.Ho {
				b = src[(oy+1)*Wo : (oy+2)*Wo]
			}
			if b == nil || Wo%2 == 1 { // zero-extend an odd edge
				clear(ra[copy(ra, a):])
				clear(rb[copy(rb, b):])
				a, b = ra, rb
			}
			for tx, tt := 0, ty*g.tw; tx < g.tw; tx, tt = tx+1, tt+1 {
				j := 2 * tx
				// A g by columns, then Aᵀ by rows.
				c00, c10, c20, c30 := a4(a[j], b[j])
				c01, c11, c21, c31 := a4(a[j+1], b[j+1])
				z[0][tt], z[1][tt], z[2][tt], z[3][tt] = a4(c00, c01)
				z[4][tt], z[5][tt], z[6][tt], z[7][tt] = a4(c10, c11)
				z[8][tt], z[9][tt], z[10][tt], z[11][tt] = a4(c20, c21)
				z[12][tt], z[13][tt], z[14][tt], z[15][tt] = a4(c30, c31)
			}
		}
	}
}

// inputGrads overwrites the input-gradient planes of sample s, channel block
// blk: every tile's B D Bᵀ is added into the padded plane pad in tile order,
// which is then folded onto the plane (a mirrored border adds onto the
// input it mirrors; a zero border is dropped).
func (t *winoTask) inputGrads(s, blk int, pad []float32) {
	g := &t.g
	C, plane, pw := g.C, g.H*g.W, 2*g.tw+2
	for c := blk * t.cb; c < min(C, (blk+1)*t.cb); c++ {
		clear(pad)
		m := streams(t.src, t.lay.xi, c*t.lay.row+s*g.tp, g.tp)
		for ty := 0; ty < g.th; ty++ {
			o := 2 * ty * pw
			r0, r1, r2, r3 := pad[o:o+pw], pad[o+pw:o+2*pw], pad[o+2*pw:o+3*pw], pad[o+3*pw:o+4*pw]
			for tx, tt := 0, ty*g.tw; tx < g.tw; tx, tt = tx+1, tt+1 {
				// B m by columns (a, b, c, e hold columns 0..3), then Bᵀ by rows.
				a0, a1, a2, a3 := b4(m[0][tt], m[4][tt], m[8][tt], m[12][tt])
				b0, b1, b2, b3 := b4(m[1][tt], m[5][tt], m[9][tt], m[13][tt])
				c0, c1, c2, c3 := b4(m[2][tt], m[6][tt], m[10][tt], m[14][tt])
				e0, e1, e2, e3 := b4(m[3][tt], m[7][tt], m[11][tt], m[15][tt])
				j := 2 * tx
				addRow4(r0[j:j+4], a0, b0, c0, e0)
				addRow4(r1[j:j+4], a1, b1, c1, e1)
				addRow4(r2[j:j+4], a2, b2, c2, e2)
				addRow4(r3[j:j+4], a3, b3, c3, e3)
			}
		}
		xp := t.dst[((t.b0+s)*C+c)*plane : ((t.b0+s)*C+c+1)*plane]
		clear(xp)
		for py, iy := range t.rows {
			if iy < 0 {
				continue
			}
			src, dst := pad[py*pw:(py+1)*pw], xp[int(iy)*g.W:int(iy+1)*g.W]
			for px, ix := range t.cols {
				if ix >= 0 {
					dst[ix] += src[px]
				}
			}
		}
	}
}

// addRow4 adds Bᵀ·(m0, m1, m2, m3) (a row of B m Bᵀ) onto dst[0:4].
func addRow4(dst []float32, m0, m1, m2, m3 float32) {
	d0, d1, d2, d3 := b4(m0, m1, m2, m3)
	dst = dst[:4]
	dst[0] += d0
	dst[1] += d1
	dst[2] += d2
	dst[3] += d3
}

// weights transforms the kernels of rows block blk.
func (t *winoTask) weights(blk int) {
	K, C := t.g.K, t.g.C
	for k := blk * t.cb; k < min(K, (blk+1)*t.cb); k++ {
		for c := 0; c < C; c++ {
			u := winoWeight(t.src[(k*C+c)*9:])
			for xi, e := range u {
				t.dst[k*t.lay.row+xi*t.lay.xi+c] = e
			}
		}
	}
}

// weightGrads inverse-transforms the products of rows block blk into kernel
// gradients.
func (t *winoTask) weightGrads(blk int) {
	C := t.g.C
	for r := blk * t.cb; r < min(t.m, (blk+1)*t.cb); r++ {
		for c := 0; c < C; c++ {
			var m [16]float32
			for xi := range m {
				m[xi] = t.src[r*t.lay.row+xi*t.lay.xi+c]
			}
			winoWeightGrad(&m, t.dst[(r*C+c)*9:])
		}
	}
}
