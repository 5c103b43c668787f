package cpu

// patchProduct computes L·patchesᵀ summed over the batch, the product every
// weight-side quantity shares: the weight gradient δ·patchesᵀ, the Hebbian
// correlation yᵀ·patches (ALGORITHM.md §1 step 3), or both at once. L has
// K rows of δ (when lt.dy is set) and then K rows of y (when lt.u is set);
// the first set's product goes to top ([K, C·kh·kw]), the second's, when
// both are set, to bot. lt fills each chunk's left operand ([rows, n·P],
// columns (sample, position)), one item per sample; the chunk's patches are
// built once and read by one GEMM per set, or, where the result is small
// (at most a sixteenth of the per-chunk scratch bound), by one GEMM for both
// into a scratch copy, which is faster for short patches such as DeepHebb's
// first layer's. Winograd convolutions run winoProduct instead.
func (b *Backend) patchProduct(g *convGeom, x []float32, lt *leftTask, top, bot []float32) {
	lt.g = *g
	if wg, ok := b.winograd(g); ok {
		b.winoProduct(&wg, x, lt, top, bot)
		return
	}
	m, ckk, cols := lt.rows(), g.CKK, g.CKK
	if g.dense {
		ckk, cols = 0, g.C // the patch matrix is x itself
	}
	nb := g.chunk(b, ckk+m)
	buf := b.chunkScratch((ckk + m) * nb * g.P)
	col := buf[: ckk*nb*g.P : ckk*nb*g.P]
	lt.l = buf[ckk*nb*g.P:]
	b.leftScratch(lt, nb)
	dst, rows := [2][]float32{top, bot}, g.K
	if m > g.K && m*cols <= b.scratch()/16 {
		dst, rows = [2][]float32{grow32(&b.ws.acc, m*cols)}, m
	}
	for b0 := 0; b0 < g.B; b0 += nb {
		n := min(nb, g.B-b0)
		ld := n * g.P
		b.leftChunk(lt, b0, n)
		beta := float32(1)
		if b0 == 0 {
			beta = 0
		}
		if !g.dense {
			b.im2col(g, x, b0, n, col)
		}
		for i, c := range dst {
			if i*rows >= m {
				break
			}
			l := lt.l[i*rows*ld:]
			if g.dense {
				// 1×1 kernel on 1×1 inputs: the patch matrix is x itself, [B, C].
				b.mm.Sgemm(false, false, rows, g.C, n, 1, l, ld, x[b0*g.C:], g.C, beta, c, g.C)
			} else {
				b.mm.Sgemm(false, true, rows, g.CKK, ld, 1, l, ld, col, ld, beta, c, g.CKK)
			}
		}
	}
	if rows == m && bot != nil {
		copy(top, dst[0][:g.K*cols])
		copy(bot, dst[0][g.K*cols:])
	}
}

// rows is the number of rows of the left operand lt fills.
func (t *leftTask) rows() int {
	m := 0
	if t.dy != nil {
		m += t.g.K
	}
	if t.u != nil {
		m += t.g.K
	}
	return m
}

// leftScratch sizes lt's per-sample partials of s for chunks of nb samples
// and clears s (when lt computes y).
func (b *Backend) leftScratch(lt *leftTask, nb int) {
	if lt.u == nil {
		return
	}
	g := &lt.g
	lt.part = grow64(&b.ws.part, nb*g.K)
	lt.scr = grow32(&b.ws.smScr, nb*2*g.P)
	lt.win = growI32(&b.ws.win, nb*g.P)
	lt.s = grow64(&b.ws.s64, g.K)
	clear(lt.s)
}

// leftChunk fills lt's left operand with samples b0..b0+n−1 and adds their
// partials of s (ALGORITHM.md §1 step 4) in sample order, so the sum is
// independent of threads and chunks.
func (b *Backend) leftChunk(lt *leftTask, b0, n int) {
	lt.b0, lt.ld = b0, n*lt.g.P
	b.workers.do(n, lt)
	if lt.u == nil {
		return
	}
	K := lt.g.K
	for s := 0; s < n; s++ {
		for k, v := range lt.part[s*K : (s+1)*K] {
			lt.s[k] += v
		}
	}
}

// leftTask fills the left operand of patchProduct for one chunk, one item per
// sample: rows 0..K−1 are δ (when dy is set), the next K rows the
// soft-winner-take-all output y of ALGORITHM.md §1 step 2 (when u is set).
type leftTask struct {
	g      convGeom
	dy, u  []float32 // whole tensors [B, K, P]; either may be nil
	y      []float32 // [B, K, P]: the competition's output given (nil: softmax of u)
	tinv   float32
	anti   bool
	b0, ld int
	l      []float32
	part   []float64 // [n, K]: Σ_p y·u of each sample of the chunk
	scr    []float32 // [n, 2P]: per-position maximum and 1/Σexp
	win    []int32   // [n, P]: per-position winner (first argmax of u), anti only
	s      []float64 // [K]: Σ_{b,p} y·u so far
}

func (t *leftTask) run(s int) {
	K, P := t.g.K, t.g.P
	row := 0
	if t.dy != nil {
		src := t.dy[(t.b0+s)*K*P : (t.b0+s+1)*K*P]
		for k := 0; k < K; k++ {
			copy(t.l[k*t.ld+s*P:k*t.ld+(s+1)*P], src[k*P:(k+1)*P])
		}
		row = K
	}
	switch {
	case t.y != nil:
		t.given(s, row)
	case t.u != nil:
		t.softmax(s, row)
	}
}

// given copies the caller's competition output y of sample s into rows
// row0.. of L and stores the sample's Σ_p y_k·u_k for every k.
func (t *leftTask) given(s, row0 int) {
	K, P := t.g.K, t.g.P
	u := t.u[(t.b0+s)*K*P : (t.b0+s+1)*K*P]
	y := t.y[(t.b0+s)*K*P : (t.b0+s+1)*K*P]
	for k := 0; k < K; k++ {
		lr := t.l[(row0+k)*t.ld+s*P : (row0+k)*t.ld+(s+1)*P]
		copy(lr, y[k*P:(k+1)*P])
		var acc float64
		for p, v := range u[k*P : (k+1)*P] {
			acc += float64(lr[p]) * float64(v)
		}
		t.part[s*K+k] = acc
	}
}

// softmax writes y = softmax(TInv·u) over channels at every position of
// sample s into rows row0.. of L; with anti, every channel but the winner
// argmax_k u gets −y (SoftHebb, ALGORITHM.md §4). It also stores the
// sample's Σ_p y_k·u_k for every k.
func (t *leftTask) softmax(s, row0 int) {
	K, P := t.g.K, t.g.P
	u := t.u[(t.b0+s)*K*P : (t.b0+s+1)*K*P]
	mx, inv := t.scr[2*s*P:(2*s+1)*P], t.scr[(2*s+1)*P:(2*s+2)*P]
	win := t.win[s*P : (s+1)*P]
	scaleRow(mx, u[:P], t.tinv)
	for k := 1; k < K; k++ {
		scaleMax(mx, u[k*P:(k+1)*P], t.tinv)
	}
	if t.anti {
		// The first argmax of u, tracking its value in inv (free until
		// the exponentials below).
		best := inv
		copy(best, u[:P])
		clear(win)
		for k := 1; k < K; k++ {
			for p, v := range u[k*P : (k+1)*P] {
				if v > best[p] {
					best[p], win[p] = v, int32(k)
				}
			}
		}
	}
	clear(inv)
	for k := 0; k < K; k++ {
		expRow(t.l[(row0+k)*t.ld+s*P:(row0+k)*t.ld+(s+1)*P], inv, u[k*P:(k+1)*P], mx, t.tinv)
	}
	for p, v := range inv {
		inv[p] = 1 / v
	}
	for k := 0; k < K; k++ {
		lr := t.l[(row0+k)*t.ld+s*P : (row0+k)*t.ld+(s+1)*P]
		var acc float64
		for p, v := range u[k*P : (k+1)*P] {
			y := lr[p] * inv[p]
			if t.anti && win[p] != int32(k) {
				y = -y
			}
			lr[p] = y
			acc += float64(y) * float64(v)
		}
		t.part[s*K+k] = acc
	}
}

// chanSumTask writes dst[k] = Σ_{b,p} src[b, k, p] (a bias gradient), one
// item per block of cb channels; each channel sums in (b, p) order.
type chanSumTask struct {
	src, dst []float32
	B, K, P  int
	cb       int
}

func (t *chanSumTask) run(i int) {
	for k := i * t.cb; k < min(t.K, (i+1)*t.cb); k++ {
		var acc float64
		for b := 0; b < t.B; b++ {
			for _, v := range t.src[(b*t.K+k)*t.P : (b*t.K+k+1)*t.P] {
				acc += float64(v)
			}
		}
		t.dst[k] = float32(acc)
	}
}

// chanSum sums src [B, K, P] over b and p into dst [K].
func (b *Backend) chanSum(dst, src []float32, B, K, P int) {
	t := &b.ws.csum
	*t = chanSumTask{src: src, dst: dst, B: B, K: K, P: P, cb: max(1, grain/max(1, B*P))}
	b.workers.do(items(K, t.cb), t)
	*t = chanSumTask{}
}

// biasTask adds bias[k] to every y[b, k, :], one item per sample.
type biasTask struct {
	y, bias []float32
	K, P    int
}

func (t *biasTask) run(s int) {
	for k, v := range t.bias {
		row := t.y[(s*t.K+k)*t.P : (s*t.K+k+1)*t.P]
		for p := range row {
			row[p] += v
		}
	}
}

// addBias adds bias [K] to y [B, K, P].
func (b *Backend) addBias(y, bias []float32, B, K, P int) {
	t := &b.ws.bias
	*t = biasTask{y: y, bias: bias, K: K, P: P}
	b.workers.do(B, t)
	*t = biasTask{}
}

// unchunkTask copies a chunk's GEMM output [K, n·P] (columns (sample,
// position)) into n samples of a [B, K, P] tensor, adding the bias; one item
// per sample.
type unchunkTask struct {
	y, out, bias []float32
	n, K, P      int
}

func (t *unchunkTask) run(s int) {
	ld := t.n * t.P
	for k := 0; k < t.K; k++ {
		dst := t.y[(s*t.K+k)*t.P : (s*t.K+k+1)*t.P]
		copy(dst, t.out[k*ld+s*t.P:k*ld+(s+1)*t.P])
		if t.bias != nil {
			for p := range dst {
				dst[p] += t.bias[k]
			}
		}
	}
}

// unchunk scatters out [K, n·P] into y (from its first sample) plus bias.
func (b *Backend) unchunk(y, out, bias []float32, n, K, P int) {
	t := &b.ws.unchunk
	*t = unchunkTask{y: y, out: out, bias: bias, n: n, K: K, P: P}
	b.workers.do(n, t)
	*t = unchunkTask{}
}
