package torch

import "ghlsim/backends"

// Fill sets every element of dst to v.
func (b *Backend) Fill(dst backends.Tensor, v float32) {
	d := b.t(dst)
	b.enter()
	defer b.mu.Unlock()
	b.s.f[0] = v
	b.do("Fill", b.lib.fill, d.h, b.s.fp, b.s.errp)
	keep(d)
}

// Copy copies src into dst (same length).
func (b *Backend) Copy(dst, src backends.Tensor) {
	d, s := b.t(dst), b.t(src)
	b.enter()
	defer b.mu.Unlock()
	b.do("Copy", b.lib.copy, d.h, s.h, b.s.errp)
	keep(d, s)
}

// Add computes dst = a + b.
func (b *Backend) Add(dst, a, c backends.Tensor) {
	d, x, y := b.t(dst), b.t(a), b.t(c)
	b.enter()
	defer b.mu.Unlock()
	b.do("Add", b.lib.add, d.h, x.h, y.h, b.s.errp)
	keep(d, x, y)
}

// Mul computes dst = a ⊙ b.
func (b *Backend) Mul(dst, a, c backends.Tensor) {
	d, x, y := b.t(dst), b.t(a), b.t(c)
	b.enter()
	defer b.mu.Unlock()
	b.do("Mul", b.lib.mul, d.h, x.h, y.h, b.s.errp)
	keep(d, x, y)
}

// AXPY computes y += a·x.
func (b *Backend) AXPY(y backends.Tensor, a float32, x backends.Tensor) {
	ty, tx := b.t(y), b.t(x)
	b.enter()
	defer b.mu.Unlock()
	b.s.f[0] = a
	b.do("AXPY", b.lib.axpy, ty.h, b.s.fp, tx.h, b.s.errp)
	keep(ty, tx)
}

// Sign writes sign(src) into dst with sign(0) = 0.
func (b *Backend) Sign(dst, src backends.Tensor) {
	d, s := b.t(dst), b.t(src)
	b.enter()
	defer b.mu.Unlock()
	b.do("Sign", b.lib.sign, d.h, s.h, b.s.errp)
	keep(d, s)
}

// MaxAbs returns max |t| (it waits for the device).
func (b *Backend) MaxAbs(t backends.Tensor) float32 {
	tt := b.t(t)
	b.enter()
	defer b.mu.Unlock()
	b.do("MaxAbs", b.lib.maxabs, tt.h, b.s.f32p, b.s.errp)
	keep(tt)
	return b.s.f32
}
