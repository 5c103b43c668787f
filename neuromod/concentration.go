package neuromod

import (
	"fmt"
	"math"
	"sort"
)

// ConcentrationParams configures a neuromodulator with dynamics: a
// substance (dopamine, say) whose concentration d(t) relaxes exponentially
// to a tonic baseline and jumps at release events (docs/SIMULATED_TIME.md,
// "Neuromodulator"):
//
//	d(t) = Base + (d(t₀) − Base)·exp(−(t − t₀)/TauMS),  d ← d + Jump at a release
type ConcentrationParams struct {
	// Base is the tonic (baseline) concentration, µM; Izhikevich (2007): 0.002.
	Base float64
	// TauMS is the decay time constant of d toward Base, in ms (> 0);
	// Izhikevich (2007): 200 ms.
	TauMS float64
	// Jump is the default increase of d per release event, µM; Izhikevich
	// (2007): 0.5.
	Jump float64
	// Initial is d at time 0; NaN means Base.
	Initial float64
}

// DefaultConcentration returns the dopamine of Izhikevich (2007): tonic
// 0.002 µM, τ_d = 200 ms, 0.5 µM per release.
func DefaultConcentration() ConcentrationParams {
	return ConcentrationParams{Base: 0.002, TauMS: 200, Jump: 0.5, Initial: math.NaN()}
}

// Validate reports a parameter that makes no sense, naming it and the fix.
func (p ConcentrationParams) Validate() error {
	switch {
	case !(p.TauMS > 0) || math.IsInf(p.TauMS, 0):
		return fmt.Errorf("neuromod: concentration TauMS = %v ms must be a positive, finite time constant", p.TauMS)
	case math.IsNaN(p.Base) || math.IsInf(p.Base, 0):
		return fmt.Errorf("neuromod: concentration Base = %v must be finite", p.Base)
	case math.IsNaN(p.Jump) || math.IsInf(p.Jump, 0):
		return fmt.Errorf("neuromod: concentration Jump = %v must be finite", p.Jump)
	case math.IsInf(p.Initial, 0):
		return fmt.Errorf("neuromod: concentration Initial = %v must be finite (NaN means Base)", p.Initial)
	}
	return nil
}

// Release is one scheduled release: Amount is added to d in the synapses
// phase of Step.
type Release struct {
	Step   int64
	Amount float64
}

// Concentration is a neuromodulator channel with dynamics in simulated time.
// Its state is exact and lazy: it stores d at the step of its last change and
// computes d at any later step in closed form, so reading it costs one exp
// and nothing ticks between events. Releases are events scheduled with a
// latency, like spikes; pending ones are part of the state (checkpoints).
//
// Concentration is driven by network.Sim (Apply at every step's synapses
// phase); it can also be used on its own with explicit steps.
type Concentration struct {
	Name string
	P    ConcentrationParams
	// DT is the simulation step in ms.
	DT float64

	last    int64   // step of the last change
	dLast   float64 // d at step last (after its releases)
	pending []Release
	applied int64 // the last step whose releases were applied (−1 before any)
	// cache of the last read, so many synapses reading d at one step pay one exp
	readStep int64
	readVal  float64
	// Releases counts the releases applied so far.
	Releases int64
}

// NewConcentration makes a concentration channel for steps of dt ms.
func NewConcentration(name string, p ConcentrationParams, dt float64) (*Concentration, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if !(dt > 0) || math.IsInf(dt, 0) {
		return nil, fmt.Errorf("neuromod: concentration %s: step dt = %v ms must be positive", name, dt)
	}
	c := &Concentration{Name: name, P: p, DT: dt, readStep: -1, applied: -1}
	c.dLast = p.Base
	if !math.IsNaN(p.Initial) {
		c.dLast = p.Initial
	}
	return c, nil
}

// At returns d at step k (k must not precede the last applied release).
func (c *Concentration) At(k int64) float64 {
	if k == c.readStep {
		return c.readVal
	}
	gap := k - c.last
	if gap < 0 {
		panic(fmt.Sprintf("neuromod: concentration %s read at step %d before its last change at %d", c.Name, k, c.last))
	}
	v := c.P.Base + (c.dLast-c.P.Base)*math.Exp(-float64(gap)*c.DT/c.P.TauMS)
	c.readStep, c.readVal = k, v
	return v
}

// Schedule adds a release of amount at step (≥ the next step to apply).
// Releases at the same step apply in the order they were scheduled.
func (c *Concentration) Schedule(step int64, amount float64) error {
	if math.IsNaN(amount) || math.IsInf(amount, 0) {
		return fmt.Errorf("neuromod: concentration %s: release amount %v must be finite", c.Name, amount)
	}
	if step <= c.applied {
		return fmt.Errorf("neuromod: concentration %s: release at step %d is not in the future (step %d's releases are applied)", c.Name, step, c.applied)
	}
	i := sort.Search(len(c.pending), func(i int) bool { return c.pending[i].Step > step })
	c.pending = append(c.pending, Release{})
	copy(c.pending[i+1:], c.pending[i:])
	c.pending[i] = Release{Step: step, Amount: amount}
	return nil
}

// Apply applies the releases due at step k (the synapses phase of step k)
// and returns how many there were. Steps must not go backwards.
func (c *Concentration) Apply(k int64) int {
	c.applied = k
	n := 0
	for n < len(c.pending) && c.pending[n].Step <= k {
		if c.pending[n].Step < k {
			panic(fmt.Sprintf("neuromod: concentration %s: release for step %d missed (now %d)", c.Name, c.pending[n].Step, k))
		}
		n++
	}
	if n == 0 {
		return 0
	}
	d := c.At(k)
	for _, r := range c.pending[:n] {
		d += r.Amount
	}
	c.last, c.dLast = k, d
	c.readStep, c.readVal = k, d
	c.pending = append(c.pending[:0], c.pending[n:]...)
	c.Releases += int64(n)
	return n
}

// Pending lists the releases not applied yet, in step order (a copy).
func (c *Concentration) Pending() []Release { return append([]Release(nil), c.pending...) }

// ConcentrationState is the checkpointed state of a Concentration.
type ConcentrationState struct {
	Last     int64
	DLast    float64
	Pending  []Release
	Releases int64
	Applied  int64
}

// State returns the channel's state for a checkpoint.
func (c *Concentration) State() ConcentrationState {
	return ConcentrationState{Last: c.last, DLast: c.dLast, Pending: c.Pending(), Releases: c.Releases, Applied: c.applied}
}

// SetState restores a checkpointed state.
func (c *Concentration) SetState(s ConcentrationState) {
	c.last, c.dLast, c.Releases, c.applied = s.Last, s.DLast, s.Releases, s.Applied
	c.pending = append(c.pending[:0], s.Pending...)
	c.readStep = -1
}
