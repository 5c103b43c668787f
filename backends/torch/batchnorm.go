package torch

import "ghlsim/backends"

// BatchNorm normalises x per channel (axis 1) into y; gamma and beta may be
// nil. Training mode uses batch statistics, saves them in st and updates the
// running statistics (unbiased variance); eval mode uses the running ones.
func (b *Backend) BatchNorm(y, x, gamma, beta backends.Tensor, st backends.BNState, p backends.BNParams) {
	ty, tx, tg, tb := b.t(y), b.t(x), b.opt(gamma), b.opt(beta)
	rm, rv := b.t(st.RunMean), b.t(st.RunVar)
	sm, si := b.opt(st.SaveMean), b.opt(st.SaveInvStd)
	if p.Training && (sm == nil || si == nil) {
		panic("torch: BatchNorm in training mode needs st.SaveMean and st.SaveInvStd")
	}
	training := uintptr(0)
	if p.Training {
		training = 1
	}
	b.enter()
	defer b.mu.Unlock()
	b.s.f[0], b.s.f[1] = p.Eps, p.Momentum
	b.do("BatchNorm", b.lib.batchnorm, ty.h, tx.h, tg.handle(), tb.handle(), rm.h, rv.h,
		sm.handle(), si.handle(), b.s.fp, training, b.s.errp)
	keep(ty, tx, tg, tb, rm, rv, sm, si)
}

// BatchNormBackward computes dx (and dgamma, dbeta when gamma is not nil) of
// a training-mode BatchNorm from the statistics it saved in st.
func (b *Backend) BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma backends.Tensor, st backends.BNState, p backends.BNParams) {
	tdx, tdg, tdb := b.t(dx), b.opt(dgamma), b.opt(dbeta)
	tdy, tx, tg := b.t(dy), b.t(x), b.opt(gamma)
	rm, rv := b.opt(st.RunMean), b.opt(st.RunVar)
	sm, si := b.t(st.SaveMean), b.t(st.SaveInvStd)
	b.enter()
	defer b.mu.Unlock()
	b.s.f[0], b.s.f[1] = p.Eps, p.Momentum
	b.do("BatchNormBackward", b.lib.batchnormBackward, tdx.h, tdg.handle(), tdb.handle(), tdy.h, tx.h,
		tg.handle(), rm.handle(), rv.handle(), sm.h, si.h, b.s.fp, b.s.errp)
	keep(tdx, tdg, tdb, tdy, tx, tg, rm, rv, sm, si)
}
