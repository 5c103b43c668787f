package torch

import (
	"fmt"

	"ghlsim/backends"
)

// setConv writes a conv parameter block (stride, pad, mode) into scratch.
func (b *Backend) setConv(p backends.ConvParams) {
	b.s.i[0], b.s.i[1], b.s.i[2] = int64(p.Stride), int64(p.Pad), int64(p.Mode)
}

// checkConv validates p against x [B,C,H,W] and w [K,C,kh,kw].
func checkConv(op string, x, w *Tensor, p backends.ConvParams) {
	if len(x.shape) != 4 || len(w.shape) != 4 {
		panic(fmt.Sprintf("torch: %s: x %v and w %v must be 4-d", op, x.shape, w.shape))
	}
	if err := p.Validate(x.shape[2], x.shape[3], w.shape[2], w.shape[3]); err != nil {
		panic(fmt.Sprintf("torch: %s: %v", op, err))
	}
}

// Conv2D computes y = conv2d(x, w) + bias with zero or reflect padding.
func (b *Backend) Conv2D(y, x, w, bias backends.Tensor, p backends.ConvParams) {
	ty, tx, tw, tb := b.t(y), b.t(x), b.t(w), b.opt(bias)
	checkConv("Conv2D", tx, tw, p)
	b.enter()
	defer b.mu.Unlock()
	b.setConv(p)
	b.do("Conv2D", b.lib.conv2d, ty.h, tx.h, tw.h, tb.handle(), b.s.ip, b.s.errp)
	keep(ty, tx, tw, tb)
}

// Conv2DBackwardData computes dx = ∂L/∂x from dy and w.
func (b *Backend) Conv2DBackwardData(dx, dy, w backends.Tensor, p backends.ConvParams) {
	tdx, tdy, tw := b.t(dx), b.t(dy), b.t(w)
	checkConv("Conv2DBackwardData", tdx, tw, p)
	b.enter()
	defer b.mu.Unlock()
	b.setConv(p)
	b.do("Conv2DBackwardData", b.lib.conv2dBackwardData, tdx.h, tdy.h, tw.h, b.s.ip, b.s.errp)
	keep(tdx, tdy, tw)
}

// Conv2DBackwardWeight computes dw = ∂L/∂w and, when dbias is not nil,
// dbias = ∂L/∂bias; both are overwritten.
func (b *Backend) Conv2DBackwardWeight(dw, dbias, x, dy backends.Tensor, p backends.ConvParams) {
	tdw, tdb, tx, tdy := b.t(dw), b.opt(dbias), b.t(x), b.t(dy)
	checkConv("Conv2DBackwardWeight", tx, tdw, p)
	b.enter()
	defer b.mu.Unlock()
	b.setConv(p)
	b.do("Conv2DBackwardWeight", b.lib.conv2dBackwardWeight, tdw.h, tdb.handle(), tx.h, tdy.h, b.s.ip, b.s.errp)
	keep(tdw, tdb, tx, tdy)
}

// Linear computes y = x·wᵀ + bias.
func (b *Backend) Linear(y, x, w, bias backends.Tensor) {
	ty, tx, tw, tb := b.t(y), b.t(x), b.t(w), b.opt(bias)
	b.enter()
	defer b.mu.Unlock()
	b.do("Linear", b.lib.linear, ty.h, tx.h, tw.h, tb.handle(), b.s.errp)
	keep(ty, tx, tw, tb)
}

// LinearBackwardData computes dx = dy·w.
func (b *Backend) LinearBackwardData(dx, dy, w backends.Tensor) {
	tdx, tdy, tw := b.t(dx), b.t(dy), b.t(w)
	b.enter()
	defer b.mu.Unlock()
	b.do("LinearBackwardData", b.lib.linearBackwardData, tdx.h, tdy.h, tw.h, b.s.errp)
	keep(tdx, tdy, tw)
}

// LinearBackwardWeight computes dw = dyᵀ·x and, when dbias is not nil,
// dbias = Σ_b dy.
func (b *Backend) LinearBackwardWeight(dw, dbias, x, dy backends.Tensor) {
	tdw, tdb, tx, tdy := b.t(dw), b.opt(dbias), b.t(x), b.t(dy)
	b.enter()
	defer b.mu.Unlock()
	b.do("LinearBackwardWeight", b.lib.linearBackwardWeight, tdw.h, tdb.handle(), tx.h, tdy.h, b.s.errp)
	keep(tdw, tdb, tx, tdy)
}
