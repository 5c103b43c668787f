package network

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/torch"
)

// denseTestNet builds the same small network on any engine: 50 spike-source
// inputs and 20 Poisson inputs into 30 LIF neurons and 30 Izhikevich neurons
// (static synapses, delays 1–30 steps, mixed signs), and a recurrent
// Izhikevich projection.
func denseTestNet(t testing.TB, cfg SimConfig) (*Sim, *LIF, *Izhikevich, *SpikeMonitor, *SpikeMonitor) {
	t.Helper()
	cfg.DT, cfg.MaxDelayMS, cfg.Seed = 0.5, 15, 3
	s := mustSim(t, cfg)
	in := randomSpikes(11, 50, 800, 0.02)
	src, err := s.AddSpikeSource("in", 50, in.Index, in.ms(cfg.DT))
	if err != nil {
		t.Fatal(err)
	}
	poi, err := s.AddPoisson("poisson", 20, 40)
	if err != nil {
		t.Fatal(err)
	}
	lif, err := s.AddLIF("lif", 30, DefaultLIF())
	if err != nil {
		t.Fatal(err)
	}
	for i := range lif.IE {
		lif.IE[i] = 200 + 8*float64(i)
	}
	z, err := s.AddIzhikevich("izh", 30, RegularSpiking())
	if err != nil {
		t.Fatal(err)
	}
	ext := thalamicTable(12, 800, 30, 30)
	z.External = func(k int64, dst []float64) {
		if k < 800 {
			for i := range dst {
				dst[i] += ext[k][i]
			}
		}
	}
	conn := func(name string, pre, post Neurons, seed uint64, p float64, wfn func(r *rand.Rand, i int) float64) {
		a, b, d, w := randomEdges(seed, pre.Size(), post.Size(), p, 30, wfn)
		if _, err := s.Connect(pre, post, ConnectSpec{Name: name, Rule: "explicit", Pre: a, Post: b, Weights: w, DelaysMS: stepsMS(d, cfg.DT)}); err != nil {
			t.Fatal(err)
		}
	}
	conn("in-lif", src, lif, 1, 0.4, func(r *rand.Rand, i int) float64 {
		if i%4 == 0 {
			return -300 * r.Float64()
		}
		return 150 * r.Float64()
	})
	conn("poisson-lif", poi, lif, 2, 0.3, func(r *rand.Rand, i int) float64 { return 100 })
	conn("in-izh", src, z, 3, 0.3, func(r *rand.Rand, i int) float64 { return 20 * r.Float64() })
	conn("izh-izh", z, z, 4, 0.2, func(r *rand.Rand, i int) float64 { return 3*r.Float64() - 1 })
	ml, _ := s.MonitorSpikes(lif)
	mz, _ := s.MonitorSpikes(z)
	return s, lif, z, ml, mz
}

func sameSpikes(t *testing.T, what string, a, b *SpikeMonitor, min int) {
	t.Helper()
	if len(a.Step) < min {
		t.Fatalf("%s: only %d spikes", what, len(a.Step))
	}
	if len(a.Step) != len(b.Step) {
		t.Fatalf("%s: %d vs %d spikes", what, len(a.Step), len(b.Step))
	}
	for q := range a.Step {
		if a.Step[q] != b.Step[q] || a.Index[q] != b.Index[q] {
			t.Fatalf("%s: spike %d differs: neuron %d at step %d vs neuron %d at step %d", what, q, a.Index[q], a.Step[q], b.Index[q], b.Step[q])
		}
	}
	t.Logf("%s: %d spikes identical", what, len(a.Step))
}

// The dense engine (float32 tensor ops on the cpu backend) fires the same
// spikes as the event engine (float64 on the host) on a small network with
// heterogeneous delays, LIF and Izhikevich neurons, spike-source, Poisson
// and recurrent input.
func TestDenseEngineMatchesEventEngine(t *testing.T) {
	ev, _, _, evL, evZ := denseTestNet(t, SimConfig{})
	de, _, _, deL, deZ := denseTestNet(t, SimConfig{Engine: "dense"})
	if err := ev.Run(800); err != nil {
		t.Fatal(err)
	}
	if err := de.Run(800); err != nil {
		t.Fatal(err)
	}
	sameSpikes(t, "lif", evL, deL, 100)
	sameSpikes(t, "izh", evZ, deZ, 50)
}

// Several trials run as one batched simulation: trial 0 is the single-trial
// run, and the other trials draw their own Poisson spikes and noise.
func TestDenseTrials(t *testing.T) {
	one, _, _, oneL, _ := denseTestNet(t, SimConfig{Engine: "dense"})
	many, _, _, manyL, _ := denseTestNet(t, SimConfig{Engine: "dense", Trials: 3})
	if err := one.Run(400); err != nil {
		t.Fatal(err)
	}
	if err := many.Run(400); err != nil {
		t.Fatal(err)
	}
	per := make([][][2]int64, 3)
	for q := range manyL.Step {
		per[manyL.Trial[q]] = append(per[manyL.Trial[q]], [2]int64{manyL.Step[q], int64(manyL.Index[q])})
	}
	if len(per[0]) != len(oneL.Step) {
		t.Fatalf("trial 0 fired %d spikes, the single-trial run %d", len(per[0]), len(oneL.Step))
	}
	for q := range oneL.Step {
		if per[0][q] != [2]int64{oneL.Step[q], int64(oneL.Index[q])} {
			t.Fatalf("trial 0 spike %d differs from the single-trial run", q)
		}
	}
	same := len(per[1]) == len(per[2])
	for q := 0; same && q < len(per[1]); q++ {
		same = per[1][q] == per[2][q]
	}
	if same || len(per[1]) == 0 {
		t.Fatalf("trials 1 and 2 fired identical spikes (%d): their Poisson draws are not independent", len(per[1]))
	}
}

func TestDenseEngineRefusesWhatItLacks(t *testing.T) {
	d := buildSmallDistal(t) // event engine: plastic projection, dopamine
	p := DefaultDistalReward()
	p.NExc, p.NInh, p.OutDegree, p.Seed = 80, 20, 10, 5 // buildSmallDistal's network
	s := mustSim(t, SimConfig{Engine: "dense", DT: 1})
	if _, err := s.AddRate("r", 3, RateParams{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(1); err == nil {
		t.Fatal("the dense engine accepted rate neurons")
	}
	if _, err := newDistalReward(p, SimConfig{Engine: "dense", Trials: 2}); err != nil {
		t.Fatal(err)
	} else if d, _ := newDistalReward(p, SimConfig{Engine: "dense", Trials: 2}); d.Sim.Run(1) == nil {
		t.Fatal("the dense engine accepted plastic synapses with two trials")
	}
	if _, err := NewSim(SimConfig{Trials: 4}); err == nil {
		t.Fatal("the event engine accepted 4 trials")
	}
	b, err := backends.New("cpu")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSim(SimConfig{Engine: "dense", Backend: b, Trials: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := NewSim(SimConfig{Engine: "gpu"}); err == nil {
		t.Fatal("unknown engine accepted")
	}
	dir := t.TempDir()
	if err := d.Sim.Save(dir + "/ck"); err != nil {
		t.Fatal(err)
	}
	dense, err := newDistalReward(p, SimConfig{Engine: "dense"})
	if err != nil {
		t.Fatal(err)
	}
	if err := dense.Sim.Load(dir + "/ck"); err == nil || !strings.Contains(err.Error(), "dense") {
		t.Fatalf("a dense simulation loading an event-engine checkpoint (its queued spikes would be lost): %v", err)
	}
}

// The same model on the torch backend (libtorch on the CPU through the
// shim) fires the same spikes as on the cpu backend and as the event engine.
func TestDenseTorchParity(t *testing.T) {
	tb, err := backends.New("torch:cpu")
	if err != nil {
		if errors.Is(err, torch.ErrUnavailable) && os.Getenv("GHLSIM_REQUIRE_TORCH") != "1" {
			t.Skipf("torch:cpu unavailable: %v", err)
		}
		t.Fatal(err)
	}
	defer tb.Close()
	ev, _, _, evL, evZ := denseTestNet(t, SimConfig{})
	to, _, _, toL, toZ := denseTestNet(t, SimConfig{Engine: "dense", Backend: tb, Trials: 2})
	if err := ev.Run(800); err != nil {
		t.Fatal(err)
	}
	if err := to.Run(800); err != nil {
		t.Fatal(err)
	}
	// trial 0 of the torch run against the event engine
	keep := func(m *SpikeMonitor) *SpikeMonitor {
		out := &SpikeMonitor{}
		for q := range m.Step {
			if m.Trial[q] == 0 {
				out.Step, out.Index = append(out.Step, m.Step[q]), append(out.Index, m.Index[q])
			}
		}
		return out
	}
	sameSpikes(t, "lif (torch:cpu vs event)", evL, keep(toL), 100)
	sameSpikes(t, "izh (torch:cpu vs event)", evZ, keep(toZ), 50)
}

// A dopamine-modulated STDP network (the small distal-reward model: 100
// Izhikevich neurons, 1–20 ms delays, nearest-spike traces, releases) gives
// the same spikes and weights on the dense engine — cpu and torch:cpu — as
// on the event engine.
func TestDensePlasticMatchesEventEngine(t *testing.T) {
	build := func(cfg SimConfig) (*DistalReward, *SpikeMonitor) {
		p := DefaultDistalReward()
		p.NExc, p.NInh, p.OutDegree, p.Seed = 80, 20, 10, 5
		d, err := newDistalReward(p, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int64{300, 900, 1500} {
			if err := d.Dopamine.Schedule(k, 0.5); err != nil {
				t.Fatal(err)
			}
		}
		m, _ := d.Sim.MonitorSpikes(d.Neurons)
		return d, m
	}
	ev, evM := build(SimConfig{})
	if err := ev.Sim.RunFor(4000); err != nil {
		t.Fatal(err)
	}
	engines := map[string]SimConfig{"cpu": {Engine: "dense"}}
	if tb, err := backends.New("torch:cpu"); err == nil {
		defer tb.Close()
		engines["torch:cpu"] = SimConfig{Engine: "dense", Backend: tb}
	} else if os.Getenv("GHLSIM_REQUIRE_TORCH") == "1" {
		t.Fatal(err)
	}
	for name, cfg := range engines {
		de, deM := build(cfg)
		if err := de.Sim.RunFor(4000); err != nil {
			t.Fatal(err)
		}
		sameSpikes(t, "dense "+name, evM, deM, 300)
		de.Sim.SyncWeights()
		worst, moved := 0.0, 0
		for s := range ev.Exc.W {
			d := math.Abs(float64(ev.Exc.W[s] - de.Exc.W[s]))
			worst = math.Max(worst, d)
			if ev.Exc.W[s] != 1 {
				moved++
			}
		}
		if worst > 1e-4 || moved < len(ev.Exc.W)/2 {
			t.Fatalf("dense %s: weights differ by up to %g mV from the event engine (%d of %d weights moved)", name, worst, moved, len(ev.Exc.W))
		}
		t.Logf("dense %s: %d weights within %.2g mV of the event engine", name, len(ev.Exc.W), worst)
	}
}
