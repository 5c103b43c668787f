package cpu

import "ghlsim/backends"

// Conv2D computes y = conv2d(x, w) + bias by im2col and one GEMM per chunk
// of samples (Y[K, n·P] = W[K, C·kh·kw] · patches[C·kh·kw, n·P], so W is
// packed once per chunk), the chunk being as many samples as keep the
// patches and the GEMM's output within the per-chunk scratch bound — or by
// Winograd where the backend's
// ConvAlgorithm selects it. x [B,C,H,W], w [K,C,kh,kw], bias [K] or nil,
// y [B,K,H',W']; y must not overlap x.
func (b *Backend) Conv2D(y, x, w, bias backends.Tensor, p backends.ConvParams) {
	yt, xt, wt := tensorOf(y), tensorOf(x), tensorOf(w)
	g := geom("Conv2D", xt, wt, yt, p)
	bs := vecOf("Conv2D", "bias", bias, g.K)
	if g.dense {
		b.mm.Sgemm(false, true, g.B, g.K, g.C, 1, xt.data, g.C, wt.data, g.C, 0, yt.data, g.K)
		if bs != nil {
			b.addBias(yt.data, bs, g.B, g.K, 1)
		}
		return
	}
	if wg, ok := b.winograd(&g); ok {
		b.winoConv(&wg, xt.data, wt.data, bs, yt.data)
		return
	}
	nb := g.chunk(b, g.CKK+g.K)
	buf := b.chunkScratch((g.CKK + g.K) * nb * g.P)
	col, out := buf[:g.CKK*nb*g.P:g.CKK*nb*g.P], buf[g.CKK*nb*g.P:]
	for b0 := 0; b0 < g.B; b0 += nb {
		n := min(nb, g.B-b0)
		b.im2col(&g, xt.data, b0, n, col)
		if n == 1 { // the GEMM's output is already y's layout
			b.mm.Sgemm(false, false, g.K, g.P, g.CKK, 1, wt.data, g.CKK, col, g.P, 0, yt.data[b0*g.K*g.P:], g.P)
			if bs != nil {
				b.addBias(yt.data[b0*g.K*g.P:(b0+1)*g.K*g.P], bs, 1, g.K, g.P)
			}
			continue
		}
		b.mm.Sgemm(false, false, g.K, n*g.P, g.CKK, 1, wt.data, g.CKK, col, n*g.P, 0, out, n*g.P)
		b.unchunk(yt.data[b0*g.K*g.P:], out, bs, n, g.K, g.P)
	}
}

// Conv2DBackwardData computes dx = ∂L/∂x: per chunk of samples the patch
// gradients Wᵀ·δ by one GEMM (δ = dy with the chunk's samples side by side),
// then col2im sums them back onto the (unpadded) input; with reflect
// padding the gradient of a mirrored tap lands on the input it mirrors.
// Winograd convolutions scatter their transformed tile gradients instead.
func (b *Backend) Conv2DBackwardData(dx, dy, w backends.Tensor, p backends.ConvParams) {
	dxt, dyt, wt := tensorOf(dx), tensorOf(dy), tensorOf(w)
	g := geom("Conv2DBackwardData", dxt, wt, dyt, p)
	if g.dense {
		b.mm.Sgemm(false, false, g.B, g.C, g.K, 1, dyt.data, g.K, wt.data, g.C, 0, dxt.data, g.C)
		return
	}
	if wg, ok := b.winograd(&g); ok {
		b.winoBackwardData(&wg, dyt.data, wt.data, dxt.data)
		return
	}
	nb := g.chunk(b, g.CKK+g.K)
	buf := b.chunkScratch((g.CKK + g.K) * nb * g.P)
	col := buf[: g.CKK*nb*g.P : g.CKK*nb*g.P]
	lt := &b.ws.lt
	*lt = leftTask{g: g, dy: dyt.data, l: buf[g.CKK*nb*g.P:]}
	for b0 := 0; b0 < g.B; b0 += nb {
		n := min(nb, g.B-b0)
		lt.b0, lt.ld = b0, n*g.P
		b.workers.do(n, lt)
		b.mm.Sgemm(true, false, g.CKK, n*g.P, g.K, 1, wt.data, g.CKK, lt.l, n*g.P, 0, col, n*g.P)
		b.col2im(&g, dxt.data, b0, n, col)
	}
	*lt = leftTask{}
}

// Conv2DBackwardWeight computes dw = Σ_chunks δ·patchesᵀ (δ = dy with the
// chunk's samples side by side, one GEMM per chunk) and dbias = Σ_{b,p} dy
// when dbias is not nil; it overwrites both.
func (b *Backend) Conv2DBackwardWeight(dw, dbias, x, dy backends.Tensor, p backends.ConvParams) {
	dwt, xt, dyt := tensorOf(dw), tensorOf(x), tensorOf(dy)
	g := geom("Conv2DBackwardWeight", xt, dwt, dyt, p)
	db := vecOf("Conv2DBackwardWeight", "dbias", dbias, g.K)
	if g.dense {
		b.mm.Sgemm(true, false, g.K, g.C, g.B, 1, dyt.data, g.K, xt.data, g.C, 0, dwt.data, g.C)
	} else {
		lt := &b.ws.lt
		*lt = leftTask{dy: dyt.data}
		b.patchProduct(&g, xt.data, lt, dwt.data, nil)
		*lt = leftTask{}
	}
	if db != nil {
		b.chanSum(db, dyt.data, g.B, g.K, g.P)
	}
}
