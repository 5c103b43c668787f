package torch

import (
	"fmt"

	"ghlsim/backends"
)

// actKind maps an activation to the shim's code and sets its power.
func (b *Backend) actKind(p backends.ActParams) uintptr {
	b.s.f[0] = p.Power
	switch p.Kind {
	case backends.Identity:
		return 0
	case backends.ReLU:
		return 1
	case backends.Triangle:
		return 2
	}
	panic(fmt.Sprintf("torch: unknown activation %d", p.Kind))
}

// Activation computes y = f(x).
func (b *Backend) Activation(y, x backends.Tensor, p backends.ActParams) {
	ty, tx := b.t(y), b.t(x)
	b.enter()
	defer b.mu.Unlock()
	b.do("Activation", b.lib.activation, ty.h, tx.h, b.actKind(p), b.s.fp, b.s.errp)
	keep(ty, tx)
}

// ActivationBackward computes dx = f'(x)·dy; for Triangle the full Jacobian,
// including the channel mean.
func (b *Backend) ActivationBackward(dx, dy, x backends.Tensor, p backends.ActParams) {
	tdx, tdy, tx := b.t(dx), b.t(dy), b.t(x)
	b.enter()
	defer b.mu.Unlock()
	b.do("ActivationBackward", b.lib.activationBackward, tdx.h, tdy.h, tx.h, b.actKind(p), b.s.fp, b.s.errp)
	keep(tdx, tdy, tx)
}

// Dropout zeroes element i unless backends.DropoutKeep(seed, i, rate) and
// scales the kept ones by 1/(1−rate); mask receives the applied factor. The
// mask is hashed on the device, bit-identical to the cpu backend's.
func (b *Backend) Dropout(y, mask, x backends.Tensor, rate float32, seed uint64) {
	ty, tm, tx := b.t(y), b.t(mask), b.t(x)
	if !(rate >= 0 && rate <= 1) {
		panic(fmt.Sprintf("torch: Dropout rate %v not in [0, 1]", rate))
	}
	b.enter()
	defer b.mu.Unlock()
	b.s.f[0] = rate
	b.do("Dropout", b.lib.dropout, ty.h, tm.h, tx.h, b.s.fp, uintptr(seed), b.s.errp)
	keep(ty, tm, tx)
}
