package network_test

import (
	"math"
	"sort"
	"strings"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/network"
)

// Float32 round-off bound of the equivalence tests: |a − b| ≤ presAbs +
// presRel·|b| elementwise. A window with τ_e = +Inf integrates E = Σ_t H_t,
// T float32 additions of the same H (≈ T/2 ulp of relative error in E and in
// max|E|), and its fused-free Oja kernel may round differently from the fused
// one of the batched step; Ĥ = E/max|E| then differs from H/max|H| by a few
// ulp, which the update scales by η ≤ 1e-2.
const (
	presRel = 1e-6
	presAbs = 1e-7
)

// presHyper is DeepHebb's reference setting (ALGORITHM.md §3).
var presHyper = network.Hyper{HiddenLR: 0.01, HiddenWD: 0.05, ReadoutLR: 0.005}

// presBatch is the fixed batch: 8 MNIST-shaped 1×28×28 inputs, 10 classes.
const presBatch = 8

func presBatchData() ([]float32, []int32) { return batch(77, presBatch, 28*28, 10) }

// deepHebbNet builds DeepHebb at width 0.125 (12/48/192 channels) for
// 1×28×28 inputs on b.
func deepHebbNet(t testing.TB, b backends.Backend, rule string, seed uint64) *network.Network {
	t.Helper()
	n := network.New(b, presBatch, seed)
	if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 1, H: 28, W: 28, Classes: 10, Width: 0.125}); err != nil {
		t.Fatal(err)
	}
	if err := n.Build(network.Rules{Hidden: rule}); err != nil {
		t.Fatal(err)
	}
	return n
}

// noFuse hides the cpu backend's fused Hebbian-gradient kernel
// (backends.HebbGradFuser), so every group takes the non-fused path.
type noFuse struct{ backends.Backend }

// worstDiff compares two states tensor by tensor and returns the worst
// |a − b| with where it is and the number of elements beyond the bound
// (rel, abs).
func worstDiff(t *testing.T, a, b map[string]network.HostTensor, rel, abs float64) (worst float64, where string, bad int) {
	t.Helper()
	names := make([]string, 0, len(a))
	for k := range a {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(a) != len(b) {
		t.Fatalf("states hold %d and %d tensors", len(a), len(b))
	}
	for _, k := range names {
		bt, ok := b[k]
		if !ok || len(bt.Data) != len(a[k].Data) {
			t.Fatalf("%s missing or of another size", k)
		}
		for i, v := range a[k].Data {
			w := float64(bt.Data[i])
			d := math.Abs(float64(v) - w)
			if d > worst || d != d {
				worst, where = d, k
			}
			if !(d <= abs+rel*math.Abs(w)) {
				bad++
			}
		}
	}
	return worst, where, bad
}

func bitIdentical(a, b map[string]network.HostTensor) (string, bool) {
	for k, at := range a {
		for i, v := range at.Data {
			if math.Float32bits(v) != math.Float32bits(b[k].Data[i]) {
				return k, false
			}
		}
	}
	return "", true
}

// TestBatchedEquivalence is the equivalence (GHL in time, item 3):
// with rate neurons, zero latency, τ_e = +Inf and the eligibility reset at
// each modulator event, one presentation window of a fixed batch leaves
// every weight and BatchNorm buffer of DeepHebb (width 0.125) equal, within
// float32 round-off, to one batched TrainStep on the same batch, for the
// rules ghl, sign and hebb. sign reads no eligibility, so it is
// bit-identical.
func TestBatchedEquivalence(t *testing.T) {
	x, y := presBatchData()
	p := network.Presentation{Steps: 5, DTMS: 1, TauEMS: math.Inf(1)}
	for _, rule := range []string{"ghl", "sign", "hebb"} {
		batched := deepHebbNet(t, cpu.New(2), rule, 3)
		windowed := deepHebbNet(t, cpu.New(2), rule, 3)
		sb, err := batched.TrainStep(x, y, presHyper)
		if err != nil {
			t.Fatal(err)
		}
		sw, err := windowed.TrainPresentation(x, y, presHyper, p)
		if err != nil {
			t.Fatal(err)
		}
		if sb != sw {
			t.Errorf("%s: step stats %+v (batched) and %+v (window)", rule, sb, sw)
		}
		if windowed.Step() != 1 {
			t.Errorf("%s: a window advanced the step counter to %d, want 1", rule, windowed.Step())
		}
		a := windowed.SaveState(network.KindWeight, network.KindBuffer)
		b := batched.SaveState(network.KindWeight, network.KindBuffer)
		worst, where, bad := worstDiff(t, a, b, presRel, presAbs)
		t.Logf("%s: worst |window − batched| = %.3g (%s) over %d tensors", rule, worst, where, len(a))
		if bad > 0 {
			t.Errorf("%s: %d weights beyond %g + %g·|w| (worst %.3g in %s)", rule, bad, presAbs, presRel, worst, where)
		}
		if rule == "sign" {
			if k, ok := bitIdentical(a, b); !ok {
				t.Errorf("sign reads no eligibility, yet %s differs", k)
			}
		}
		// The window's eligibility is T times the batched one.
		for i, g := range windowed.Groups {
			if windowed.Roles[i] != network.Hidden || g.H == nil {
				continue
			}
			hb := batched.Groups[i].HMax
			if r := float64(g.HMax) / float64(hb); math.Abs(r-float64(p.Steps)) > 1e-5*float64(p.Steps) {
				t.Errorf("%s %s: max|E| / max|H| = %v, want %d", rule, g.Name, r, p.Steps)
			}
		}
	}
}

// TestPresentationDecayClosedForm: with a finite τ_e and a constant input
// every step's H is the same, so the integrated eligibility is the closed
// form E_T = H·(1 − γ^T)/(1 − γ) (γ = e^{−dt/τ_e}), checked on the raw E
// before normalisation — a wrong decay changes the factor (≈ 3.5 here against
// 6 without decay) — while the weights still equal the batched step's, the
// factor cancelling in Ĥ = E/max|E|.
func TestPresentationDecayClosedForm(t *testing.T) {
	x, y := presBatchData()
	p := network.Presentation{Steps: 6, DTMS: 1, TauEMS: 4}
	g64 := float64(p.Gamma())
	factor := (1 - math.Pow(g64, float64(p.Steps))) / (1 - g64)
	for _, rule := range []string{"ghl", "hebb"} {
		batched := deepHebbNet(t, cpu.New(2), rule, 5)
		windowed := deepHebbNet(t, cpu.New(2), rule, 5)
		if _, err := batched.TrainStep(x, y, presHyper); err != nil {
			t.Fatal(err)
		}
		if _, err := windowed.TrainPresentation(x, y, presHyper, p); err != nil {
			t.Fatal(err)
		}
		for i, g := range windowed.Groups {
			if windowed.Roles[i] != network.Hidden {
				continue
			}
			e := download(windowed.B, g.H)
			h := download(batched.B, batched.Groups[i].H)
			scale := factor * float64(batched.Groups[i].HMax)
			var worst float64
			for j := range e {
				worst = math.Max(worst, math.Abs(float64(e[j])-factor*float64(h[j]))/scale)
			}
			t.Logf("%s %s: worst |E − H·(1−γ^T)/(1−γ)| / max|E| = %.3g (factor %.4f)", rule, g.Name, worst, factor)
			if !(worst <= 5e-6) {
				t.Errorf("%s %s: E departs from the closed form by %.3g of max|E|", rule, g.Name, worst)
			}
		}
		worst, where, bad := worstDiff(t, windowed.SaveState(network.KindWeight, network.KindBuffer), batched.SaveState(network.KindWeight, network.KindBuffer), presRel, presAbs)
		t.Logf("%s: worst |window − batched| weight = %.3g (%s)", rule, worst, where)
		if bad > 0 {
			t.Errorf("%s: %d weights beyond the bound (worst %.3g in %s)", rule, bad, worst, where)
		}
	}
}

// TestPresentationKeepEligibility: with KeepEligibility the second window
// starts from the first one's E decayed through its T steps, so E₂(keep) =
// γ^T·E₁ + E₂(reset) for two networks that took the same first window.
func TestPresentationKeepEligibility(t *testing.T) {
	x, y := presBatchData()
	x2, y2 := batch(78, presBatch, 28*28, 10)
	reset := network.Presentation{Steps: 4, DTMS: 1, TauEMS: 10}
	keep := reset
	keep.KeepEligibility = true
	a := deepHebbNet(t, cpu.New(2), "ghl", 9)
	b := deepHebbNet(t, cpu.New(2), "ghl", 9)
	for _, n := range []*network.Network{a, b} {
		if _, err := n.TrainPresentation(x, y, presHyper, reset); err != nil {
			t.Fatal(err)
		}
	}
	e1 := make([][]float32, len(a.Groups))
	for i, g := range a.Groups {
		if g.H != nil {
			e1[i] = download(a.B, g.H)
		}
	}
	if _, err := a.TrainPresentation(x2, y2, presHyper, keep); err != nil {
		t.Fatal(err)
	}
	if _, err := b.TrainPresentation(x2, y2, presHyper, reset); err != nil {
		t.Fatal(err)
	}
	gT := math.Pow(float64(keep.Gamma()), float64(keep.Steps))
	for i, g := range a.Groups {
		if g.H == nil {
			continue
		}
		ek, er := download(a.B, g.H), download(b.B, b.Groups[i].H)
		var worst, mx float64
		for j := range ek {
			mx = math.Max(mx, math.Abs(float64(ek[j])))
			worst = math.Max(worst, math.Abs(float64(ek[j])-(gT*float64(e1[i][j])+float64(er[j]))))
		}
		t.Logf("%s: worst |E_keep − (γ^T·E₁ + E_reset)| / max|E| = %.3g", g.Name, worst/mx)
		if !(worst <= 5e-6*mx) {
			t.Errorf("%s: the kept eligibility departs by %.3g of max|E|", g.Name, worst/mx)
		}
	}
}

// TestPresentationOneStep: a one-step window is the batched step itself. On
// the non-fused path (hebb, sign; ghl on a backend without the fused kernel)
// the whole state, eligibility included, is bit-identical; ghl on the cpu
// backend's fused kernel differs only by that kernel's round-off.
func TestPresentationOneStep(t *testing.T) {
	x, y := presBatchData()
	p := network.Presentation{Steps: 1, DTMS: 1, TauEMS: math.Inf(1)}
	for _, c := range []struct {
		rule  string
		fused bool
	}{{"hebb", true}, {"sign", true}, {"ghl", false}, {"ghl", true}} {
		mk := func() *network.Network {
			var b backends.Backend = cpu.New(2)
			if !c.fused {
				b = noFuse{b}
			}
			return deepHebbNet(t, b, c.rule, 13)
		}
		batched, windowed := mk(), mk()
		for s := 0; s < 2; s++ {
			if _, err := batched.TrainStep(x, y, presHyper); err != nil {
				t.Fatal(err)
			}
			if _, err := windowed.TrainPresentation(x, y, presHyper, p); err != nil {
				t.Fatal(err)
			}
		}
		if c.rule == "ghl" && c.fused {
			kinds := []network.TensorKind{network.KindWeight, network.KindBuffer}
			worst, where, bad := worstDiff(t, windowed.SaveState(kinds...), batched.SaveState(kinds...), presRel, presAbs)
			t.Logf("ghl, fused kernel: worst |window − batched| weight = %.3g (%s)", worst, where)
			if bad > 0 {
				t.Errorf("ghl fused: %d weights beyond the bound (worst %.3g in %s)", bad, worst, where)
			}
			for i, g := range windowed.Groups {
				if g.H == nil {
					continue
				}
				e, h := download(windowed.B, g.H), download(batched.B, batched.Groups[i].H)
				var worst float64
				for j := range e {
					worst = math.Max(worst, math.Abs(float64(e[j])-float64(h[j])))
				}
				worst /= float64(batched.Groups[i].HMax)
				t.Logf("ghl, fused kernel: %s worst |H_window − H_fused| / max|H| = %.3g", g.Name, worst)
				if !(worst <= 1e-5) {
					t.Errorf("ghl fused: %s H departs from the fused kernel's by %.3g of max|H|", g.Name, worst)
				}
			}
			continue
		}
		a, b := windowed.SaveState(), batched.SaveState()
		if k, ok := bitIdentical(a, b); !ok {
			t.Errorf("%s (fuser %v): %s is not bit-identical after two one-step windows", c.rule, c.fused, k)
		}
	}
}

// TestPresentationValidate: bad parameters are refused with a message naming
// the field, and TrainPresentation refuses them before touching anything.
func TestPresentationValidate(t *testing.T) {
	good := network.DefaultPresentation()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if good.Gamma() != 1 {
		t.Errorf("γ for τ_e = +Inf is %v, want exactly 1", good.Gamma())
	}
	for _, c := range []struct {
		edit  func(*network.Presentation)
		field string
	}{
		{func(p *network.Presentation) { p.Steps = 0 }, "Steps"},
		{func(p *network.Presentation) { p.Steps = -3 }, "Steps"},
		{func(p *network.Presentation) { p.Steps = network.MaxPresentationSteps + 1 }, "Steps"},
		{func(p *network.Presentation) { p.DTMS = 0 }, "DTMS"},
		{func(p *network.Presentation) { p.DTMS = -1 }, "DTMS"},
		{func(p *network.Presentation) { p.DTMS = math.NaN() }, "DTMS"},
		{func(p *network.Presentation) { p.DTMS = math.Inf(1) }, "DTMS"},
		{func(p *network.Presentation) { p.TauEMS = 0 }, "TauEMS"},
		{func(p *network.Presentation) { p.TauEMS = -5 }, "TauEMS"},
		{func(p *network.Presentation) { p.TauEMS = math.NaN() }, "TauEMS"},
		{func(p *network.Presentation) { p.TauEMS = math.Inf(-1) }, "TauEMS"},
	} {
		p := good
		c.edit(&p)
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), "Presentation."+c.field) {
			t.Errorf("%+v: error %v does not name %s", p, err, c.field)
		}
	}
	n := tinyNet(t, cpu.New(1), "ghl", 1)
	before := n.SaveState()
	x, y := batch(3, 4, 72, 3)
	if _, err := n.TrainPresentation(x, y, presHyper, network.Presentation{Steps: 4, DTMS: 1}); err == nil || !strings.Contains(err.Error(), "TauEMS") {
		t.Errorf("a zero τ_e was not refused: %v", err)
	}
	if k, ok := bitIdentical(before, n.SaveState()); !ok || n.Step() != 0 {
		t.Errorf("a refused window changed %s (step %d)", k, n.Step())
	}
}

// TestPresentationAllocatesNothing: after warm-up a whole window — Steps
// forward passes and eligibility integrations, loss, credit, broadcast,
// plasticity — makes no heap allocation, for every rule kind, with and
// without decay, reset or kept eligibility, and a delayed modulator.
func TestPresentationAllocatesNothing(t *testing.T) {
	for _, c := range []struct {
		rule, mod string
		p         network.Presentation
	}{
		{"ghl", "", network.Presentation{Steps: 4, DTMS: 1, TauEMS: math.Inf(1)}},
		{"ghl", "delay:2+flip:0.1", network.Presentation{Steps: 3, DTMS: 0.5, TauEMS: 20, KeepEligibility: true}},
		{"hebb", "", network.Presentation{Steps: 4, DTMS: 1, TauEMS: 5}},
		{"sign", "", network.Presentation{Steps: 2, DTMS: 1, TauEMS: math.Inf(1)}},
		{"bp", "", network.Presentation{Steps: 2, DTMS: 1, TauEMS: math.Inf(1)}},
	} {
		n := tinyNetMod(t, cpu.New(2), c.rule, c.mod, 1)
		x, y := batch(3, 4, 72, 3)
		h := network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}
		h.HiddenOpt.Kind, h.HiddenOpt.Momentum = "sgd", 0.9
		h.ReadoutOpt = h.HiddenOpt
		for i := 0; i < 3; i++ {
			if _, err := n.TrainPresentation(x, y, h, c.p); err != nil {
				t.Fatal(err)
			}
		}
		if allocs := testing.AllocsPerRun(5, func() {
			if _, err := n.TrainPresentation(x, y, h, c.p); err != nil {
				t.Fatal(err)
			}
		}); allocs != 0 {
			t.Errorf("%s %s %+v: %.1f allocations per window", c.rule, c.mod, c.p, allocs)
		}
	}
}

// TestPresentationTimeMS: modulator sources read the window's end as the
// simulated time, (step+1)·Steps·DTMS ms, and a batched step after the windows
// is outside simulated time again (0).
func TestPresentationTimeMS(t *testing.T) {
	n := tinyNetMod(t, cpu.New(1), "ghl", "test-spy", 3)
	p := network.Presentation{Steps: 4, DTMS: 0.5, TauEMS: math.Inf(1)}
	h := network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}
	x, y := batch(10, 4, 72, 3)
	spyLog = nil
	for k := 0; k < 3; k++ {
		if _, err := n.TrainPresentation(x, y, h, p); err != nil {
			t.Fatal(err)
		}
		for _, s := range spyLog {
			if want := float64(k+1) * 2; s.timeMS != want || s.step != k {
				t.Errorf("window %d, %s: Inputs.TimeMS %v at step %d, want %v at step %d", k, s.group, s.timeMS, s.step, want, k)
			}
		}
		if len(spyLog) != 2 {
			t.Fatalf("window %d: the source ran %d times, want 2", k, len(spyLog))
		}
		spyLog = nil
	}
	if _, err := n.TrainStep(x, y, h); err != nil {
		t.Fatal(err)
	}
	for _, s := range spyLog {
		if s.timeMS != 0 {
			t.Errorf("a batched step after windows: Inputs.TimeMS %v, want 0", s.timeMS)
		}
	}
	spyLog = nil
}
