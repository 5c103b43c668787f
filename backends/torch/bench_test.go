package torch

import (
	"math/rand/v2"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
)

// ghlStep is one GHL training step of DeepHebb's first block at batch B:
// BN → conv 3→K k5 p2 → ReLU → max-pool k4 s2 p1, then the backward pass
// from a random upstream gradient, the fused weight gradient + Oja-SWTA
// term, the gradient sign and the modulated update. Every tensor is
// allocated once; step runs the schedule.
type ghlStep struct {
	bk                   backends.Backend
	x, xn, w, u, a, p    backends.Tensor
	dp, da, du, dw, h, m backends.Tensor
	rm, rv, sm, si       backends.Tensor
	arg                  backends.Indices
	B                    int
	conv                 backends.ConvParams
	pool                 backends.PoolParams
}

func newGHLStep(bk backends.Backend, B, K int) *ghlStep {
	s := &ghlStep{bk: bk, B: B, conv: backends.ConvParams{Stride: 1, Pad: 2}, pool: backends.PoolParams{Kernel: 4, Stride: 2, Pad: 1}}
	rng := rand.New(rand.NewPCG(1, 2))
	randn := func(sh backends.Shape, sc float64) backends.Tensor {
		t := bk.Alloc(sh)
		v := make([]float32, sh.Len())
		for i := range v {
			v[i] = float32(rng.NormFloat64() * sc)
		}
		bk.Upload(t, v)
		return t
	}
	xs, ws, us, ps := backends.Shape{B, 3, 32, 32}, backends.Shape{K, 3, 5, 5}, backends.Shape{B, K, 32, 32}, backends.Shape{B, K, 16, 16}
	s.x, s.xn, s.w = randn(xs, 1), bk.Alloc(xs), randn(ws, 0.1)
	s.u, s.a, s.du, s.da = bk.Alloc(us), bk.Alloc(us), bk.Alloc(us), bk.Alloc(us)
	s.p, s.dp = bk.Alloc(ps), randn(ps, 1)
	s.arg = bk.AllocIndices(ps)
	s.dw, s.h, s.m = bk.Alloc(ws), bk.Alloc(ws), bk.Alloc(ws)
	c := backends.Shape{3}
	s.rm, s.rv, s.sm, s.si = bk.Alloc(c), bk.Alloc(c), bk.Alloc(c), bk.Alloc(c)
	bk.Fill(s.rv, 1)
	return s
}

func (s *ghlStep) step() {
	bk := s.bk
	st := backends.BNState{RunMean: s.rm, RunVar: s.rv, SaveMean: s.sm, SaveInvStd: s.si}
	bk.BatchNorm(s.xn, s.x, nil, nil, st, backends.DefaultBN)
	bk.Conv2D(s.u, s.xn, s.w, nil, s.conv)
	relu := backends.ActParams{Kind: backends.ReLU}
	bk.Activation(s.a, s.u, relu)
	bk.MaxPool2D(s.p, s.arg, s.a, s.pool)
	bk.MaxPool2DBackward(s.da, s.dp, s.arg)
	bk.ActivationBackward(s.du, s.da, s.u, relu)
	op := backends.OjaParams{TInv: 1, Conv: s.conv}
	var mx float32
	if f, ok := bk.(backends.HebbGradFuser); ok {
		mx = f.Conv2DBackwardWeightHebb(s.dw, nil, s.h, s.xn, s.du, s.u, s.w, op)
	} else {
		bk.Conv2DBackwardWeight(s.dw, nil, s.xn, s.du, s.conv)
		mx = bk.OjaSWTA(s.h, s.xn, s.u, s.w, op)
	}
	bk.Sign(s.m, s.dw)
	bk.ModulatedUpdate(s.w, s.h, s.m, 1/(mx+1e-30), 1e-2, 5e-2)
}

func benchGHL(b *testing.B, bk backends.Backend, B, K int) {
	s := newGHLStep(bk, B, K)
	s.step()
	bk.Sync()
	b.ResetTimer()
	for b.Loop() {
		s.step()
	}
	bk.Sync()
	b.ReportMetric(float64(B*b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkGHLBlock times one GHL step of DeepHebb block 1 (width 96 and a
// quarter width 24) at batch 16 on cpu and on torch:cpu (and torch:cuda:0
// when present), reporting images/s.
func BenchmarkGHLBlock(b *testing.B) {
	for _, k := range []int{24, 96} {
		b.Run("cpu/K"+itoa(k), func(b *testing.B) { benchGHL(b, cpu.New(2), 16, k) })
		b.Run("torch-cpu/K"+itoa(k), func(b *testing.B) {
			bk := openOrSkip(b, "torch:cpu")
			bk.SetThreads(2)
			benchGHL(b, bk, 16, k)
		})
		b.Run("torch-cuda/K"+itoa(k), func(b *testing.B) { benchGHL(b, openOrSkip(b, cudaName), 16, k) })
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
