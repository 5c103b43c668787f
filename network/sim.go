package network

import (
	"fmt"
	"math"

	"ghlsim/backends"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// SimConfig configures a simulation in time (docs/SIMULATED_TIME.md).
type SimConfig struct {
	// DT is the step in ms (> 0); 0 means 0.1 ms.
	DT float64
	// MaxDelayMS is the largest synaptic delay any projection may use, in
	// ms (a multiple of DT, at least one step); 0 means 20 ms. It sizes the
	// spike queue (MaxDelayMS/DT + 1 slots per projection).
	MaxDelayMS float64
	// Seed names every random stream (connectivity, noise, Poisson sources).
	Seed uint64
	// MonitorBytes bounds the memory monitors may hold (0 means 1 GiB): a
	// Run whose state monitors would pass it is refused before it starts,
	// and spike monitors stop the run when they reach it.
	MonitorBytes int64
	// Engine is "event" (the default: event-driven synapses on the host,
	// the exact reference, every model and plasticity) or "dense" (the
	// same models as batched tensor operations on Backend, for GPUs and for
	// many trials at once; static synapses only, see sim_dense.go).
	Engine string
	// Trials is the number of independent trials the dense engine runs at
	// once (0 means 1; the event engine runs one).
	Trials int
	// Backend is where the dense engine runs (nil means a cpu backend);
	// the event engine runs on the host and accepts only nil or cpu.
	Backend backends.Backend
}

// withDefaults fills zero fields.
func (c SimConfig) withDefaults() SimConfig {
	if c.DT == 0 {
		c.DT = 0.1
	}
	if c.MaxDelayMS == 0 {
		c.MaxDelayMS = 20
	}
	if c.MonitorBytes == 0 {
		c.MonitorBytes = 1 << 30
	}
	if c.Engine == "" {
		c.Engine = "event"
	}
	if c.Trials == 0 {
		c.Trials = 1
	}
	return c
}

// Validate reports a bad configuration, naming the field and the fix.
func (c SimConfig) Validate() error {
	c = c.withDefaults()
	if !(c.DT > 0) || math.IsInf(c.DT, 0) {
		return fmt.Errorf("network: simulation DT = %v ms must be a positive step", c.DT)
	}
	if c.DT > 10 {
		return fmt.Errorf("network: simulation DT = %v ms is larger than any neuron model here can integrate (use ≤ 10 ms)", c.DT)
	}
	n, err := stepsOf("network: simulation MaxDelayMS", c.MaxDelayMS, c.DT)
	if err != nil {
		return err
	}
	if n < 1 || n > synapse.MaxDelaySteps {
		return fmt.Errorf("network: simulation MaxDelayMS = %v ms is %d steps of %v ms; it must be 1 to %d steps", c.MaxDelayMS, n, c.DT, synapse.MaxDelaySteps)
	}
	if c.MonitorBytes < 0 {
		return fmt.Errorf("network: simulation MonitorBytes = %d must be ≥ 0", c.MonitorBytes)
	}
	switch c.Engine {
	case "event":
		if c.Trials != 1 {
			return fmt.Errorf("network: the event engine runs one trial; Trials = %d needs Engine \"dense\"", c.Trials)
		}
		if c.Backend != nil && c.Backend.Name() != "cpu" {
			return fmt.Errorf("network: the event engine runs on the host; backend %q needs Engine \"dense\"", c.Backend.Name())
		}
	case "dense":
		if c.Trials < 1 || c.Trials > 1<<20 {
			return fmt.Errorf("network: Trials = %d must be in [1, %d]", c.Trials, 1<<20)
		}
	default:
		return fmt.Errorf("network: unknown simulation Engine %q (event, dense)", c.Engine)
	}
	return nil
}

// simProj is a projection wired between two populations.
type simProj struct {
	P         *synapse.Projection
	Pre, Post Neurons
	Mod       *neuromod.Concentration
}

// Sim is a network that lives in simulated time: clock-driven neurons and
// event-driven synapses (as Brian2 and GeNN), advanced in steps of DT in the
// fixed phase order of docs/SIMULATED_TIME.md. Neurons update their state
// vectors every step; spikes are events queued per delay; synapse state is
// updated lazily and exactly, only when an event touches it; neuromodulators
// are concentrations with release events. Everything is deterministic: the
// same seed gives bit-identical spike times and weights, and a simulation
// restored from Save continues bit-identically.
//
// The engine runs on the host (pure Go, one thread); the cpu backend is its
// reference. Build a simulation with the Add…/Connect methods, then call Run
// or RunFor (repeatedly, if you like); the structure is frozen at the first
// step.
type Sim struct {
	cfg      SimConfig
	maxDelay int
	pops     []Neurons
	popNames map[string]bool
	projs    []*simProj
	mods     []*neuromod.Concentration
	spikeMon []*SpikeMonitor
	stateMon []*StateMonitor
	onStep   []func(k int64)
	extra    map[string][]float64
	dense    *denseEngine

	step    int64 // the next step to run
	inStep  bool
	stopReq bool
	frozen  bool
	err     error
	monUsed int64 // bytes held by monitors
	// Spikes counts every spike emitted since step 0.
	spikeCount int64
}

// NewSim starts an empty simulation.
func NewSim(cfg SimConfig) (*Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if cfg.Engine == "dense" && cfg.Backend == nil {
		b, err := backends.New("cpu")
		if err != nil {
			return nil, err
		}
		cfg.Backend = b
	}
	md, _ := stepsOf("MaxDelayMS", cfg.MaxDelayMS, cfg.DT)
	return &Sim{cfg: cfg, maxDelay: int(md), popNames: map[string]bool{}}, nil
}

// Config returns the effective configuration (defaults filled in).
func (s *Sim) Config() SimConfig { return s.cfg }

// DT is the step in ms.
func (s *Sim) DT() float64 { return s.cfg.DT }

// Step is the number of steps simulated so far (the next step to run).
func (s *Sim) Step() int64 { return s.step }

// TimeMS is the simulated time in ms (Step·DT).
func (s *Sim) TimeMS() float64 { return float64(s.step) * s.cfg.DT }

// SpikeCount is the number of spikes emitted by all populations so far.
func (s *Sim) SpikeCount() int64 { return s.spikeCount }

// Populations lists the populations in creation order.
func (s *Sim) Populations() []Neurons { return s.pops }

// nextStep is the first step that has not started its threshold phase yet.
func (s *Sim) nextStep() int64 {
	if s.inStep {
		return s.step + 1
	}
	return s.step
}

func (s *Sim) addPop(b *neuronBase, pop Neurons, name string, n int) error {
	if s.frozen {
		return fmt.Errorf("network: population %s added after the simulation started; build everything before Run", name)
	}
	if name == "" || s.popNames[name] {
		return fmt.Errorf("network: population name %q is empty or used twice", name)
	}
	if n <= 0 || n > math.MaxInt32 {
		return fmt.Errorf("network: population %s: size %d must be in [1, %d]", name, n, math.MaxInt32)
	}
	s.popNames[name] = true
	b.name, b.n, b.sim = name, n, s
	b.spikes = make([]int32, 0, n)
	s.pops = append(s.pops, pop)
	return nil
}

// AddConcentration adds a neuromodulator channel with dynamics (e.g.
// dopamine): projections connected with it as their Modulator read its
// concentration.
func (s *Sim) AddConcentration(name string, p neuromod.ConcentrationParams) (*neuromod.Concentration, error) {
	if s.frozen {
		return nil, fmt.Errorf("network: neuromodulator %s added after the simulation started", name)
	}
	if name == "" || s.popNames[name] {
		return nil, fmt.Errorf("network: neuromodulator name %q is empty or used twice", name)
	}
	c, err := neuromod.NewConcentration(name, p, s.cfg.DT)
	if err != nil {
		return nil, err
	}
	s.popNames[name] = true
	s.mods = append(s.mods, c)
	return c, nil
}

// ReleaseAfter schedules a release of amount on c, latencyMS after the
// current step (≥ one step; a multiple of DT). Call it from an OnStep
// callback or between runs.
func (s *Sim) ReleaseAfter(c *neuromod.Concentration, amount, latencyMS float64) error {
	n, err := stepsOf("network: release latency", latencyMS, s.cfg.DT)
	if err != nil {
		return err
	}
	at := s.step + n
	if !s.inStep {
		at = s.step - 1 + n // between runs: latency counts from the last step simulated
	}
	if n < 1 || at < s.nextStep() {
		return fmt.Errorf("network: release latency %v ms must be at least one %v ms step", latencyMS, s.cfg.DT)
	}
	return c.Schedule(at, amount)
}

// OnStep registers f to run at the end of every step k (after plasticity
// and monitors): the place for reward logic, stimulus changes and Stop.
func (s *Sim) OnStep(f func(k int64)) { s.onStep = append(s.onStep, f) }

// Stop asks a running Run to return after the current step.
func (s *Sim) Stop() { s.stopReq = true }

// RunFor simulates ms of time (a multiple of DT).
func (s *Sim) RunFor(ms float64) error {
	n, err := stepsOf("network: RunFor duration", ms, s.cfg.DT)
	if err != nil {
		return err
	}
	return s.Run(n)
}

// Run simulates n steps (or until Stop). It refuses, before simulating
// anything, a run whose state monitors would exceed SimConfig.MonitorBytes
// or whose step count would overflow the engine's 31-bit step stamps.
func (s *Sim) Run(n int64) error {
	if s.err != nil {
		return s.err
	}
	if n < 0 {
		return fmt.Errorf("network: cannot run %d steps", n)
	}
	if s.step+n > math.MaxInt32 {
		return fmt.Errorf("network: running to step %d would pass the engine's limit of %d steps (%.1f h at dt = %v ms); use a larger dt or split the study into simulations", s.step+n, math.MaxInt32, float64(math.MaxInt32)*s.cfg.DT/3.6e6, s.cfg.DT)
	}
	if err := s.checkMonitorBudget(n); err != nil {
		return err
	}
	if !s.frozen && s.cfg.Engine == "dense" {
		if err := s.buildDense(); err != nil {
			return err
		}
	}
	s.frozen = true
	s.stopReq = false
	end := s.step + n
	for s.step < end && !s.stopReq {
		if err := s.advance(); err != nil {
			s.err = err
			return err
		}
	}
	return nil
}

// advance runs one step in the order of docs/SIMULATED_TIME.md.
func (s *Sim) advance() error {
	k := s.step
	s.inStep = true
	defer func() { s.inStep = false }()
	if s.dense != nil {
		s.dense.advance(s, k)
		for _, m := range s.spikeMon {
			if err := m.record(k); err != nil {
				return err
			}
		}
		return s.end(k)
	}
	// 1. groups
	for _, p := range s.pops {
		p.update(k)
	}
	// 2. thresholds
	for _, p := range s.pops {
		p.threshold(k)
		s.spikeCount += int64(len(p.Spikes()))
	}
	for _, m := range s.spikeMon {
		if err := m.record(k); err != nil {
			return err
		}
	}
	// 3. synapses: per projection, post events then pre events
	for _, sp := range s.projs {
		if r, ok := sp.Pre.(*Rate); ok {
			sp.P.PushGraded(k, r.graded())
		} else {
			sp.P.Push(k, sp.Pre.Spikes())
		}
		sp.P.PostSpikes(k, sp.Post.Spikes())
		sp.P.Deliver(k)
	}
	for _, c := range s.mods {
		c.Apply(k)
	}
	// 4. resets
	for _, p := range s.pops {
		p.reset(k)
	}
	return s.end(k)
}

// end runs phase 5 of step k: modulated weight updates, state monitors,
// callbacks.
func (s *Sim) end(k int64) error {
	if s.dense != nil {
		for _, dp := range s.dense.plastic {
			dp.update(k)
		}
	}
	for _, sp := range s.projs {
		if s.dense != nil {
			break
		}
		if sp.Mod != nil {
			if every := sp.P.UpdateEvery(); k%every == 0 {
				sp.P.ModulatedUpdate(k, sp.Mod.At(k))
			}
		}
	}
	for _, m := range s.stateMon {
		m.record(k)
	}
	for _, f := range s.onStep {
		f(k)
	}
	s.step = k + 1
	return nil
}
