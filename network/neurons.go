package network

import (
	"fmt"
	"math"
	"sort"

	"ghlsim/backends"
)

// Neurons is a population that lives in simulated time (docs/SIMULATED_TIME.md):
// a spiking neuron model, a spike source or an encoder. Each step the
// simulation calls its phases in Brian2's order — update (groups), threshold,
// reset — and synapses deliver into its input buffers in between.
type Neurons interface {
	// Name is the population's name (unique within a simulation).
	Name() string
	// Size is the number of neurons.
	Size() int
	// Model names the neuron model, e.g. "lif" or "izhikevich".
	Model() string
	// Spikes lists the neurons that spiked at the current step, ascending
	// (valid from the threshold phase until the next step's update).
	Spikes() []int32
	// Vars lists the state variables a StateMonitor can record.
	Vars() []string
	// Read returns variable name of neuron i at the current step.
	Read(name string, i int) (float64, error)

	base() *neuronBase
	update(k int64)
	threshold(k int64)
	reset(k int64)
	// inputs are the buffers synapses deliver into: ex for w ≥ 0, in for
	// w < 0 (the same slice for single-input models; nil for sources).
	inputs() (ex, in []float64)
	// state and setState expose the model's state vectors for checkpoints.
	state() map[string][]float64
}

// neuronBase holds what every population has.
type neuronBase struct {
	name   string
	n      int
	spikes []int32
	sim    *Sim
}

func (b *neuronBase) Name() string    { return b.name }
func (b *neuronBase) Size() int       { return b.n }
func (b *neuronBase) Spikes() []int32 { return b.spikes }
func (b *neuronBase) base() *neuronBase {
	return b
}

// readVar looks a variable up in a model's state map.
func readVar(pop Neurons, name string, i int) (float64, error) {
	if i < 0 || i >= pop.Size() {
		return 0, fmt.Errorf("network: population %s has %d neurons; index %d is outside", pop.Name(), pop.Size(), i)
	}
	st := pop.state()
	v, ok := st[name]
	if !ok {
		return 0, fmt.Errorf("network: population %s (%s) has no variable %q (it has %v)", pop.Name(), pop.Model(), name, pop.Vars())
	}
	return v[i], nil
}

// varNames lists a state map's keys in order, less internal ones.
func varNames(st map[string][]float64) []string {
	out := make([]string, 0, len(st))
	for k := range st {
		if k != "lastspike" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// uniform01 is the counter-based uniform draw in [0, 1) number i at step k of
// a stream key: a pure function, so resumed runs and any thread count draw
// the same numbers.
func uniform01(key uint64, k int64, i int) float64 {
	x := backends.SplitMix64(key ^ backends.SplitMix64(uint64(k)*0x9E3779B97F4A7C15+uint64(i)))
	return float64(x>>11) * (1.0 / (1 << 53))
}

// stepsOf converts a duration in ms to whole steps of dt, refusing one that
// is not (within 1e-6 relative) a multiple of dt.
func stepsOf(what string, ms, dt float64) (int64, error) {
	if math.IsNaN(ms) || math.IsInf(ms, 0) || ms < 0 {
		return 0, fmt.Errorf("%s = %v ms must be a finite, non-negative time", what, ms)
	}
	n := math.Round(ms / dt)
	if math.Abs(n*dt-ms) > 1e-6*math.Max(dt, ms) {
		return 0, fmt.Errorf("%s = %v ms is not a whole number of %v ms steps (events would move); use a multiple of dt", what, ms, dt)
	}
	return int64(n), nil
}

// checkParam validates a model parameter: finite, and positive when pos.
func checkParam(model, name string, v float64, pos bool) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("network: %s parameter %s = %v must be finite", model, name, v)
	}
	if pos && !(v > 0) {
		return fmt.Errorf("network: %s parameter %s = %v must be positive", model, name, v)
	}
	return nil
}
