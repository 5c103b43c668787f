package torch

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
)

// Parity tolerances against the cpu reference backend, as a fraction of the
// output scale max|cpu result| (an element fails when |torch − cpu| exceeds
// tol·scale). Both backends compute in float32 but sum in different orders,
// so the bounds follow the length of the reductions involved.
const (
	// tolElem: elementwise ops, pooling, ReLU, the optimisers, the loss
	// gradient — one or a few roundings per element.
	tolElem = 2e-6
	// tolGEMM: convolution and linear layers, forward and backward —
	// float32 dot products of up to a few thousand terms.
	tolGEMM = 5e-5
	// tolNorm: batch normalisation and Triangle (a float32 channel mean is
	// subtracted; the backward passes subtract means of products).
	tolNorm = 1e-4
	// tolHebb: the Oja-SWTA term, a float32 softmax feeding a long
	// correlation, then A − s⊙W, which can cancel.
	tolHebb = 2e-4
)

// duo runs the same operation on the cpu reference and on a torch backend.
type duo struct {
	t   *testing.T
	ref backends.Backend
	dut *Backend
	rng *rand.Rand
}

func newDuo(t *testing.T, dut *Backend, seed uint64) *duo {
	return &duo{t: t, ref: cpu.New(2), dut: dut, rng: rand.New(rand.NewPCG(seed, 7))}
}

// pair is one tensor held by both backends.
type pair struct{ r, u backends.Tensor }

// randn allocates a tensor of normal values (standard deviation scale) on
// both backends.
func (d *duo) randn(s backends.Shape, scale float64) pair {
	v := make([]float32, s.Len())
	for i := range v {
		v[i] = float32(d.rng.NormFloat64() * scale)
	}
	return d.from(s, v)
}

// distinct allocates values pairwise 1/n apart in random order (no max-pool
// ties).
func (d *duo) distinct(s backends.Shape) pair {
	n := s.Len()
	v := make([]float32, n)
	for i, j := range d.rng.Perm(n) {
		v[i] = float32((float64(j)+0.5)/float64(n)*2 - 1)
	}
	return d.from(s, v)
}

// from allocates a tensor holding v on both backends.
func (d *duo) from(s backends.Shape, v []float32) pair {
	p := pair{d.ref.Alloc(s), d.dut.Alloc(s)}
	d.ref.Upload(p.r, v)
	d.dut.Upload(p.u, v)
	return p
}

// zeros allocates a zero tensor on both backends.
func (d *duo) zeros(s backends.Shape) pair { return pair{d.ref.Alloc(s), d.dut.Alloc(s)} }

// host downloads a tensor.
func host(b backends.Backend, t backends.Tensor) []float32 {
	out := make([]float32, t.Shape().Len())
	b.Sync()
	b.Download(out, t)
	return out
}

// check compares the two copies of p within tol·max(max|cpu|, floor).
func (d *duo) check(what string, p pair, tol float64) {
	d.t.Helper()
	closeEnough(d.t, what, host(d.dut, p.u), host(d.ref, p.r), tol, 1e-6)
}

// closeEnough fails t when some |got−want| > tol·max(max|want|, floor).
func closeEnough(t testing.TB, what string, got, want []float32, tol, floor float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values vs %d", what, len(got), len(want))
	}
	scale := floor
	for _, v := range want {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	bad, first, worst := 0, -1, 0.0
	for i := range got {
		e := math.Abs(float64(got[i]) - float64(want[i]))
		if !(e <= tol*scale) {
			bad++
			if first < 0 {
				first = i
			}
		}
		if e > worst || e != e {
			worst = e
		}
	}
	t.Logf("%s: worst |torch−cpu| = %.2e·scale (tolerance %.0e)", what, worst/scale, tol)
	if bad > 0 {
		t.Errorf("%s: %d of %d values off by more than %.0e·scale (scale %.3g, worst %.2e·scale); first [%d]: torch %.9g, cpu %.9g",
			what, bad, len(got), tol, scale, worst/scale, first, got[first], want[first])
	}
}

// scalarClose fails t when |got−want| > tol·max(|want|, floor).
func scalarClose(t testing.TB, what string, got, want, tol, floor float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol*math.Max(math.Abs(want), floor)) {
		t.Errorf("%s: torch %.9g, cpu %.9g", what, got, want)
	}
}

func TestParityCPU(t *testing.T) { parity(t, openOrSkip(t, "torch:cpu")) }

func TestParityCUDA(t *testing.T) { parity(t, openOrSkip(t, cudaName)) }

// parity runs every op on the same random inputs on cpu and on dut.
func parity(t *testing.T, dut *Backend) {
	t.Run("elementwise", func(t *testing.T) { parityElementwise(t, newDuo(t, dut, 1)) })
	t.Run("conv", func(t *testing.T) { parityConv(t, newDuo(t, dut, 2)) })
	t.Run("linear", func(t *testing.T) { parityLinear(t, newDuo(t, dut, 3)) })
	t.Run("pool", func(t *testing.T) { parityPool(t, newDuo(t, dut, 4)) })
	t.Run("batchnorm", func(t *testing.T) { parityBatchNorm(t, newDuo(t, dut, 5)) })
	t.Run("activation", func(t *testing.T) { parityActivation(t, newDuo(t, dut, 6)) })
	t.Run("dropout", func(t *testing.T) { parityDropout(t, newDuo(t, dut, 7)) })
	t.Run("loss", func(t *testing.T) { parityLoss(t, newDuo(t, dut, 8)) })
	t.Run("oja", func(t *testing.T) { parityOja(t, newDuo(t, dut, 9)) })
	t.Run("optim", func(t *testing.T) { parityOptim(t, newDuo(t, dut, 10)) })
}

func parityElementwise(t *testing.T, d *duo) {
	s := backends.Shape{3, 4, 5, 6}
	a, b := d.randn(s, 1), d.randn(s, 1)
	dst := d.zeros(s)
	d.ref.Add(dst.r, a.r, b.r)
	d.dut.Add(dst.u, a.u, b.u)
	d.check("Add", dst, 0)
	d.ref.Mul(dst.r, a.r, b.r)
	d.dut.Mul(dst.u, a.u, b.u)
	d.check("Mul", dst, 0)
	d.ref.AXPY(dst.r, -0.37, b.r)
	d.dut.AXPY(dst.u, -0.37, b.u)
	d.check("AXPY", dst, tolElem)
	z := d.from(backends.Shape{5}, []float32{-2, 0, 3, float32(math.Copysign(0, -1)), 1e-30})
	sg := d.zeros(backends.Shape{5})
	d.ref.Sign(sg.r, z.r)
	d.dut.Sign(sg.u, z.u)
	d.check("Sign", sg, 0)
	d.ref.Copy(dst.r, b.r)
	d.dut.Copy(dst.u, b.u)
	d.check("Copy", dst, 0)
	d.ref.Fill(dst.r, 0.25)
	d.dut.Fill(dst.u, 0.25)
	d.check("Fill", dst, 0)
	scalarClose(t, "MaxAbs", float64(d.dut.MaxAbs(b.u)), float64(d.ref.MaxAbs(b.r)), 0, 1)
}

func parityConv(t *testing.T, d *duo) {
	cases := []struct {
		B, C, H, W, K, k int
		p                backends.ConvParams
		bias             bool
	}{
		{2, 3, 9, 8, 5, 3, backends.ConvParams{Stride: 1, Pad: 1}, false},
		{2, 3, 9, 8, 4, 5, backends.ConvParams{Stride: 1, Pad: 2}, true},
		{3, 4, 10, 9, 6, 3, backends.ConvParams{Stride: 2, Pad: 1}, true},
		{2, 3, 8, 8, 4, 3, backends.ConvParams{Stride: 1, Pad: 0}, false},
		{2, 3, 9, 8, 5, 3, backends.ConvParams{Stride: 1, Pad: 1, Mode: backends.PadReflect}, false},
		{2, 2, 11, 10, 3, 5, backends.ConvParams{Stride: 2, Pad: 2, Mode: backends.PadReflect}, true},
		{4, 16, 12, 12, 24, 3, backends.ConvParams{Stride: 1, Pad: 1}, false},
	}
	for _, c := range cases {
		name := fmt.Sprintf("B%d_C%d_%dx%d_K%d_k%d_s%d_p%d_%v_bias%v", c.B, c.C, c.H, c.W, c.K, c.k, c.p.Stride, c.p.Pad, c.p.Mode, c.bias)
		t.Run(name, func(t *testing.T) {
			d.t = t
			ho, wo := c.p.OutSize(c.H, c.k), c.p.OutSize(c.W, c.k)
			x := d.randn(backends.Shape{c.B, c.C, c.H, c.W}, 1)
			w := d.randn(backends.Shape{c.K, c.C, c.k, c.k}, 0.3)
			var bias, db pair
			if c.bias {
				bias, db = d.randn(backends.Shape{c.K}, 1), d.zeros(backends.Shape{c.K})
			}
			y := d.zeros(backends.Shape{c.B, c.K, ho, wo})
			d.ref.Conv2D(y.r, x.r, w.r, bias.r, c.p)
			d.dut.Conv2D(y.u, x.u, w.u, bias.u, c.p)
			d.check("Conv2D", y, tolGEMM)
			dy := d.randn(y.r.Shape(), 1)
			dx := d.zeros(x.r.Shape())
			d.ref.Conv2DBackwardData(dx.r, dy.r, w.r, c.p)
			d.dut.Conv2DBackwardData(dx.u, dy.u, w.u, c.p)
			d.check("Conv2DBackwardData", dx, tolGEMM)
			dw := d.randn(w.r.Shape(), 1) // overwritten, not accumulated
			d.ref.Conv2DBackwardWeight(dw.r, db.r, x.r, dy.r, c.p)
			d.dut.Conv2DBackwardWeight(dw.u, db.u, x.u, dy.u, c.p)
			d.check("Conv2DBackwardWeight", dw, tolGEMM)
			if c.bias {
				d.check("Conv2DBackwardWeight bias", db, tolGEMM)
			}
		})
	}
}

func parityLinear(t *testing.T, d *duo) {
	for _, bias := range []bool{false, true} {
		x := d.randn(backends.Shape{7, 33}, 1)
		w := d.randn(backends.Shape{10, 33}, 0.2)
		var b, db pair
		if bias {
			b, db = d.randn(backends.Shape{10}, 1), d.zeros(backends.Shape{10})
		}
		y := d.zeros(backends.Shape{7, 10})
		d.ref.Linear(y.r, x.r, w.r, b.r)
		d.dut.Linear(y.u, x.u, w.u, b.u)
		d.check("Linear", y, tolGEMM)
		dy := d.randn(y.r.Shape(), 1)
		dx := d.zeros(x.r.Shape())
		d.ref.LinearBackwardData(dx.r, dy.r, w.r)
		d.dut.LinearBackwardData(dx.u, dy.u, w.u)
		d.check("LinearBackwardData", dx, tolGEMM)
		dw := d.zeros(w.r.Shape())
		d.ref.LinearBackwardWeight(dw.r, db.r, x.r, dy.r)
		d.dut.LinearBackwardWeight(dw.u, db.u, x.u, dy.u)
		d.check("LinearBackwardWeight", dw, tolGEMM)
		if bias {
			d.check("LinearBackwardWeight bias", db, tolGEMM)
		}
	}
}

func parityPool(t *testing.T, d *duo) {
	for _, p := range []backends.PoolParams{{Kernel: 4, Stride: 2, Pad: 1}, {Kernel: 2, Stride: 2}, {Kernel: 3, Stride: 1, Pad: 1}} {
		t.Run(fmt.Sprintf("k%d_s%d_p%d", p.Kernel, p.Stride, p.Pad), func(t *testing.T) {
			d.t = t
			s := backends.Shape{2, 3, 10, 9}
			x := d.distinct(s)
			o := backends.Shape{2, 3, p.OutSize(10), p.OutSize(9)}
			y := d.zeros(o)
			ir, iu := d.ref.AllocIndices(o), d.dut.AllocIndices(o)
			d.ref.MaxPool2D(y.r, ir, x.r, p)
			d.dut.MaxPool2D(y.u, iu, x.u, p)
			d.check("MaxPool2D", y, 0)
			dy := d.randn(o, 1)
			dx := d.randn(s, 1)
			d.ref.MaxPool2DBackward(dx.r, dy.r, ir)
			d.dut.MaxPool2DBackward(dx.u, dy.u, iu)
			d.check("MaxPool2DBackward", dx, tolElem)
			d.ref.AvgPool2D(y.r, x.r, p)
			d.dut.AvgPool2D(y.u, x.u, p)
			d.check("AvgPool2D", y, tolElem)
			d.ref.AvgPool2DBackward(dx.r, dy.r, p)
			d.dut.AvgPool2DBackward(dx.u, dy.u, p)
			d.check("AvgPool2DBackward", dx, tolElem)
		})
	}
}

func parityBatchNorm(t *testing.T, d *duo) {
	for _, s := range []backends.Shape{{4, 5, 6, 7}, {16, 9}} {
		for _, affine := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v_affine%v", s, affine), func(t *testing.T) {
				d.t = t
				c := s[1]
				x := d.randn(s, 2)
				var g, b, dg, db pair
				if affine {
					g, b = d.randn(backends.Shape{c}, 1), d.randn(backends.Shape{c}, 1)
					dg, db = d.zeros(backends.Shape{c}), d.zeros(backends.Shape{c})
				}
				rm, rv := d.randn(backends.Shape{c}, 0.1), d.from(backends.Shape{c}, ones(c))
				sm, si := d.zeros(backends.Shape{c}), d.zeros(backends.Shape{c})
				str := backends.BNState{RunMean: rm.r, RunVar: rv.r, SaveMean: sm.r, SaveInvStd: si.r}
				stu := backends.BNState{RunMean: rm.u, RunVar: rv.u, SaveMean: sm.u, SaveInvStd: si.u}
				y := d.zeros(s)
				p := backends.DefaultBN
				d.ref.BatchNorm(y.r, x.r, g.r, b.r, str, p)
				d.dut.BatchNorm(y.u, x.u, g.u, b.u, stu, p)
				d.check("BatchNorm train", y, tolNorm)
				d.check("running mean", rm, tolNorm)
				d.check("running var", rv, tolNorm)
				d.check("saved mean", sm, tolNorm)
				d.check("saved inv std", si, tolNorm)
				dy := d.randn(s, 1)
				dx := d.zeros(s)
				d.ref.BatchNormBackward(dx.r, dg.r, db.r, dy.r, x.r, g.r, str, p)
				d.dut.BatchNormBackward(dx.u, dg.u, db.u, dy.u, x.u, g.u, stu, p)
				d.check("BatchNormBackward dx", dx, tolNorm)
				if affine {
					d.check("BatchNormBackward dgamma", dg, tolNorm)
					d.check("BatchNormBackward dbeta", db, tolNorm)
				}
				p.Training = false
				d.ref.BatchNorm(y.r, x.r, g.r, b.r, str, p)
				d.dut.BatchNorm(y.u, x.u, g.u, b.u, stu, p)
				d.check("BatchNorm eval", y, tolNorm)
			})
		}
	}
}

func ones(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

func parityActivation(t *testing.T, d *duo) {
	for _, a := range []backends.ActParams{{Kind: backends.Identity}, {Kind: backends.ReLU},
		{Kind: backends.Triangle}, {Kind: backends.Triangle, Power: 0.7}, {Kind: backends.Triangle, Power: 1.4}} {
		for _, s := range []backends.Shape{{2, 6, 4, 5}, {5, 8}} {
			t.Run(fmt.Sprintf("%v_p%v_%v", a.Kind, a.Power, s), func(t *testing.T) {
				d.t = t
				tol := tolElem
				if a.Kind == backends.Triangle {
					tol = tolNorm
				}
				x := d.randn(s, 1)
				y := d.zeros(s)
				d.ref.Activation(y.r, x.r, a)
				d.dut.Activation(y.u, x.u, a)
				d.check("Activation", y, tol)
				dy := d.randn(s, 1)
				dx := d.zeros(s)
				d.ref.ActivationBackward(dx.r, dy.r, x.r, a)
				d.dut.ActivationBackward(dx.u, dy.u, x.u, a)
				d.check("ActivationBackward", dx, tol)
			})
		}
	}
}

func parityDropout(t *testing.T, d *duo) {
	s := backends.Shape{7, 301}
	x := d.randn(s, 1)
	for _, c := range []struct {
		rate float32
		seed uint64
	}{{0.5, 1}, {0.3, 0xDEADBEEFCAFEF00D}, {0, 9}, {0.9, 1 << 63}, {1, 3}} {
		y, m := d.zeros(s), d.zeros(s)
		d.ref.Dropout(y.r, m.r, x.r, c.rate, c.seed)
		d.dut.Dropout(y.u, m.u, x.u, c.rate, c.seed)
		what := fmt.Sprintf("Dropout rate %v seed %#x", c.rate, c.seed)
		d.check(what+" mask", m, 0)
		d.check(what+" output", y, 0)
		mask := host(d.dut, m.u)
		for i, v := range mask {
			if (v != 0) != backends.DropoutKeep(c.seed, i, c.rate) {
				t.Fatalf("%s: element %d kept=%v, DropoutKeep says %v", what, i, v != 0, !(v != 0))
			}
		}
	}
}

func parityLoss(t *testing.T, d *duo) {
	const B, classes = 13, 10
	z := d.randn(backends.Shape{B, classes}, 3)
	labels := make([]int32, B)
	for i := range labels {
		labels[i] = int32(d.rng.IntN(classes))
	}
	dz := d.zeros(z.r.Shape())
	lr, cr := d.ref.SoftmaxCrossEntropy(dz.r, z.r, labels)
	lu, cu := d.dut.SoftmaxCrossEntropy(dz.u, z.u, labels)
	scalarClose(t, "loss", lu, lr, 1e-6, 1)
	if cu != cr {
		t.Errorf("correct: torch %d, cpu %d", cu, cr)
	}
	d.check("dlogits", dz, tolElem)
	lu2, cu2 := d.dut.SoftmaxCrossEntropy(nil, z.u, labels)
	if lu2 != lu || cu2 != cu {
		t.Errorf("without dlogits: %v %d, with: %v %d", lu2, cu2, lu, cu)
	}
}

func parityOja(t *testing.T, d *duo) {
	convs := []struct {
		B, C, H, K, k int
		p             backends.ConvParams
		tinv          float32
		anti          bool
	}{
		{2, 3, 8, 6, 5, backends.ConvParams{Stride: 1, Pad: 2}, 1, false},
		{2, 6, 6, 8, 3, backends.ConvParams{Stride: 1, Pad: 1}, 0.65, false},
		{3, 3, 9, 5, 3, backends.ConvParams{Stride: 2, Pad: 1, Mode: backends.PadReflect}, 0.25, true},
		{2, 4, 7, 6, 3, backends.ConvParams{Stride: 1, Pad: 0}, 1, true},
	}
	for _, c := range convs {
		t.Run(fmt.Sprintf("conv_C%d_K%d_k%d_s%d_p%d_%v_anti%v", c.C, c.K, c.k, c.p.Stride, c.p.Pad, c.p.Mode, c.anti), func(t *testing.T) {
			d.t = t
			ho := c.p.OutSize(c.H, c.k)
			x := d.randn(backends.Shape{c.B, c.C, c.H, c.H}, 1)
			w := d.randn(backends.Shape{c.K, c.C, c.k, c.k}, 0.3)
			u := d.zeros(backends.Shape{c.B, c.K, ho, ho})
			d.ref.Conv2D(u.r, x.r, w.r, nil, c.p)
			d.dut.Conv2D(u.u, x.u, w.u, nil, c.p)
			d.dut.Upload(u.u, host(d.ref, u.r)) // identical u on both sides
			p := backends.OjaParams{TInv: c.tinv, AntiHebbian: c.anti, Conv: c.p}
			h := d.zeros(w.r.Shape())
			mr := d.ref.OjaSWTA(h.r, x.r, u.r, w.r, p)
			mu := d.dut.OjaSWTA(h.u, x.u, u.u, w.u, p)
			d.check("OjaSWTA", h, tolHebb)
			scalarClose(t, "OjaSWTA max|H|", float64(mu), float64(mr), tolHebb, 1e-6)

			dy := d.randn(u.r.Shape(), 1)
			dw, db, h2 := d.zeros(w.r.Shape()), d.zeros(backends.Shape{c.K}), d.zeros(w.r.Shape())
			fr := d.ref.(backends.HebbGradFuser).Conv2DBackwardWeightHebb(dw.r, db.r, h2.r, x.r, dy.r, u.r, w.r, p)
			fu := d.dut.Conv2DBackwardWeightHebb(dw.u, db.u, h2.u, x.u, dy.u, u.u, w.u, p)
			d.check("fused dw", dw, tolGEMM)
			d.check("fused dbias", db, tolGEMM)
			d.check("fused H", h2, tolHebb)
			scalarClose(t, "fused max|H|", float64(fu), float64(fr), tolHebb, 1e-6)
		})
	}
	for _, anti := range []bool{false, true} {
		t.Run(fmt.Sprintf("dense_anti%v", anti), func(t *testing.T) {
			d.t = t
			x := d.randn(backends.Shape{9, 20}, 1)
			w := d.randn(backends.Shape{6, 20}, 0.3)
			u := d.zeros(backends.Shape{9, 6})
			d.ref.Linear(u.r, x.r, w.r, nil)
			d.dut.Upload(u.u, host(d.ref, u.r))
			p := backends.OjaParams{TInv: 0.8, AntiHebbian: anti}
			h := d.zeros(w.r.Shape())
			mr := d.ref.OjaSWTA(h.r, x.r, u.r, w.r, p)
			mu := d.dut.OjaSWTA(h.u, x.u, u.u, w.u, p)
			d.check("OjaSWTA dense", h, tolHebb)
			scalarClose(t, "OjaSWTA dense max|H|", float64(mu), float64(mr), tolHebb, 1e-6)
		})
	}
}

func parityOptim(t *testing.T, d *duo) {
	s := backends.Shape{4, 3, 3, 3}
	w, e := d.randn(s, 0.5), d.randn(s, 2)
	g := d.randn(s, 1)
	m := d.zeros(s)
	d.ref.Sign(m.r, g.r)
	d.dut.Sign(m.u, g.u)
	eScale := 1 / (d.ref.MaxAbs(e.r) + 1e-30)
	for i := 0; i < 3; i++ {
		d.ref.ModulatedUpdate(w.r, e.r, m.r, eScale, 1e-2, 5e-2)
		d.dut.ModulatedUpdate(w.u, e.u, m.u, eScale, 1e-2, 5e-2)
	}
	d.check("ModulatedUpdate", w, tolElem)

	for _, mom := range []float32{0, 0.9} {
		w2, v := d.randn(s, 0.5), d.zeros(s)
		for i := 0; i < 3; i++ {
			d.ref.SGD(w2.r, g.r, v.r, 0.1, mom, 1e-2)
			d.dut.SGD(w2.u, g.u, v.u, 0.1, mom, 1e-2)
		}
		d.check(fmt.Sprintf("SGD momentum %v", mom), w2, tolElem)
		if mom != 0 {
			d.check("SGD velocity", v, tolElem)
		}
	}
	w3, m1, m2 := d.randn(s, 0.5), d.zeros(s), d.zeros(s)
	for step := 1; step <= 4; step++ {
		gs := d.randn(s, 1)
		d.ref.Adam(w3.r, gs.r, m1.r, m2.r, 1e-3, 0.9, 0.999, 1e-8, 1e-4, step)
		d.dut.Adam(w3.u, gs.u, m1.u, m2.u, 1e-3, 0.9, 0.999, 1e-8, 1e-4, step)
	}
	d.check("Adam w", w3, tolElem)
	d.check("Adam m", m1, tolElem)
	d.check("Adam v", m2, tolElem)
}
