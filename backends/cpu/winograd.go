package cpu

import (
	"fmt"
	"os"

	"ghlsim/backends"
)

// ConvAlgorithm selects how the cpu backend computes 3×3, stride-1,
// one-pixel-padded convolutions (the DeepHebb, VGG and ResNet body layers).
// Other geometries always use im2col + GEMM. Both algorithms compute the same
// functions; they differ in rounding (Winograd's transforms add a few
// float32 additions per value, within the conformance tolerances), so a run
// is bit-identical to another only under the same algorithm — the backend's
// Device string records it.
type ConvAlgorithm int

const (
	// ConvAuto uses Winograd F(2×2, 3×3) where it measures faster than
	// im2col (both channel counts at least winoMinChannels, planes whose
	// tiles the vector transforms take) and im2col elsewhere. The default.
	ConvAuto ConvAlgorithm = iota
	// ConvIm2col uses im2col + GEMM for every convolution.
	ConvIm2col
	// ConvWinograd uses Winograd for every convolution whose geometry
	// allows it, however small; tests use it to exercise the Winograd path.
	ConvWinograd
)

// winoMinChannels is the smallest input and output channel count for which
// ConvAuto picks Winograd: below it the 16 per-tile products are too thin for
// the GEMM to amortise its packing. BenchmarkConvAlgorithms (batch 64,
// 2 threads) measured Winograd 1.3–2.6× faster than im2col for the forward
// pass and the fused weight-side product at 16 to 32 channels, and the
// input gradient from even to 1.3× faster, except 16→64 channels (0.7×).
const winoMinChannels = 16

// winoLayout addresses a transformed array: 16 matrices [rows][cols], the
// ξ-th being the operand of the ξ-th product, interleaved by rows — element
// (ξ, r, c) lies at r·row + ξ·xi + c — so the 16 values a tile transform
// reads or writes for one row are a few KiB apart rather than a whole
// matrix apart, and each matrix is an ordinary strided operand (leading
// dimension row) for the GEMM. xi exceeds cols by winoSkew, one cache line,
// since cols is often a multiple of 1 KiB and the 16 streams would otherwise
// share cache sets.
type winoLayout struct{ xi, row int }

// winoSkew is the padding, in float32s, after each row of a matrix.
const winoSkew = 16

// winoLayoutOf is the layout of matrices with cols columns.
func winoLayoutOf(cols int) winoLayout {
	xi := cols + winoSkew
	return winoLayout{xi: xi, row: 16 * xi}
}

// String is the algorithm's name as ParseConvAlgorithm accepts it.
func (a ConvAlgorithm) String() string {
	switch a {
	case ConvAuto:
		return "auto"
	case ConvIm2col:
		return "im2col"
	case ConvWinograd:
		return "winograd"
	}
	return fmt.Sprintf("ConvAlgorithm(%d)", int(a))
}

// ParseConvAlgorithm parses "auto", "im2col" or "winograd" ("" is auto).
func ParseConvAlgorithm(s string) (ConvAlgorithm, error) {
	switch s {
	case "", "auto":
		return ConvAuto, nil
	case "im2col":
		return ConvIm2col, nil
	case "winograd":
		return ConvWinograd, nil
	}
	return 0, fmt.Errorf("unknown convolution algorithm %q: want auto, im2col or winograd", s)
}

// ConvEnv is the environment variable that selects the convolution
// algorithm of every cpu backend, however it is opened (New, Open or
// backends.New("cpu")): auto, im2col or winograd.
const ConvEnv = "GHLSIM_CPU_CONV"

// convFromEnv is the one place that reads ConvEnv: unset or empty is
// ConvAuto; an unknown value is an error naming the variable.
func convFromEnv() (ConvAlgorithm, error) {
	a, err := ParseConvAlgorithm(os.Getenv(ConvEnv))
	if err != nil {
		return ConvAuto, fmt.Errorf("%s: %w", ConvEnv, err)
	}
	return a, nil
}

// SetConvAlgorithm selects the convolution algorithm (by default the one
// GHLSIM_CPU_CONV names, else ConvAuto).
func (b *Backend) SetConvAlgorithm(a ConvAlgorithm) {
	if a < ConvAuto || a > ConvWinograd {
		panic(fmt.Sprintf("cpu: SetConvAlgorithm(%d): unknown algorithm", int(a)))
	}
	b.conv = a
}

// ConvAlgorithm is the selected convolution algorithm.
func (b *Backend) ConvAlgorithm() ConvAlgorithm { return b.conv }

// ConvFLOPFraction implements backends.ConvArithmetic: a Winograd
// convolution's products execute 16 multiply-adds per input-output channel
// pair and 2×2 output tile where the direct product executes 9 per output,
// 16·⌈H'/2⌉·⌈W'/2⌉ / (9·H'·W') of the direct count (4/9 for even extents);
// every other convolution executes the direct count.
func (b *Backend) ConvFLOPFraction(x, w backends.Shape, p backends.ConvParams) float64 {
	if len(x) != 4 || len(w) != 4 || p.Validate(x[2], x[3], w[2], w[3]) != nil {
		return 1
	}
	ho, wo := p.OutSize(x[2], w[2]), p.OutSize(x[3], w[3])
	g := convGeom{B: x[0], C: x[1], H: x[2], W: x[3], K: w[0], KH: w[2], KW: w[3], Ho: ho, Wo: wo,
		stride: p.Stride, pad: p.Pad, P: ho * wo}
	wg, ok := b.winograd(&g)
	if !ok {
		return 1
	}
	return 16 * float64(wg.tp) / (9 * float64(g.P))
}

// winoGeom is a convolution's Winograd tiling: 2×2 output tiles, th rows by
// tw columns of them per sample (the last row or column may overhang an odd
// output extent; its extra outputs are never written and their gradients
// are zero).
type winoGeom struct {
	convGeom
	th, tw, tp int // tile rows, tile columns, tiles per sample
}

// winograd reports whether the convolution g runs as Winograd F(2×2, 3×3)
// under the backend's algorithm choice, and its tiling if so.
func (b *Backend) winograd(g *convGeom) (winoGeom, bool) {
	if b.conv == ConvIm2col || g.dense || g.KH != 3 || g.KW != 3 || g.stride != 1 || g.pad != 1 {
		return winoGeom{}, false
	}
	w := winoGeom{convGeom: *g, th: (g.Ho + 1) / 2, tw: (g.Wo + 1) / 2}
	w.tp = w.th * w.tw
	if b.conv == ConvAuto && (g.C < winoMinChannels || g.K < winoMinChannels || !w.vectorTiles()) {
		return winoGeom{}, false
	}
	return w, true
}

// vectorTiles reports whether the tile transforms run 8 tiles at a time
// (winograd_amd64.s): even extents, with a multiple of 16 output columns or
// exactly 8 (two tile rows per vector, so a multiple of 4 rows). ConvAuto
// requires it: elsewhere (14×14, odd 7×7 with its overhanging tiles) the
// scalar transforms and wasted tile work cancel Winograd's gain
// (BenchmarkConvAlgorithms: 0.8–1.2× of im2col).
func (w *winoGeom) vectorTiles() bool {
	return w.Ho%2 == 0 && (w.Wo%16 == 0 || (w.Wo == 8 && w.Ho%4 == 0))
}

// chunk is the number of samples per Winograd chunk on b when the chunk's
// transformed buffers (16 matrices [rows][n·tp] each) have rows rows in
// all, besides a left operand of left rows per output position.
func (w *winoGeom) chunk(b *Backend, rows, left int) int {
	return b.samples(w.B, 16*rows*w.tp+left*w.P, 16*rows*winoSkew)
}

// tables fills the padded-plane index tables: rows[py] is the input row at
// padded row py (coordinate py − 1), −1 where that is zero padding or beyond
// the one-pixel border (rows past the output's last tile); likewise cols.
// Reflect padding mirrors as in im2col. The padded plane, 2·th + 2 rows by
// 2·tw + 2 columns, covers every tile's 4×4 input.
func (w *winoGeom) tables(ws *workspace) (rows, cols []int32) {
	rows = growI32(&ws.winoRows, 2*w.th+2)
	cols = growI32(&ws.winoCols, 2*w.tw+2)
	fill := func(t []int32, n int) {
		for i := range t {
			t[i] = -1
			if v := i - 1; v <= n {
				t[i] = int32(w.index(v, n))
			}
		}
	}
	fill(rows, w.H)
	fill(cols, w.W)
	return rows, cols
}

// padSize is the size of one padded plane.
func (w *winoGeom) padSize() int { return (2*w.th + 2) * (2*w.tw + 2) }

// tileTask prepares t for a tile transform of n samples over channels rows:
// channel blocking, index tables and one padded-plane scratch per item.
func (b *Backend) tileTask(t *winoTask, n, channels int) {
	t.blocks(channels)
	t.rows, t.cols = t.g.tables(&b.ws)
	t.pad = grow32(&b.ws.winoPad, n*t.nblk*t.g.padSize())
}

// winoWeights transforms every 3×3 kernel of w [K, C, 3, 3] into U
// (16 matrices [K][C] in winoLayoutOf(C), U[ξ] the A operand of the ξ-th
// product).
func (b *Backend) winoWeights(g *winoGeom, w []float32) []float32 {
	l := winoLayoutOf(g.C)
	u := grow32(&b.ws.winoU, g.K*l.row)
	t := &b.ws.wino
	*t = winoTask{kind: winoWeightKind, g: *g, src: w, dst: u, lay: l, cb: max(1, grain/(16*g.C))}
	b.workers.do(items(g.K, t.cb), t)
	*t = winoTask{}
	return u
}

// winoConv is Conv2D by Winograd: per chunk of samples, transform the input
// tiles, run the 16 products M[ξ] = U[ξ]·V[ξ] ([K, C]·[C, tiles]) and
// transform M back into output tiles (adding the bias).
func (b *Backend) winoConv(g *winoGeom, x, w, bias, y []float32) {
	u := b.winoWeights(g, w)
	nb := g.chunk(b, g.C+g.K, 0)
	ul, tl := winoLayoutOf(g.C), winoLayoutOf(nb*g.tp)
	buf := b.chunkScratch((g.C + g.K) * tl.row)
	v, m := buf[:g.C*tl.row:g.C*tl.row], buf[g.C*tl.row:]
	for b0 := 0; b0 < g.B; b0 += nb {
		n := min(nb, g.B-b0)
		T := n * g.tp
		tl := winoLayoutOf(T)
		b.winoInputs(g, x, b0, n, v)
		for xi := 0; xi < 16; xi++ {
			b.mm.Sgemm(false, false, g.K, T, g.C, 1, u[xi*ul.xi:], ul.row, v[xi*tl.xi:], tl.row, 0, m[xi*tl.xi:], tl.row)
		}
		t := &b.ws.wino
		*t = winoTask{kind: winoOutputKind, g: *g, src: m, dst: y, bias: bias, b0: b0, lay: tl}
		b.tileTask(t, n, g.K)
		b.workers.do(n*t.nblk, t)
		*t = winoTask{}
	}
}

// winoBackwardData is Conv2DBackwardData by Winograd: per chunk, transform
// the output-gradient tiles (Z = A δ Aᵀ), run the 16 products
// D[ξ] = U[ξ]ᵀ·Z[ξ] and scatter B D Bᵀ back onto dx.
func (b *Backend) winoBackwardData(g *winoGeom, dy, w, dx []float32) {
	u := b.winoWeights(g, w)
	nb := g.chunk(b, g.C+g.K, 0)
	ul, tl := winoLayoutOf(g.C), winoLayoutOf(nb*g.tp)
	buf := b.chunkScratch((g.C + g.K) * tl.row)
	d, z := buf[:g.C*tl.row:g.C*tl.row], buf[g.C*tl.row:]
	for b0 := 0; b0 < g.B; b0 += nb {
		n := min(nb, g.B-b0)
		T := n * g.tp
		tl := winoLayoutOf(T)
		b.winoOutputGrads(g, dy[b0*g.K*g.P:], g.K*g.P, g.P, g.K, n, z)
		for xi := 0; xi < 16; xi++ {
			b.mm.Sgemm(true, false, g.C, T, g.K, 1, u[xi*ul.xi:], ul.row, z[xi*tl.xi:], tl.row, 0, d[xi*tl.xi:], tl.row)
		}
		t := &b.ws.wino
		*t = winoTask{kind: winoInputGradKind, g: *g, src: d, dst: dx, b0: b0, lay: tl}
		b.tileTask(t, n, g.C)
		b.workers.do(n*t.nblk, t)
		*t = winoTask{}
	}
}

// winoProduct is patchProduct by Winograd: per chunk of samples, transform
// the input tiles (V = Bᵀ d B) and the output-side tiles (Z = A g Aᵀ, δ read
// from lt.dy, y from the left operand lt fills), and accumulate the 16
// products Z[ξ]·V[ξ]ᵀ over the batch (16 matrices [rows][C] in winoU); then
// inverse-transform them into top and bot. When the products of both sets
// would exceed the per-chunk scratch bound, each set takes its own pass over
// the batch (the input tiles are transformed twice), so the accumulator
// holds K rows, as many as the transformed kernels: DeepHebb's third layer
// (batch 64, 2 threads) took 162 ms either way, and 274 ms by im2col.
func (b *Backend) winoProduct(g *winoGeom, x []float32, lt *leftTask, top, bot []float32) {
	dy, hebb := lt.dy, lt.u != nil
	lt.dy = nil // the left operand holds y alone
	if dy != nil && hebb && 2*g.K*winoLayoutOf(g.C).row > b.scratch() {
		b.winoPass(g, x, lt, dy, false, top, nil)
		b.winoPass(g, x, lt, nil, true, bot, nil)
		return
	}
	b.winoPass(g, x, lt, dy, hebb, top, bot)
}

// winoPass is one pass of winoProduct over the batch for the δ rows (when dy
// is set) and the y rows (when hebb), in that order: the first set's
// kernel-side product goes to c0, the second's to c1.
func (b *Backend) winoPass(g *winoGeom, x []float32, lt *leftTask, dy []float32, hebb bool, c0, c1 []float32) {
	m, left := 0, 0
	if dy != nil {
		m += g.K
	}
	if hebb {
		m, left = m+g.K, g.K
	}
	al := winoLayoutOf(g.C)
	acc := grow32(&b.ws.winoU, m*al.row)
	nb := g.chunk(b, g.C+m, left)
	tl := winoLayoutOf(nb * g.tp)
	buf := b.chunkScratch((g.C+m)*tl.row + left*nb*g.P)
	v, z := buf[:g.C*tl.row:g.C*tl.row], buf[g.C*tl.row:(g.C+m)*tl.row:(g.C+m)*tl.row]
	if hebb {
		lt.l = buf[(g.C+m)*tl.row:]
		b.leftScratch(lt, nb)
	}
	for b0 := 0; b0 < g.B; b0 += nb {
		n := min(nb, g.B-b0)
		T := n * g.tp
		tl := winoLayoutOf(T)
		b.winoInputs(g, x, b0, n, v)
		if dy != nil {
			b.winoOutputGrads(g, dy[b0*g.K*g.P:], g.K*g.P, g.P, g.K, n, z)
		}
		if hebb {
			b.leftChunk(lt, b0, n)
			b.winoOutputGrads(g, lt.l, g.P, n*g.P, g.K, n, z[(m-g.K)*tl.row:])
		}
		beta := float32(1)
		if b0 == 0 {
			beta = 0
		}
		for xi := 0; xi < 16; xi++ {
			b.mm.Sgemm(false, true, m, g.C, T, 1, z[xi*tl.xi:], tl.row, v[xi*tl.xi:], tl.row, beta, acc[xi*al.xi:], al.row)
		}
	}
	b.winoWeightGrads(g, acc, g.K, c0)
	if m > g.K {
		b.winoWeightGrads(g, acc[g.K*al.row:], g.K, c1)
	}
}

// winoWeightGrads writes the kernel gradients Gᵀ acc G of the accumulated
// products acc (16 matrices [m][C] in winoLayoutOf(C)) into c ([m, C·9]).
func (b *Backend) winoWeightGrads(g *winoGeom, acc []float32, m int, c []float32) {
	t := &b.ws.wino
	*t = winoTask{kind: winoWeightGradKind, g: *g, src: acc, dst: c, m: m, lay: winoLayoutOf(g.C), cb: max(1, grain/(16*g.C))}
	b.workers.do(items(m, t.cb), t)
	*t = winoTask{}
}

// winoInputs writes the transformed input tiles Bᵀ d B of samples
// b0..b0+n−1 of x into v (16 matrices [C][n·tp] in winoLayoutOf(n·tp)).
func (b *Backend) winoInputs(g *winoGeom, x []float32, b0, n int, v []float32) {
	t := &b.ws.wino
	*t = winoTask{kind: winoInputKind, g: *g, src: x, dst: v, b0: b0, lay: winoLayoutOf(n * g.tp)}
	b.tileTask(t, n, g.C)
	b.workers.do(n*t.nblk, t)
	*t = winoTask{}
}

// winoOutputGrads writes the transformed 2×2 tiles A g Aᵀ of m rows of
// output-side values into z (16 matrices [m][n·tp] in winoLayoutOf(n·tp)); value (row r, sample s,
// position p) is src[s·sampleLD + r·rowLD + p].
func (b *Backend) winoOutputGrads(g *winoGeom, src []float32, sampleLD, rowLD, m, n int, z []float32) {
	t := &b.ws.wino
	*t = winoTask{kind: winoOutputGradKind, g: *g, src: src, dst: z, lay: winoLayoutOf(n * g.tp), m: m, sampleLD: sampleLD, rowLD: rowLD}
	b.tileTask(t, n, m)
	b.workers.do(n*t.nblk, t)
	*t = winoTask{}
}
