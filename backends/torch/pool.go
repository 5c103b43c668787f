package torch

import (
	"fmt"

	"ghlsim/backends"
)

// setPool writes a pool parameter block (kernel, stride, pad) into scratch.
func (b *Backend) setPool(op string, x *Tensor, p backends.PoolParams) {
	if len(x.shape) != 4 {
		panic(fmt.Sprintf("torch: %s: input %v must be 4-d", op, x.shape))
	}
	if err := p.Validate(x.shape[2], x.shape[3]); err != nil {
		panic(fmt.Sprintf("torch: %s: %v", op, err))
	}
	b.s.i[0], b.s.i[1], b.s.i[2] = int64(p.Kernel), int64(p.Stride), int64(p.Pad)
}

// MaxPool2D pools x into y and records each output's winning input in arg.
func (b *Backend) MaxPool2D(y backends.Tensor, arg backends.Indices, x backends.Tensor, p backends.PoolParams) {
	ty, ix, tx := b.t(y), b.ix(arg), b.t(x)
	if !ix.shape.Equal(ty.shape) {
		panic(fmt.Sprintf("torch: MaxPool2D: indices %v for output %v", ix.shape, ty.shape))
	}
	b.enter()
	defer b.mu.Unlock()
	b.setPool("MaxPool2D", tx, p)
	b.do("MaxPool2D", b.lib.maxpool, ty.h, ix.t.h, tx.h, b.s.ip, b.s.errp)
	ix.pool, ix.set = p, true
	keep(ty, ix.t, tx)
}

// MaxPool2DBackward routes dy to the winners recorded in arg (dx is
// overwritten).
func (b *Backend) MaxPool2DBackward(dx, dy backends.Tensor, arg backends.Indices) {
	tdx, tdy, ix := b.t(dx), b.t(dy), b.ix(arg)
	if !ix.set {
		panic("torch: MaxPool2DBackward with indices no MaxPool2D has written")
	}
	b.enter()
	defer b.mu.Unlock()
	b.setPool("MaxPool2DBackward", tdx, ix.pool)
	b.do("MaxPool2DBackward", b.lib.maxpoolBackward, tdx.h, tdy.h, ix.t.h, b.s.ip, b.s.errp)
	keep(tdx, tdy, ix.t)
}

// AvgPool2D averages x over windows into y (padded zeros count).
func (b *Backend) AvgPool2D(y, x backends.Tensor, p backends.PoolParams) {
	ty, tx := b.t(y), b.t(x)
	b.enter()
	defer b.mu.Unlock()
	b.setPool("AvgPool2D", tx, p)
	b.do("AvgPool2D", b.lib.avgpool, ty.h, tx.h, b.s.ip, b.s.errp)
	keep(ty, tx)
}

// AvgPool2DBackward spreads dy evenly over each window (dx is overwritten).
func (b *Backend) AvgPool2DBackward(dx, dy backends.Tensor, p backends.PoolParams) {
	tdx, tdy := b.t(dx), b.t(dy)
	b.enter()
	defer b.mu.Unlock()
	b.setPool("AvgPool2DBackward", tdx, p)
	b.do("AvgPool2DBackward", b.lib.avgpoolBackward, tdx.h, tdy.h, b.s.ip, b.s.errp)
	keep(tdx, tdy)
}
