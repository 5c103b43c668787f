package torch

import (
	"fmt"

	"ghlsim/backends"
)

// setOja writes the Oja-SWTA parameters into scratch and returns the
// anti-Hebbian flag as a call argument.
func (b *Backend) setOja(p backends.OjaParams) uintptr {
	b.s.f[0] = p.TInv
	b.setConv(p.Conv)
	if p.AntiHebbian {
		return 1
	}
	return 0
}

// checkOja validates the shapes of an Oja-SWTA call.
func checkOja(op string, h, x, u, w, y *Tensor, p backends.OjaParams) {
	if y != nil && !y.shape.Equal(u.shape) {
		panic(fmt.Sprintf("torch: %s: Y %v must have the shape of u %v", op, y.shape, u.shape))
	}
	if !h.shape.Equal(w.shape) {
		panic(fmt.Sprintf("torch: %s: h %v must have the shape of w %v", op, h.shape, w.shape))
	}
	if len(w.shape) == 4 {
		checkConv(op, x, w, p.Conv)
	} else if len(w.shape) != 2 {
		panic(fmt.Sprintf("torch: %s: w %v must be 2-d or 4-d", op, w.shape))
	}
	if len(u.shape) < 2 || u.shape[1] != w.shape[0] {
		panic(fmt.Sprintf("torch: %s: u %v does not have the %d output channels of w", op, u.shape, w.shape[0]))
	}
}

// OjaSWTA computes the unnormalised Oja-SWTA Hebbian term of ALGORITHM.md §1
// into h and returns max|H| (one libtorch call under NoGradGuard; it waits
// for the device). The plain float64 form of the same math is
// synapse.ReferenceOjaSWTA (synapse/ghl_reference.go).
func (b *Backend) OjaSWTA(h, x, u, w backends.Tensor, p backends.OjaParams) (maxAbs float32) {
	th, tx, tu, tw, ty := b.t(h), b.t(x), b.t(u), b.t(w), b.opt(p.Y)
	checkOja("OjaSWTA", th, tx, tu, tw, ty, p)
	b.enter()
	defer b.mu.Unlock()
	anti := b.setOja(p)
	b.do("OjaSWTA", b.lib.ojaSWTA, th.h, tx.h, ty.handle(), tu.h, tw.h, b.s.fp, anti, b.s.ip, b.s.f32p, b.s.errp)
	keep(th, tx, tu, tw, ty)
	return b.s.f32
}

// Conv2DBackwardWeightHebb computes the weight gradient (and bias gradient
// when dbias is not nil) and the Oja-SWTA term in one weight-gradient pass:
// dy and the soft-WTA output are stacked along the output channels, so the
// input patches are read once. It returns max|H|.
func (b *Backend) Conv2DBackwardWeightHebb(dw, dbias, h, x, dy, u, w backends.Tensor, p backends.OjaParams) (maxAbs float32) {
	tdw, tdb, th, tx := b.t(dw), b.opt(dbias), b.t(h), b.t(x)
	tdy, tu, tw, ty := b.t(dy), b.t(u), b.t(w), b.opt(p.Y)
	checkOja("Conv2DBackwardWeightHebb", th, tx, tu, tw, ty, p)
	b.enter()
	defer b.mu.Unlock()
	anti := b.setOja(p)
	b.do("Conv2DBackwardWeightHebb", b.lib.backwardWeightHebb, tdw.h, tdb.handle(), th.h, tx.h, ty.handle(), tdy.h,
		tu.h, tw.h, b.s.fp, anti, b.s.ip, b.s.f32p, b.s.errp)
	keep(tdw, tdb, th, tx, tdy, tu, tw, ty)
	return b.s.f32
}

// ModulatedUpdate applies W ← W − lr·(|E|·eScale ⊙ M + wd·W) in one call.
func (b *Backend) ModulatedUpdate(w, e, m backends.Tensor, eScale, lr, wd float32) {
	tw, te, tm := b.t(w), b.t(e), b.t(m)
	b.enter()
	defer b.mu.Unlock()
	b.s.f[0], b.s.f[1], b.s.f[2] = eScale, lr, wd
	b.do("ModulatedUpdate", b.lib.modulatedUpdate, tw.h, te.h, tm.h, b.s.fp, b.s.errp)
	keep(tw, te, tm)
}

// SGD applies W ← W − lr·v, v = momentum·v + (g + wd·W) (PyTorch SGD,
// dampening 0); vel may be nil when momentum is 0.
func (b *Backend) SGD(w, g, vel backends.Tensor, lr, momentum, wd float32) {
	tw, tg, tv := b.t(w), b.t(g), b.opt(vel)
	if momentum != 0 && tv == nil {
		panic("torch: SGD with momentum needs a velocity tensor")
	}
	b.enter()
	defer b.mu.Unlock()
	b.s.f[0], b.s.f[1], b.s.f[2] = lr, momentum, wd
	b.do("SGD", b.lib.sgd, tw.h, tg.h, tv.handle(), b.s.fp, b.s.errp)
	keep(tw, tg, tv)
}

// Adam applies one PyTorch Adam step (coupled L2 weight decay) with moments
// m and v; step counts from 1.
func (b *Backend) Adam(w, g, m, v backends.Tensor, lr, beta1, beta2, eps, wd float32, step int) {
	tw, tg, tm, tv := b.t(w), b.t(g), b.t(m), b.t(v)
	if step < 1 {
		panic(fmt.Sprintf("torch: Adam step %d must be ≥ 1", step))
	}
	b.enter()
	defer b.mu.Unlock()
	b.s.f[0], b.s.f[1], b.s.f[2], b.s.f[3], b.s.f[4] = lr, beta1, beta2, eps, wd
	b.do("Adam", b.lib.adam, tw.h, tg.h, tm.h, tv.h, b.s.fp, uintptr(step), b.s.errp)
	keep(tw, tg, tm, tv)
}
