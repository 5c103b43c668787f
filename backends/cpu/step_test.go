package cpu

import (
	"math/rand/v2"

	"ghlsim/backends"
)

// step is one DeepHebb-style training step on fixed tensors: BN → conv →
// ReLU → max pool → linear → loss, its backward pass with the fused
// weight-gradient/Hebbian kernel and the separate OjaSWTA, a Triangle
// activation, an average pool, and the GHL, SGD and Adam updates. It is the
// workload of the allocation and thread-invariance tests.
type step struct {
	b                                 *Backend
	x, xn, w, u, a, pooled, lw, logit *Tensor
	dlogit, dpool, da, du             *Tensor
	dxn, dx, dw, h, h2, m, lwg        *Tensor
	tri, dtri, avg, davg, mw, vw      *Tensor
	flat, dflatView                   backends.Tensor
	arg                               backends.Indices
	st                                backends.BNState
	labels                            []int32
	conv                              backends.ConvParams
	pool, avgp                        backends.PoolParams
	n                                 int
	loss                              float64
}

// newStep allocates the step's tensors on b with seeded random contents;
// the convolution has a k×k kernel (5 or 3) with reflect padding k/2.
func newStep(b *Backend, k int) *step {
	rng := rand.New(rand.NewPCG(1, 2))
	rnd := func(s backends.Shape, scale float64) *Tensor {
		t := tensorOf(b.Alloc(s))
		for i := range t.data {
			t.data[i] = float32(rng.NormFloat64() * scale)
		}
		return t
	}
	zero := func(s backends.Shape) *Tensor { return tensorOf(b.Alloc(s)) }
	const B, C, H, K, classes = 4, 3, 12, 8, 5
	s := &step{b: b, conv: backends.ConvParams{Stride: 1, Pad: k / 2, Mode: backends.PadReflect},
		pool: backends.PoolParams{Kernel: 4, Stride: 2, Pad: 1}, avgp: backends.PoolParams{Kernel: 2, Stride: 2}}
	xs, ys := backends.Shape{B, C, H, H}, backends.Shape{B, K, H, H}
	ps := backends.Shape{B, K, 6, 6}
	s.x, s.xn, s.dxn, s.dx = rnd(xs, 1), zero(xs), zero(xs), zero(xs)
	s.w, s.dw, s.h, s.h2 = rnd(backends.Shape{K, C, k, k}, 0.1), zero(backends.Shape{K, C, k, k}), zero(backends.Shape{K, C, k, k}), zero(backends.Shape{K, C, k, k})
	s.m, s.mw, s.vw = zero(s.w.shape), zero(s.w.shape), zero(s.w.shape)
	s.u, s.a, s.du, s.da = zero(ys), zero(ys), zero(ys), zero(ys)
	s.tri, s.dtri = zero(ys), zero(ys)
	s.pooled, s.dpool, s.arg = zero(ps), zero(ps), b.AllocIndices(ps)
	s.avg, s.davg = zero(backends.Shape{B, K, 6, 6}), zero(ys)
	s.flat, s.dflatView = b.Reshape(s.pooled, backends.Shape{B, K * 36}), b.Reshape(s.dpool, backends.Shape{B, K * 36})
	s.lw, s.lwg = rnd(backends.Shape{classes, K * 36}, 0.05), zero(backends.Shape{classes, K * 36})
	s.logit, s.dlogit = zero(backends.Shape{B, classes}), zero(backends.Shape{B, classes})
	cs := backends.Shape{C}
	s.st = backends.BNState{RunMean: b.Alloc(cs), RunVar: b.Alloc(cs), SaveMean: b.Alloc(cs), SaveInvStd: b.Alloc(cs)}
	b.Fill(s.st.RunVar, 1)
	s.labels = []int32{0, 1, 2, 3}
	return s
}

// run executes the step once.
func (s *step) run() {
	b := s.b
	bn := backends.DefaultBN
	relu := backends.ActParams{Kind: backends.ReLU}
	tri := backends.ActParams{Kind: backends.Triangle, Power: 0.7}
	oja := backends.OjaParams{TInv: 0.65, AntiHebbian: true, Conv: s.conv}

	b.BatchNorm(s.xn, s.x, nil, nil, s.st, bn)
	b.Conv2D(s.u, s.xn, s.w, nil, s.conv)
	b.Activation(s.a, s.u, relu)
	b.Activation(s.tri, s.u, tri)
	b.MaxPool2D(s.pooled, s.arg, s.a, s.pool)
	b.AvgPool2D(s.avg, s.a, s.avgp)
	b.Linear(s.logit, s.flat, s.lw, nil)
	s.loss, s.n = b.SoftmaxCrossEntropy(s.dlogit, s.logit, s.labels)
	b.LinearBackwardWeight(s.lwg, nil, s.flat, s.dlogit)
	b.LinearBackwardData(s.dflatView, s.dlogit, s.lw)
	b.MaxPool2DBackward(s.da, s.dpool, s.arg)
	b.AvgPool2DBackward(s.davg, s.avg, s.avgp)
	b.ActivationBackward(s.dtri, s.da, s.u, tri)
	b.ActivationBackward(s.du, s.da, s.u, relu)
	b.Conv2DBackwardData(s.dxn, s.du, s.w, s.conv)
	b.BatchNormBackward(s.dx, nil, nil, s.dxn, s.x, nil, s.st, bn)
	mx := b.Conv2DBackwardWeightHebb(s.dw, nil, s.h, s.xn, s.du, s.u, s.w, oja)
	b.OjaSWTA(s.h2, s.xn, s.u, s.w, oja)
	b.Conv2DBackwardWeight(s.dw, nil, s.xn, s.du, s.conv)
	b.Sign(s.m, s.dw)
	b.ModulatedUpdate(s.w, s.h, s.m, 1/(mx+1e-30), 1e-3, 1e-4)
	b.Adam(s.mw, s.dw, s.m, s.vw, 1e-3, 0.9, 0.999, 1e-8, 0, 1)
	b.SGD(s.lw, s.lwg, nil, 1e-2, 0, 0)
}

// outputs lists the tensors a step writes, for comparisons.
func (s *step) outputs() []*Tensor {
	return []*Tensor{s.xn, s.u, s.a, s.tri, s.pooled, s.avg, s.logit, s.dlogit, s.lwg, s.dpool, s.da, s.davg,
		s.dtri, s.du, s.dxn, s.dx, s.dw, s.h, s.h2, s.m, s.w, s.mw, s.vw, s.lw}
}
