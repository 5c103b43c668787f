package synapse

// Every backend's GHL kernels against the float64 reference of
// ghl_reference.go, on random dense and conv shapes.
//
// Tolerances. The kernels compute in float32 (unit roundoff u = 2⁻²⁴ ≈ 6e-8);
// the reference in float64 from the same float32 inputs (x, W, and for the
// Hebbian term the same float32 u the backend's forward produced), so what
// differs is the kernels' rounding only. Each checked value is a sum of
// products; for a float32 sum of n terms, in any order (blocked, FMA or
// not), |error| ≤ γ_n·Σ|terms| with γ_n ≈ n·u (Higham, Accuracy and
// Stability of Numerical Algorithms, 2002, §3.1, §4.2). The tests therefore
// bound every element separately by
//
//	|got − ref| ≤ slack · n·u · Σ|terms of that element|
//
// with n the number of terms plus the rounding the inputs of the sum carry:
//
//   - u = conv(x, W):  n = C·kh·kw, terms W_kj·patch_j.
//   - H = Σ y·patch − (Σ y·u)·W:  n = B·P + K + 8 + 2·t_inv·max|u|, terms
//     y·patch_j and |W_kj|·|y·u|; the extra K + 8 + 2·t_inv·max|u| ulps are
//     the relative error of the float32 softmax (the argument t_inv·u − max is
//     rounded, exp is ~1 ulp, the sum over K channels, the division).
//   - max|H|: the max is 1-Lipschitz, so the largest bound of H.
//   - W after one GHL step: Ĥ = H/m changes by δH/m + |Ĥ|·δm/m, times η,
//     plus 4 roundings of the update W − η(|Ĥ|·s·M + λW).
//
// slack = 4 for direct sums (im2col GEMM, libtorch): the products and the
// float32 conversions of the inputs add a rounding or two per term beyond
// γ_n, and FMA removes some. On the cpu backend's Winograd F(2×2, 3×3) path
// slack is 16: its input and output transforms add and halve up to 16 values
// of a 4×4 tile around the product, so the error is a small multiple of the
// direct sum's and is not bounded by the direct terms alone (Barabasz et al.,
// "Error analysis and improving the accuracy of Winograd convolution for
// deep neural networks", ACM TOMS 2020). Measured against these bounds the
// worst errors are about 0.04 of the bound for H (sums of up to 500 terms,
// whose errors partly cancel), up to 0.3 for u (a few terms, where the worst
// case is nearly reached) and 0.2 for W (mostly the update's own rounding);
// the test logs them. A wrong index, term or sign gives an error of the
// size of the terms themselves, ≥ 1/(slack·n·u) — over 1000 times the bound
// at the largest n here.

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/backends/torch"
)

// refUnit is float32's unit roundoff 2⁻²⁴.
const refUnit = 1.0 / (1 << 24)

// refSlack is the factor over the first-order float32 bound of direct sums,
// refWinogradSlack that of the Winograd path (see above).
const (
	refSlack         = 4
	refWinogradSlack = 16
)

// refCase is one random GHL geometry; dense cases use C as the input width.
type refCase struct {
	dense          bool
	B, C, H, W, K  int
	Kern           int // square kernel extent (conv)
	P              backends.ConvParams
	TInv           float32
	Anti           bool
	LR, WeightDecy float32
}

func (c refCase) String() string {
	if c.dense {
		return fmt.Sprintf("dense_B%d_%dto%d_tinv%g_anti=%v", c.B, c.C, c.K, c.TInv, c.Anti)
	}
	return fmt.Sprintf("conv_B%d_%dx%dx%d_K%d_k%d_s%d_p%d%s_tinv%g_anti=%v",
		c.B, c.C, c.H, c.W, c.K, c.Kern, c.P.Stride, c.P.Pad, map[bool]string{true: "reflect"}[c.P.Mode == backends.PadReflect], c.TInv, c.Anti)
}

func (c refCase) shapes() (xs, ws backends.Shape) {
	if c.dense {
		return backends.Shape{c.B, c.C}, backends.Shape{c.K, c.C}
	}
	return backends.Shape{c.B, c.C, c.H, c.W}, backends.Shape{c.K, c.C, c.Kern, c.Kern}
}

// refCases draws the random geometries: conv with kernels 1, 3 and 5,
// strides 1 and 2, paddings 0 to kern−1 (zero or reflect), every third case
// the 3×3/stride-1/pad-1 geometry the cpu backend's Winograd path takes
// (some with 8×8 or 16-wide planes, its vector tiles, and one with 16
// channels, which ConvAuto sends to Winograd), then dense layers; batch
// sizes 1 to 5, t_inv from 0.25 to 4, anti-Hebbian on and off.
func refCases() []refCase {
	rng := rand.New(rand.NewPCG(16, 5))
	pick := func(v ...int) int { return v[rng.IntN(len(v))] }
	tinvs := []float32{0.25, 0.65, 1, 2.5, 4}
	var cs []refCase
	for i := range 30 {
		c := refCase{B: pick(1, 2, 3, 5), C: 1 + rng.IntN(5), K: 1 + rng.IntN(7),
			TInv: tinvs[rng.IntN(len(tinvs))], Anti: i%2 == 1,
			LR: float32(pick(1, 5)) / 100, WeightDecy: float32(pick(0, 5)) / 100}
		if i%3 == 0 {
			c.Kern, c.P = 3, backends.ConvParams{Stride: 1, Pad: 1}
			c.H, c.W = 2+rng.IntN(9), 2+rng.IntN(9)
			switch i % 9 {
			case 3:
				c.H, c.W = 8, 8
			case 6:
				c.H, c.W = 2, 16
			}
		} else {
			c.Kern = pick(1, 3, 5)
			c.P = backends.ConvParams{Stride: pick(1, 2), Pad: rng.IntN(c.Kern)}
			lo := max(1, c.Kern-2*c.P.Pad, c.P.Pad+1)
			c.H, c.W = lo+rng.IntN(9), lo+rng.IntN(9)
		}
		if rng.IntN(4) == 0 && c.P.Pad > 0 {
			c.P.Mode = backends.PadReflect
		}
		cs = append(cs, c)
	}
	cs = append(cs, refCase{B: 2, C: 16, H: 8, W: 8, K: 16, Kern: 3, P: backends.ConvParams{Stride: 1, Pad: 1}, TInv: 0.65, Anti: false, LR: 0.01, WeightDecy: 0.05},
		refCase{B: 2, C: 16, H: 8, W: 8, K: 16, Kern: 3, P: backends.ConvParams{Stride: 1, Pad: 1}, TInv: 1, Anti: true, LR: 0.01, WeightDecy: 0.05})
	for i := range 10 {
		cs = append(cs, refCase{dense: true, B: pick(1, 2, 3, 5, 16), C: 1 + rng.IntN(40), K: 1 + rng.IntN(12),
			TInv: tinvs[rng.IntN(len(tinvs))], Anti: i%2 == 1, LR: 0.05, WeightDecy: float32(pick(0, 5)) / 100})
	}
	return cs
}

// refData is a case's random float32 inputs: x ~ N(0,1), W ~ N(0, 1/fan-in)
// and a task gradient ~ N(0,1) (never exactly 0, so sign is unambiguous).
type refData struct {
	x, w, grad []float32
}

func (c refCase) data(seed uint64) refData {
	rng := rand.New(rand.NewPCG(seed, 99))
	xs, ws := c.shapes()
	gen := func(n int, sd float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * sd)
		}
		return v
	}
	fanIn := ws.Len() / ws[0]
	return refData{x: gen(xs.Len(), 1), w: gen(ws.Len(), 1/math.Sqrt(float64(fanIn))), grad: gen(ws.Len(), 1)}
}

// ref64 widens float32 data into a ReferenceTensor.
func ref64(s backends.Shape, v []float32) ReferenceTensor {
	t := NewReferenceTensor(s)
	for i, f := range v {
		t.Data[i] = float64(f)
	}
	return t
}

// refAbs is |t| elementwise.
func refAbs(t ReferenceTensor) ReferenceTensor {
	a := NewReferenceTensor(t.Shape)
	for i, v := range t.Data {
		a.Data[i] = math.Abs(v)
	}
	return a
}

// refChecker compares float32 results with the reference and keeps the
// worst error as a fraction of its bound.
type refChecker struct {
	t     *testing.T
	worst map[string]float64
}

func (r *refChecker) check(what string, got []float32, want, bound []float64) {
	r.t.Helper()
	if len(got) != len(want) {
		r.t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i, g := range got {
		e := math.Abs(float64(g) - want[i])
		if !(e <= bound[i]) { // also catches NaN
			r.t.Errorf("%s[%d] = %.9g, reference %.9g: error %.3g exceeds the bound %.3g", what, i, g, want[i], e, bound[i])
			return
		}
		if bound[i] > 0 {
			r.worst[what] = max(r.worst[what], e/bound[i])
		}
	}
}

// oja returns the reference H for the float32 u a backend produced, and the
// per-element bound of a float32 kernel's error (see the file comment).
func (c refCase) oja(x, u, w ReferenceTensor, slack float64) (h ReferenceTensor, bound []float64) {
	p := backends.OjaParams{TInv: c.TInv, AntiHebbian: c.Anti, Conv: c.P}
	h = ReferenceOjaSWTA(x, u, w, p)
	y := ReferenceSoftWTA(u, float64(c.TInv), c.Anti)
	pt := referencePatches(x, w, c.P)
	maxU := 0.0
	for _, v := range u.Data {
		maxU = math.Max(maxU, math.Abs(v))
	}
	n := float64(pt.batch*pt.positions+c.K+8) + 2*float64(c.TInv)*maxU
	bound = make([]float64, len(h.Data))
	for k := range c.K {
		mag := bound[k*pt.length : (k+1)*pt.length]
		s := 0.0
		for b := range pt.batch {
			for q := range pt.positions {
				i := (b*c.K+k)*pt.positions + q
				for j, xj := range pt.patch(b, q) {
					mag[j] += math.Abs(y.Data[i] * xj)
				}
				s += math.Abs(y.Data[i] * u.Data[i])
			}
		}
		for j := range mag {
			mag[j] = slack * n * refUnit * (mag[j] + s*math.Abs(w.Data[k*pt.length+j]))
		}
	}
	return h, bound
}

// runBackend runs every case through bk: the forward product, OjaSWTA, the
// fused Conv2DBackwardWeightHebb (when bk has it) and one GHL step through a
// Group (UpdateTrace, Sign, the ghl rule's ModulatedUpdate), each against
// the reference.
func runBackend(t *testing.T, bk backends.Backend) {
	r := &refChecker{t: t, worst: map[string]float64{}}
	fuser, fused := bk.(backends.HebbGradFuser)
	ghl, err := NewRule("ghl")
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range refCases() {
		t.Run(c.String(), func(t *testing.T) {
			r.t = t
			d := c.data(uint64(i))
			xs, ws := c.shapes()
			x64, w64, grad64 := ref64(xs, d.x), ref64(ws, d.w), ref64(ws, d.grad)
			slack := float64(refSlack)
			if ca, ok := bk.(backends.ConvArithmetic); ok && !c.dense && ca.ConvFLOPFraction(xs, ws, c.P) < 1 {
				slack = refWinogradSlack // the cpu backend's Winograd path
			}
			kind := Conv
			if c.dense {
				kind = Dense
			}
			g, err := NewGroup(bk, Spec{Name: "g", Kind: kind, In: c.C, Out: c.K, Kernel: c.Kern, Conv: c.P, TInv: c.TInv})
			if err != nil {
				t.Fatal(err)
			}
			g.Rule = ghl
			g.EnsurePlasticState(bk)
			g.Anti = c.Anti // the GHL rule with SoftHebb's anti-Hebbian eligibility when set
			bk.Upload(g.Weight.Value, d.w)
			x := bk.Alloc(xs)
			bk.Upload(x, d.x)

			// u = conv(x, W) or W·x.
			uRef := ReferenceForward(x64, w64, c.P)
			u := bk.Alloc(uRef.Shape)
			if c.dense {
				bk.Linear(u, x, g.Weight.Value, nil)
			} else {
				bk.Conv2D(u, x, g.Weight.Value, nil, c.P)
			}
			u32 := download(bk, u)
			uMag := ReferenceForward(refAbs(x64), refAbs(w64), c.P)
			uBound := make([]float64, len(uMag.Data))
			for j, m := range uMag.Data {
				uBound[j] = slack * float64(ws.Len()/c.K) * refUnit * m
			}
			r.check("u", u32, uRef.Data, uBound)

			// H and max|H|, from the backend's own float32 u.
			hRef, hBound := c.oja(x64, ref64(uRef.Shape, u32), w64, slack)
			hatRef, mRef := ReferenceNormalise(hRef)
			mBound := 0.0
			for _, b := range hBound {
				mBound = math.Max(mBound, b)
			}
			checkMax := func(what string, m float32) {
				t.Helper()
				if e := math.Abs(float64(m) - mRef); !(e <= mBound) {
					t.Errorf("%s: max|H| = %.9g, reference %.9g: error %.3g exceeds the bound %.3g", what, m, mRef, e, mBound)
				}
			}
			g.HMax = bk.OjaSWTA(g.H, x, u, g.Weight.Value, g.OjaParams())
			r.check("H (OjaSWTA)", download(bk, g.H), hRef.Data, hBound)
			checkMax("OjaSWTA", g.HMax)
			if fused {
				dw, dy := bk.Alloc(ws), bk.Alloc(uRef.Shape)
				bk.Upload(dy, u32) // any gradient: only H is checked here
				fh := bk.Alloc(ws)
				m := fuser.Conv2DBackwardWeightHebb(dw, nil, fh, x, dy, u, g.Weight.Value, g.OjaParams())
				r.check("H (Conv2DBackwardWeightHebb)", download(bk, fh), hRef.Data, hBound)
				checkMax("Conv2DBackwardWeightHebb", m)
			}

			// One GHL step through the group: Ĥ from UpdateTrace's scale,
			// M = sign(∂L/∂W), W ← W − η(|Ĥ| ⊙ M + λW).
			g.UpdateTrace(bk)
			bk.Upload(g.Weight.Grad, d.grad)
			bk.Sign(g.Modulator, g.Weight.Grad)
			g.ReceiveModulator(0)
			g.Rule.Apply(bk, g, Hyper{LR: c.LR, WeightDecay: c.WeightDecy, Step: 0})
			lr, wd := float64(c.LR), float64(c.WeightDecy)
			wantW := ReferenceGHLUpdate(w64, hatRef, ReferenceSign(grad64), lr, wd)
			wBound := make([]float64, len(wantW.Data))
			for j, wj := range w64.Data {
				dHat := (hBound[j] + math.Abs(hatRef.Data[j])*mBound) / (mRef + NormEpsilon)
				wBound[j] = lr*dHat + slack*refUnit*(math.Abs(wj)+lr*(1+wd*math.Abs(wj)))
			}
			r.check("W after the GHL step", download(bk, g.Weight.Value), wantW.Data, wBound)
		})
	}
	r.t = t
	for what, w := range r.worst {
		t.Logf("%-30s worst error %.2g of its bound", what, w)
	}
}

// download copies a tensor to the host.
func download(bk backends.Backend, t backends.Tensor) []float32 {
	v := make([]float32, t.Shape().Len())
	bk.Download(v, t)
	return v
}

// TestGHLKernelsMatchReferenceCPU checks the cpu backend with im2col, with
// Winograd forced (through GHLSIM_CPU_CONV, as a user selects it) and with
// ConvAuto, on two threads.
func TestGHLKernelsMatchReferenceCPU(t *testing.T) {
	for _, alg := range []cpu.ConvAlgorithm{cpu.ConvIm2col, cpu.ConvWinograd, cpu.ConvAuto} {
		t.Run(alg.String(), func(t *testing.T) {
			var bk *cpu.Backend
			if alg == cpu.ConvWinograd {
				t.Setenv(cpu.ConvEnv, alg.String())
				bk = cpu.New(2)
			} else {
				bk = cpu.New(2)
				bk.SetConvAlgorithm(alg)
			}
			if bk.ConvAlgorithm() != alg {
				t.Fatalf("backend uses %v, want %v", bk.ConvAlgorithm(), alg)
			}
			wino := 0
			for _, c := range refCases() {
				if xs, ws := c.shapes(); !c.dense && bk.ConvFLOPFraction(xs, ws, c.P) < 1 {
					wino++
				}
			}
			t.Logf("%d of the cases run through Winograd", wino)
			if alg != cpu.ConvIm2col && wino == 0 {
				t.Fatalf("no case exercises the Winograd path under %v", alg)
			}
			runBackend(t, bk)
		})
	}
}

// TestGHLKernelsMatchReferenceTorch checks the torch backend on the CPU
// (skipped without the shim unless GHLSIM_REQUIRE_TORCH=1) and on CUDA
// device 0 when there is one.
func TestGHLKernelsMatchReferenceTorch(t *testing.T) {
	for _, name := range []string{"torch:cpu", "torch:cuda:0"} {
		t.Run(name, func(t *testing.T) {
			bk, err := backends.New(name)
			if err != nil {
				if errors.Is(err, torch.ErrUnavailable) && name == "torch:cpu" && os.Getenv("GHLSIM_REQUIRE_TORCH") == "1" {
					t.Fatalf("GHLSIM_REQUIRE_TORCH=1 but %s cannot be opened: %v", name, err)
				}
				t.Skipf("%s unavailable: %v", name, err)
			}
			defer bk.Close()
			runBackend(t, bk)
		})
	}
}

// TestReferenceHandComputed checks the reference on a dense case small
// enough to do by hand: x = (1, 2), W = I, t_inv = ln 3, so u = (1, 2) and
// y = softmax(ln3·u) = (3, 9)/12 = (1/4, 3/4).
func TestReferenceHandComputed(t *testing.T) {
	x := ReferenceTensor{Shape: backends.Shape{1, 2}, Data: []float64{1, 2}}
	w := ReferenceTensor{Shape: backends.Shape{2, 2}, Data: []float64{1, 0, 0, 1}}
	grad := ReferenceTensor{Shape: backends.Shape{2, 2}, Data: []float64{1, -1, 0, 2}}
	near := func(what string, got, want []float64) {
		t.Helper()
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("%s = %v, want %v", what, got, want)
			}
		}
	}
	u := ReferenceForward(x, w, backends.ConvParams{})
	near("u", u.Data, []float64{1, 2})
	for _, anti := range []bool{false, true} {
		p := backends.OjaParams{TInv: float32(math.Log(3)), AntiHebbian: anti}
		// float32 ln 3 moves y by ~1e-8: compare y and H loosely.
		y := ReferenceSoftWTA(u, float64(p.TInv), anti)
		// H_kj = y_k·(x_j − u_k·W_kj): row 0 = ¼·((1,2) − 1·(1,0)) = (0, ½),
		// row 1 = ¾·((1,2) − 2·(0,1)) = (¾, 0); anti-Hebbian: channel 0
		// loses (u_0 < u_1) and gets −y_0.
		wantY, wantH := []float64{0.25, 0.75}, []float64{0, 0.5, 0.75, 0}
		if anti {
			wantY, wantH = []float64{-0.25, 0.75}, []float64{0, -0.5, 0.75, 0}
		}
		for i := range wantY {
			if math.Abs(y.Data[i]-wantY[i]) > 1e-7 {
				t.Fatalf("anti=%v: y = %v, want %v", anti, y.Data, wantY)
			}
		}
		h := ReferenceOjaSWTA(x, u, w, p)
		for i := range wantH {
			if math.Abs(h.Data[i]-wantH[i]) > 1e-7 {
				t.Fatalf("anti=%v: H = %v, want %v", anti, h.Data, wantH)
			}
		}
		// With the exact H: Ĥ = H/¾; M = sign(grad) = (1, −1, 0, 1);
		// W' = W − 0.1·(|Ĥ|⊙M + 0.5·W).
		hHat, m := ReferenceNormalise(ReferenceTensor{Shape: w.Shape, Data: wantH})
		if m != 0.75 {
			t.Fatalf("max|H| = %g, want 0.75", m)
		}
		near("Ĥ", refAbs(hHat).Data, []float64{0, 2.0 / 3, 1, 0})
		near("M", ReferenceSign(grad).Data, []float64{1, -1, 0, 1})
		near("W'", ReferenceGHLUpdate(w, hHat, ReferenceSign(grad), 0.1, 0.5).Data, []float64{0.95, 0.2 / 3, 0, 0.95})
		// ReferenceGHL is the same composition.
		full := ReferenceGHL(x, w, grad, p, 0.1, 0.5)
		for i, v := range full.Data {
			if math.Abs(v-[]float64{0.95, 0.2 / 3, 0, 0.95}[i]) > 1e-7 {
				t.Fatalf("anti=%v: ReferenceGHL = %v", anti, full.Data)
			}
		}
	}
}

// TestReferenceConvPadding checks the reference convolution's padding on a
// 3×3 input 1…9 with a 1×1 kernel 1 under padding 1, stride 2: zero padding
// reads 0 around x[1][1] = 5; reflect padding mirrors row and column −1 and 3
// to 1, so every output is 5. A 2×2 kernel of ones without padding sums the
// 2×2 blocks.
func TestReferenceConvPadding(t *testing.T) {
	x := ReferenceTensor{Shape: backends.Shape{1, 1, 3, 3}, Data: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}}
	one := ReferenceTensor{Shape: backends.Shape{1, 1, 1, 1}, Data: []float64{1}}
	for _, c := range []struct {
		w    ReferenceTensor
		p    backends.ConvParams
		want []float64
	}{
		{one, backends.ConvParams{Stride: 2, Pad: 1}, []float64{0, 0, 0, 0, 5, 0, 0, 0, 0}},
		{one, backends.ConvParams{Stride: 2, Pad: 1, Mode: backends.PadReflect}, []float64{5, 5, 5, 5, 5, 5, 5, 5, 5}},
		{ReferenceTensor{Shape: backends.Shape{1, 1, 2, 2}, Data: []float64{1, 1, 1, 1}}, backends.ConvParams{Stride: 1}, []float64{12, 16, 24, 28}},
	} {
		u := ReferenceForward(x, c.w, c.p)
		for i, v := range c.want {
			if u.Data[i] != v {
				t.Errorf("%+v: u = %v, want %v", c.p, u.Data, c.want)
				break
			}
		}
	}
}

// TestNormScale checks the float32 normaliser against the float64 formula
// (one rounding of a division, so within one float32 ulp) and that an
// all-zero H stays finite.
func TestNormScale(t *testing.T) {
	for _, m := range []float32{0, 1e-20, 0.75, 1, 3.5, 1e6} {
		got, want := float64(NormScale(m)), 1/(float64(m)+NormEpsilon)
		if math.IsInf(got, 0) || math.Abs(got-want) > refUnit*2*want {
			t.Errorf("NormScale(%g) = %g, want %g", m, got, want)
		}
	}
}

// TestTraceFoldingBitIdentical pins AddToTrace and RemoveFromTrace, which the
// network's data-parallel reduction uses, to the formulas they replaced there:
// E ← E ∓ H·(1/(max|H|+1e-30)) in float32, bit for bit.
func TestTraceFoldingBitIdentical(t *testing.T) {
	b := cpu.New(1)
	g, err := NewGroup(b, Spec{Name: "fc", Kind: Dense, In: 3, Out: 2, TInv: 1})
	if err != nil {
		t.Fatal(err)
	}
	g.Rule, _ = NewRule("ghl")
	g.Decay = 0.9
	g.EnsurePlasticState(b)
	hv := []float32{0.3, -1.7, 0.01, 2.9, -0.2, 1e-3}
	b.Upload(g.H, hv)
	b.Upload(g.Trace, []float32{1, 2, 3, -4, 5, -6})
	g.HMax = 2.9
	start := download(b, g.Trace)

	g.UpdateTrace(b)
	afterUpdate := download(b, g.Trace)
	ref := b.Alloc(g.H.Shape())
	b.Upload(ref, start)
	b.AXPY(ref, g.Decay-1, ref)
	b.AXPY(ref, 1/(g.HMax+1e-30), g.H)
	same := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s[%d] = %g, want %g", what, i, got[i], want[i])
			}
		}
	}
	same("UpdateTrace", afterUpdate, download(b, ref))
	if g.TraceScale != 1 {
		t.Errorf("TraceScale = %g after a decaying UpdateTrace, want 1", g.TraceScale)
	}
	g.RemoveFromTrace(b)
	b.AXPY(ref, -1/(g.HMax+1e-30), g.H)
	same("RemoveFromTrace", download(b, g.Trace), download(b, ref))
	g.HMax = 1.25 // as after the reduction: a new max of the summed H
	g.AddToTrace(b)
	b.AXPY(ref, 1/(g.HMax+1e-30), g.H)
	same("AddToTrace", download(b, g.Trace), download(b, ref))

	g.Decay, g.Trace, g.TraceScale = 0, g.H, 0
	g.AddToTrace(b)
	if g.TraceScale != 1/(g.HMax+1e-30) {
		t.Errorf("TraceScale = %g without decay, want 1/(HMax+1e-30)", g.TraceScale)
	}
	same("H", download(b, g.H), hv)
}
