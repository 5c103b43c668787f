package network

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/neuromod"
	"ghlsim/synapse"
)

func mustSim(t testing.TB, cfg SimConfig) *Sim {
	t.Helper()
	s, err := NewSim(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A LIF neuron driven by a constant current fires when the closed-form
// membrane trajectory from reset, V(m) = EL + (VReset − EL)e^{−m·dt/τ} +
// IE·τ/C·(1 − e^{−m·dt/τ}) after m integrated steps, first exceeds VTh, and
// it is clamped for n_ref − 1 steps after each spike.
func TestLIFConstantCurrentSpikeTimes(t *testing.T) {
	s := mustSim(t, SimConfig{DT: 0.1})
	p := DefaultLIF()
	p.IE = 400 // pA: V∞ = EL + 16 mV > VTh
	l, err := s.AddLIF("lif", 1, p)
	if err != nil {
		t.Fatal(err)
	}
	mon, _ := s.MonitorSpikes(l)
	if err := s.RunFor(200); err != nil {
		t.Fatal(err)
	}
	vAfter := func(m int) float64 {
		e := math.Exp(-float64(m) * 0.1 / p.TauM)
		return p.EL + (p.EL-p.EL)*e + p.IE*p.TauM/p.CM*(1-e)
	}
	first := 1
	for vAfter(first) <= p.VTh {
		first++
	}
	// from reset (VReset = EL = V(0)): n_ref − 1 = 19 clamped steps, then the
	// same trajectory as from the start
	isi := 19 + first
	if len(mon.Step) < 3 {
		t.Fatalf("only %d spikes", len(mon.Step))
	}
	if mon.Step[0] != int64(first-1) {
		t.Errorf("first spike at step %d, want %d", mon.Step[0], first-1)
	}
	for q := 1; q < len(mon.Step); q++ {
		if d := mon.Step[q] - mon.Step[q-1]; d != int64(isi) {
			t.Fatalf("inter-spike interval %d steps, want %d", d, isi)
		}
	}
}

// The exact propagator of an input current kick agrees with a fine RK4
// integration of the two ODEs.
func TestLIFPropagatorMatchesODE(t *testing.T) {
	s := mustSim(t, SimConfig{DT: 0.1})
	p := DefaultLIF()
	p.TauEx = 5 // τ_ex ≠ τ_m and τ_in = τ_m (the degenerate case) both covered
	p.TauIn = 10
	l, err := s.AddLIF("lif", 1, p)
	if err != nil {
		t.Fatal(err)
	}
	l.IEx[0], l.IIn[0] = 800, -300
	// reference: RK4 with 1000 substeps per step
	v, ie, ii := l.V[0], 800.0, -300.0
	f := func(v, ie, ii float64) (float64, float64, float64) {
		return -(v-p.EL)/p.TauM + (ie+ii+p.IE)/p.CM, -ie / p.TauEx, -ii / p.TauIn
	}
	for k := 0; k < 50; k++ {
		if err := s.Run(1); err != nil {
			t.Fatal(err)
		}
		h := 0.1 / 1000
		for q := 0; q < 1000; q++ {
			a1, b1, c1 := f(v, ie, ii)
			a2, b2, c2 := f(v+h/2*a1, ie+h/2*b1, ii+h/2*c1)
			a3, b3, c3 := f(v+h/2*a2, ie+h/2*b2, ii+h/2*c2)
			a4, b4, c4 := f(v+h*a3, ie+h*b3, ii+h*c3)
			v += h / 6 * (a1 + 2*a2 + 2*a3 + a4)
			ie += h / 6 * (b1 + 2*b2 + 2*b3 + b4)
			ii += h / 6 * (c1 + 2*c2 + 2*c3 + c4)
		}
		if math.Abs(l.V[0]-v) > 1e-9 || math.Abs(l.IEx[0]-ie) > 1e-7 || math.Abs(l.IIn[0]-ii) > 1e-7 {
			t.Fatalf("step %d: V %.12f I_ex %.9f I_in %.9f; RK4 %.12f %.9f %.9f", k, l.V[0], l.IEx[0], l.IIn[0], v, ie, ii)
		}
	}
}

// Hand-computed first step of an Izhikevich RS neuron with I = 10 (dt 1 ms):
// two half-steps of v from −65 with u = −13, then u with the new v.
func TestIzhikevichHandComputed(t *testing.T) {
	s := mustSim(t, SimConfig{DT: 1})
	z, err := s.AddIzhikevich("z", 1, RegularSpiking())
	if err != nil {
		t.Fatal(err)
	}
	z.External = func(k int64, dst []float64) { dst[0] += 10 }
	if err := s.Run(1); err != nil {
		t.Fatal(err)
	}
	v := -65.0
	v += 0.5 * (0.04*v*v + 5*v + 140 + 13 + 10) // = −65 + 0.5·(169 − 325 + 163) = −61.5
	v += 0.5 * (0.04*v*v + 5*v + 140 + 13 + 10)
	u := -13 + 0.02*(0.2*v+13)
	// by hand: 169 − 325 + 163 = 7 → −61.5; 151.29 − 307.5 + 163 = 6.79 → −58.105;
	// u = −13 + 0.02·(−11.621 + 13) = −12.97242
	if math.Abs(z.V[0]-v) > 1e-12 || math.Abs(z.U[0]-u) > 1e-12 || math.Abs(v+58.105) > 1e-12 || math.Abs(u+12.97242) > 1e-12 {
		t.Fatalf("v %.12f u %.12f, want %.12f %.12f", z.V[0], z.U[0], v, u)
	}
	// tonic firing with the RS set: spikes reset v to c and add d to u
	mon, _ := s.MonitorSpikes(z)
	if err := s.RunFor(1000); err != nil {
		t.Fatal(err)
	}
	if n := len(mon.Step); n < 5 || n > 30 {
		t.Fatalf("RS neuron with I = 10 fired %d spikes in 1 s; expected tonic firing (≈ 10 Hz)", n)
	}
}

// buildSmallDistal is a 100-neuron distal-reward network with heterogeneous
// delays: the resume and allocation tests' workload.
func buildSmallDistal(t testing.TB) *DistalReward {
	t.Helper()
	p := DefaultDistalReward()
	p.NExc, p.NInh, p.OutDegree = 80, 20, 10
	p.Seed = 5
	d, err := NewDistalReward(p)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Saving mid-run, loading into a freshly built simulation and continuing
// gives bit-identical weights, eligibilities, neuron state and spikes to an
// uninterrupted run — including spikes in flight and pending dopamine.
func TestSimResumeBitIdentical(t *testing.T) {
	dir := t.TempDir()
	a := buildSmallDistal(t)
	monA, _ := a.Sim.MonitorSpikes(a.Neurons)
	if err := a.Sim.RunFor(9000); err != nil {
		t.Fatal(err)
	}
	if err := a.Sim.ReleaseAfter(a.Dopamine, 0.5, 1500); err != nil {
		t.Fatal(err)
	}
	if err := a.Sim.RunFor(11000); err != nil {
		t.Fatal(err)
	}
	b := buildSmallDistal(t)
	if err := b.Sim.RunFor(9000); err != nil {
		t.Fatal(err)
	}
	if err := b.Sim.ReleaseAfter(b.Dopamine, 0.5, 1500); err != nil { // pending at the save
		t.Fatal(err)
	}
	// force pending work into the checkpoint
	if err := b.Sim.Save(filepath.Join(dir, "ck")); err != nil {
		t.Fatal(err)
	}
	queued := 0
	for _, q := range b.Exc.Pending() {
		queued += len(q)
	}
	c := buildSmallDistal(t)
	if err := c.Sim.Load(filepath.Join(dir, "ck")); err != nil {
		t.Fatal(err)
	}
	monC, _ := c.Sim.MonitorSpikes(c.Neurons)
	if err := c.Sim.RunFor(11000); err != nil {
		t.Fatal(err)
	}
	if queued == 0 || len(b.Dopamine.Pending()) != 1 {
		t.Fatalf("the checkpoint should hold spikes in flight and a pending release: %d queued segments, %d releases", queued, len(b.Dopamine.Pending()))
	}
	if c.Dopamine.Releases != a.Dopamine.Releases || a.Dopamine.Releases < 1 {
		t.Fatalf("releases applied: resumed %d, uninterrupted %d", c.Dopamine.Releases, a.Dopamine.Releases)
	}
	for s := range a.Exc.W {
		if a.Exc.W[s] != c.Exc.W[s] || a.Exc.C[s] != c.Exc.C[s] || a.Exc.APre[s] != c.Exc.APre[s] {
			t.Fatalf("synapse %d differs after resume: w %v vs %v", s, a.Exc.W[s], c.Exc.W[s])
		}
	}
	for i := range a.Neurons.V {
		if a.Neurons.V[i] != c.Neurons.V[i] || a.Neurons.U[i] != c.Neurons.U[i] {
			t.Fatalf("neuron %d differs after resume", i)
		}
	}
	if a.Dopamine.At(a.Sim.Step()) != c.Dopamine.At(c.Sim.Step()) || a.Rewards() != c.Rewards() {
		t.Fatalf("dopamine or rewards differ after resume")
	}
	// the resumed run's spikes are the uninterrupted run's tail
	tail := 0
	for q, k := range monA.Step {
		if k >= 9000 {
			tail = q
			break
		}
	}
	if len(monA.Step)-tail != len(monC.Step) {
		t.Fatalf("resumed run fired %d spikes, the uninterrupted run %d over the same steps", len(monC.Step), len(monA.Step)-tail)
	}
	for q := range monC.Step {
		if monC.Step[q] != monA.Step[tail+q] || monC.Index[q] != monA.Index[tail+q] {
			t.Fatalf("spike %d differs after resume", q)
		}
	}
}

func TestSimCheckpointDamage(t *testing.T) {
	dir := t.TempDir()
	d := buildSmallDistal(t)
	if err := d.Sim.RunFor(100); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ck")
	if err := d.Sim.Save(path); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	for name, data := range map[string][]byte{
		"truncated": raw[:len(raw)/2], "flipped": append(append([]byte{}, raw[:len(raw)-5]...), raw[len(raw)-5]^1, 0, 0, 0, 0),
		"empty": {}, "other": []byte("hello"),
	} {
		bad := filepath.Join(dir, name)
		os.WriteFile(bad, data, 0o644)
		e := buildSmallDistal(t)
		err := e.Sim.Load(bad)
		if err == nil {
			t.Fatalf("%s checkpoint loaded", name)
		}
		if e.Sim.Step() != 0 {
			t.Fatalf("%s: a failed load changed the simulation", name)
		}
	}
	// a different network does not fit
	p := DefaultDistalReward()
	p.NExc, p.NInh, p.OutDegree, p.Seed = 80, 20, 11, 5
	other, err := NewDistalReward(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Sim.Load(path); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Fatalf("loading into a different network: %v", err)
	}
}

// After warm-up a simulated step allocates nothing (spike lists, queues and
// monitor storage are reused).
func TestSimZeroAllocsPerStep(t *testing.T) {
	d := buildSmallDistal(t)
	if _, err := d.Sim.MonitorState(d.Exc, "w", []int{d.Rewarded}, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Sim.MonitorState(d.Dopamine, "d", []int{0}, 1); err != nil {
		t.Fatal(err)
	}
	if err := d.Sim.RunFor(5000); err != nil {
		t.Fatal(err)
	}
	// reserve monitor storage for the measured steps, then measure
	if err := d.Sim.checkMonitorBudget(1000); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(500, func() {
		if err := d.Sim.advance(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%.2f allocations per simulated step after warm-up", allocs)
	}
}

func TestSimBadInput(t *testing.T) {
	if _, err := NewSim(SimConfig{DT: math.NaN()}); err == nil {
		t.Error("NaN dt accepted")
	}
	if _, err := NewSim(SimConfig{DT: 0.1, MaxDelayMS: 0.05}); err == nil {
		t.Error("max delay below one step accepted")
	}
	s := mustSim(t, SimConfig{DT: 0.5, MaxDelayMS: 10})
	lif := DefaultLIF()
	lif.TauM = math.NaN()
	if _, err := s.AddLIF("a", 3, lif); err == nil {
		t.Error("NaN tau_m accepted")
	}
	lif = DefaultLIF()
	lif.TauEx = -2
	if _, err := s.AddLIF("a", 3, lif); err == nil {
		t.Error("negative tau_ex accepted")
	}
	lif = DefaultLIF()
	lif.TRef = 0.7 // not a multiple of 0.5
	if _, err := s.AddLIF("a", 3, lif); err == nil {
		t.Error("refractory period off the step grid accepted")
	}
	izh := RegularSpiking()
	izh.C = 40
	if _, err := s.AddIzhikevich("z", 3, izh); err == nil {
		t.Error("Izhikevich reset above the cut-off accepted")
	}
	src, err := s.AddSpikeSource("src", 2, []int{0, 1}, []float64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSpikeSource("src2", 2, []int{0}, []float64{0.3}); err == nil {
		t.Error("spike time off the step grid accepted")
	}
	if _, err := s.AddSpikeSource("src3", 2, []int{1, 1}, []float64{1, 1}); err == nil {
		t.Error("duplicate spike accepted")
	}
	l, err := s.AddLIF("l", 2, DefaultLIF())
	if err != nil {
		t.Fatal(err)
	}
	for name, spec := range map[string]ConnectSpec{
		"delay below dt":  {Name: "c1", Rule: "all-to-all", Weight: 1, DelayMS: 0.2},
		"delay above max": {Name: "c2", Rule: "all-to-all", Weight: 1, DelayMS: 12},
		"unknown rule":    {Name: "c3", Rule: "small-world", Weight: 1, DelayMS: 1},
		"NaN weight":      {Name: "c4", Rule: "all-to-all", Weight: math.NaN(), DelayMS: 1},
		"modulated without modulator": {Name: "c5", Rule: "all-to-all", Weight: 1, DelayMS: 1,
			Plasticity: func() *synapse.STDPParams { p := synapse.IzhikevichSTDP(); return &p }()},
	} {
		if _, err := s.Connect(src, l, spec); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := s.Connect(l, src, ConnectSpec{Name: "into-source", Rule: "all-to-all", Weight: 1, DelayMS: 1}); err == nil {
		t.Error("a projection into a spike source accepted")
	}
	if _, err := s.AddConcentration("da", neuromod.ConcentrationParams{Base: 0, TauMS: -1}); err == nil {
		t.Error("negative tau_d accepted")
	}
	if _, err := s.MonitorState(l, "W", []int{0}, 0); err == nil {
		t.Error("unknown variable accepted")
	}
	// a run whose monitors would exceed the memory limit is refused before it starts
	small := mustSim(t, SimConfig{DT: 0.1, MonitorBytes: 1 << 20})
	big, _ := small.AddLIF("big", 1000, DefaultLIF())
	idx := make([]int, 1000)
	for i := range idx {
		idx[i] = i
	}
	if _, err := small.MonitorState(big, "V", idx, 0); err != nil {
		t.Fatal(err)
	}
	if err := small.RunFor(1000); err == nil || !strings.Contains(err.Error(), "MonitorBytes") {
		t.Fatalf("oversized monitor run: %v", err)
	} else if small.Step() != 0 {
		t.Fatal("the refused run simulated steps")
	}
}

// The same seed gives bit-identical spikes; another seed gives others.
func TestSimDeterministic(t *testing.T) {
	run := func(seed uint64) []int64 {
		p := DefaultDistalReward()
		p.NExc, p.NInh, p.OutDegree, p.Seed = 80, 20, 10, seed
		d, err := NewDistalReward(p)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := d.Sim.MonitorSpikes(d.Neurons)
		if err := d.Sim.RunFor(2000); err != nil {
			t.Fatal(err)
		}
		out := make([]int64, len(m.Step))
		for q := range m.Step {
			out[q] = m.Step[q]*1000 + int64(m.Index[q])
		}
		return out
	}
	a, b, c := run(1), run(1), run(2)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("same seed: %d vs %d spikes", len(a), len(b))
	}
	for q := range a {
		if a[q] != b[q] {
			t.Fatal("same seed, different spikes")
		}
	}
	same := len(a) == len(c)
	for q := 0; same && q < len(a); q++ {
		same = a[q] == c[q]
	}
	if same {
		t.Fatal("different seeds gave identical spikes")
	}
}

// Rate neurons transmit graded activity: a linear rate layer fed by a
// convolutional projection from a rate input computes the convolution one
// step after the input's activity, and a ReLU layer after it.
func TestRateConvChainComputesConvolution(t *testing.T) {
	s := mustSim(t, SimConfig{DT: 1, MaxDelayMS: 2})
	const c, h, w, k = 2, 5, 4, 3
	in, err := s.AddRate("in", c*h*w, RateParams{Activation: "linear"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.AddRate("out", k*h*w, RateParams{Activation: "relu"})
	if err != nil {
		t.Fatal(err)
	}
	kern := make([]float64, k*c*3*3)
	for i := range kern {
		kern[i] = math.Sin(float64(i)) // mixed signs
	}
	if _, err := s.Connect(in, out, ConnectSpec{Name: "conv", Rule: "convolutional", Conv: &ConvGeometry{C: c, H: h, W: w, K: k, Kernel: 3, Pad: 1},
		ConvWeights: kern, DelayMS: 1}); err != nil {
		t.Fatal(err)
	}
	x := make([]float64, c*h*w)
	for i := range x {
		x[i] = float64(i%7) - 2
	}
	// the input layer's activity is its bias-free input: feed it directly
	s.OnStep(func(step int64) {
		if step == 0 {
			copy(in.I, x) // integrated at step 1: in.A = x at step 1
		}
	})
	if err := s.Run(4); err != nil { // step 1: in.A = x, sent; arrives step 2; out.A at step 3
		t.Fatal(err)
	}
	for o := 0; o < k; o++ {
		for y := 0; y < h; y++ {
			for xx := 0; xx < w; xx++ {
				var want float64
				for ch := 0; ch < c; ch++ {
					for ky := 0; ky < 3; ky++ {
						for kx := 0; kx < 3; kx++ {
							iy, ix := y+ky-1, xx+kx-1
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							want += float64(float32(kern[((o*c+ch)*3+ky)*3+kx])) * x[(ch*h+iy)*w+ix]
						}
					}
				}
				want = math.Max(want, 0)
				if got := out.A[(o*h+y)*w+xx]; math.Abs(got-want) > 1e-9 {
					t.Fatalf("output (%d,%d,%d) = %v, want %v", o, y, xx, got, want)
				}
			}
		}
	}
}

// Stop from a callback ends Run after the current step; Run continues
// from there.
func TestSimStop(t *testing.T) {
	s := mustSim(t, SimConfig{DT: 1})
	if _, err := s.AddPoisson("p", 5, 100); err != nil {
		t.Fatal(err)
	}
	s.OnStep(func(k int64) {
		if k == 41 {
			s.Stop()
		}
	})
	if err := s.RunFor(100); err != nil {
		t.Fatal(err)
	}
	if s.Step() != 42 {
		t.Fatalf("stopped at step %d, want 42", s.Step())
	}
	if err := s.RunFor(10); err != nil || s.Step() != 52 {
		t.Fatalf("continuing: step %d, err %v", s.Step(), err)
	}
}
