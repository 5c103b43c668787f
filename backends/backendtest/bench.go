package backendtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"ghlsim/backends"
)

// benchLayer is a conv layer of a benchmark size, followed by the pooling of
// its DeepHebb block.
type benchLayer struct {
	name string
	convSpec
	pool backends.PoolParams
}

// benchLayers are the benchmark sizes: Small and Medium, and as Large the
// three DeepHebb conv layers at batch 64 (ALGORITHM.md §5).
var benchLayers = []benchLayer{
	{"Small", convSpec{8, 3, 16, 16, 16, 3, 3, backends.ConvParams{Stride: 1, Pad: 1}}, backends.PoolParams{Kernel: 2, Stride: 2}},
	{"Medium", convSpec{32, 32, 16, 16, 64, 3, 3, backends.ConvParams{Stride: 1, Pad: 1}}, backends.PoolParams{Kernel: 4, Stride: 2, Pad: 1}},
	{"Large1", convSpec{64, 3, 32, 32, 96, 5, 5, backends.ConvParams{Stride: 1, Pad: 2}}, backends.PoolParams{Kernel: 4, Stride: 2, Pad: 1}},
	{"Large2", convSpec{64, 96, 16, 16, 384, 3, 3, backends.ConvParams{Stride: 1, Pad: 1}}, backends.PoolParams{Kernel: 4, Stride: 2, Pad: 1}},
	{"Large3", convSpec{64, 384, 8, 8, 1536, 3, 3, backends.ConvParams{Stride: 1, Pad: 1}}, backends.PoolParams{Kernel: 2, Stride: 2}},
}

// Benchmarks runs one sub-benchmark per layer op and size, named
// op/size (e.g. ConvForward/Large2): convolution forward and both backward
// ops, OjaSWTA and the fused Conv2DBackwardWeightHebb (reporting GFLOP/s
// of their GEMM work, 2·B·K·P·C·kh·kw per product), max and average pooling,
// batch norm, ReLU and Triangle (reporting bytes/s of the tensors read and
// written), and the modulated update. Select with -bench, e.g.
// -bench 'Ops/ConvForward/Large'.
func Benchmarks(b *testing.B, open func() backends.Backend) {
	bk := open()
	b.Cleanup(func() { bk.Close() })
	fuser, fused := bk.(backends.HebbGradFuser)
	noFuser := ""
	if !fused {
		noFuser = bk.Name() + " does not implement backends.HebbGradFuser"
	}
	type op struct {
		name  string
		flops func(l benchLayer) float64 // GEMM work per call, or nil
		bytes func(l benchLayer) int64   // tensor bytes moved per call, or nil
		setup func(f *fixture) func()    // returns one call
		skip  string                     // why the backend cannot run it, if it cannot
	}
	gemm := func(l benchLayer) float64 {
		ho, wo := l.out()
		return 2 * float64(l.B*l.K*ho*wo*l.C*l.KH*l.KW)
	}
	ops := []op{
		{name: "ConvForward", flops: gemm, setup: func(f *fixture) func() {
			return func() { f.bk.Conv2D(f.y, f.x, f.w, nil, f.l.P) }
		}},
		{name: "ConvBackwardData", flops: gemm, setup: func(f *fixture) func() {
			return func() { f.bk.Conv2DBackwardData(f.dx, f.dy, f.w, f.l.P) }
		}},
		{name: "ConvBackwardWeight", flops: gemm, setup: func(f *fixture) func() {
			return func() { f.bk.Conv2DBackwardWeight(f.dw, nil, f.x, f.dy, f.l.P) }
		}},
		{name: "OjaSWTA", flops: gemm, setup: func(f *fixture) func() {
			return func() { f.bk.OjaSWTA(f.h, f.x, f.y, f.w, f.oja) }
		}},
		{name: "ConvBackwardWeightHebb", flops: func(l benchLayer) float64 { return 2 * gemm(l) },
			skip: noFuser,
			setup: func(f *fixture) func() {
				return func() { fuser.Conv2DBackwardWeightHebb(f.dw, nil, f.h, f.x, f.dy, f.y, f.w, f.oja) }
			}},
		{name: "MaxPool", bytes: func(l benchLayer) int64 { return 4 * (l.ylen() + 2*l.plen()) }, setup: func(f *fixture) func() {
			return func() { f.bk.MaxPool2D(f.py, f.arg, f.y, f.l.pool) }
		}},
		{name: "MaxPoolBackward", bytes: func(l benchLayer) int64 { return 4 * (l.ylen() + 2*l.plen()) }, setup: func(f *fixture) func() {
			f.bk.MaxPool2D(f.py, f.arg, f.y, f.l.pool)
			return func() { f.bk.MaxPool2DBackward(f.dy, f.py, f.arg) }
		}},
		{name: "AvgPool", bytes: func(l benchLayer) int64 { return 4 * (l.ylen() + l.plen()) }, setup: func(f *fixture) func() {
			return func() { f.bk.AvgPool2D(f.py, f.y, f.l.pool) }
		}},
		{name: "BatchNormTrain", bytes: func(l benchLayer) int64 { return 4 * 3 * l.ylen() }, setup: func(f *fixture) func() {
			return func() { f.bk.BatchNorm(f.dy, f.y, nil, nil, f.st, f.bn) }
		}},
		{name: "BatchNormBackward", bytes: func(l benchLayer) int64 { return 4 * 4 * l.ylen() }, setup: func(f *fixture) func() {
			f.bk.BatchNorm(f.dy, f.y, nil, nil, f.st, f.bn)
			return func() { f.bk.BatchNormBackward(f.dx2, nil, nil, f.dy, f.y, nil, f.st, f.bn) }
		}},
		{name: "ReLU", bytes: func(l benchLayer) int64 { return 4 * 2 * l.ylen() }, setup: func(f *fixture) func() {
			return func() { f.bk.Activation(f.dy, f.y, backends.ActParams{Kind: backends.ReLU}) }
		}},
		{name: "Triangle", bytes: func(l benchLayer) int64 { return 4 * 2 * l.ylen() }, setup: func(f *fixture) func() {
			return func() { f.bk.Activation(f.dy, f.y, backends.ActParams{Kind: backends.Triangle, Power: 0.7}) }
		}},
		{name: "TriangleBackward", bytes: func(l benchLayer) int64 { return 4 * 3 * l.ylen() }, setup: func(f *fixture) func() {
			return func() {
				f.bk.ActivationBackward(f.dx2, f.dy, f.y, backends.ActParams{Kind: backends.Triangle, Power: 0.7})
			}
		}},
		{name: "ModulatedUpdate", bytes: func(l benchLayer) int64 { _, nw, _ := l.sizes(); return 4 * 4 * int64(nw) }, setup: func(f *fixture) func() {
			return func() { f.bk.ModulatedUpdate(f.w2, f.h, f.dw, 1e-3, 1e-6, 1e-6) }
		}},
	}
	for _, o := range ops {
		b.Run(o.name, func(b *testing.B) {
			for _, l := range benchLayers {
				b.Run(l.name, func(b *testing.B) {
					if o.skip != "" {
						b.Skip(o.skip)
					}
					f := newFixture(bk, l)
					call := o.setup(f)
					call() // warm-up: scratch buffers grow here
					bk.Sync()
					if o.bytes != nil {
						b.SetBytes(o.bytes(l))
					}
					b.ResetTimer()
					for b.Loop() {
						call()
					}
					bk.Sync()
					if o.flops != nil {
						b.ReportMetric(o.flops(l)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					}
				})
			}
		})
	}
}

// fixture holds one benchmark size's tensors.
type fixture struct {
	bk                  backends.Backend
	l                   benchLayer
	x, dx, w, w2, dw, h backends.Tensor
	y, dy, dx2, py      backends.Tensor
	arg                 backends.Indices
	st                  backends.BNState
	bn                  backends.BNParams
	oja                 backends.OjaParams
}

// ylen is the conv output length.
func (l benchLayer) ylen() int64 { _, _, ny := l.sizes(); return int64(ny) }

// plen is the pooled output length.
func (l benchLayer) plen() int64 {
	ho, wo := l.out()
	return int64(l.B * l.K * l.pool.OutSize(ho) * l.pool.OutSize(wo))
}

func newFixture(bk backends.Backend, l benchLayer) *fixture {
	rng := rand.New(rand.NewPCG(uint64(l.C), uint64(l.K)))
	randn := func(s backends.Shape, scale float64) backends.Tensor {
		d := make([]float32, s.Len())
		for i := range d {
			d[i] = float32(rng.NormFloat64() * scale)
		}
		t := bk.Alloc(s)
		bk.Upload(t, d)
		return t
	}
	xs, ws, ys := l.shapes()
	ho, wo := l.out()
	ps := backends.Shape{l.B, l.K, l.pool.OutSize(ho), l.pool.OutSize(wo)}
	cs := backends.Shape{l.K}
	fx := &fixture{bk: bk, l: l,
		x: randn(xs, 1), dx: bk.Alloc(xs), w: randn(ws, 1/math.Sqrt(float64(l.C*l.KH*l.KW))), w2: randn(ws, 0.1),
		dw: bk.Alloc(ws), h: bk.Alloc(ws), y: randn(ys, 1), dy: randn(ys, 1), dx2: bk.Alloc(ys),
		py: randn(ps, 1), arg: bk.AllocIndices(ps),
		st:  backends.BNState{RunMean: bk.Alloc(cs), RunVar: bk.Alloc(cs), SaveMean: bk.Alloc(cs), SaveInvStd: bk.Alloc(cs)},
		bn:  backends.DefaultBN,
		oja: backends.OjaParams{TInv: 0.65, Conv: l.P},
	}
	return fx
}
