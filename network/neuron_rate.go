package network

import (
	"fmt"
	"math"
)

// RateParams configures non-spiking rate neurons: the units of the batched
// networks, living in time. Each step a neuron's activity relaxes toward
// f(I + Bias), where I is the input delivered at the previous step:
//
//	a ← f(I + Bias) + (a − f(I + Bias))·e^{−dt/TauMS}     (a ← f(I + Bias) when TauMS = 0)
//
// A projection from rate neurons transmits graded activity: every step
// neuron i sends w·a_i, arriving after the synapse's delay, instead of w per
// spike. With TauMS = 0, unit delays and a linear or ReLU f, a chain of rate
// populations computes the batched forward pass one layer per step.
type RateParams struct {
	// Activation is "linear", "relu", "tanh" or "sigmoid".
	Activation string
	// TauMS is the activity's time constant in ms (≥ 0; 0 = instantaneous).
	TauMS float64
	// Bias is added to the input before the activation.
	Bias float64
}

// Rate is a population of rate neurons.
type Rate struct {
	neuronBase
	P RateParams
	// A is the activity, I the input delivered at the previous step.
	A, I  []float64
	f     func(float64) float64
	decay float64
}

// AddRate adds n rate neurons.
func (s *Sim) AddRate(name string, n int, p RateParams) (*Rate, error) {
	var f func(float64) float64
	switch p.Activation {
	case "linear", "":
		p.Activation = "linear"
		f = func(x float64) float64 { return x }
	case "relu":
		f = func(x float64) float64 { return math.Max(x, 0) }
	case "tanh":
		f = math.Tanh
	case "sigmoid":
		f = func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	default:
		return nil, fmt.Errorf("network: rate population %s: unknown Activation %q (linear, relu, tanh, sigmoid)", name, p.Activation)
	}
	if math.IsNaN(p.TauMS) || math.IsInf(p.TauMS, 0) || p.TauMS < 0 {
		return nil, fmt.Errorf("network: rate population %s: TauMS = %v ms must be finite and ≥ 0", name, p.TauMS)
	}
	if err := checkParam("rate", "Bias", p.Bias, false); err != nil {
		return nil, err
	}
	r := &Rate{P: p, f: f}
	if err := s.addPop(&r.neuronBase, r, name, n); err != nil {
		return nil, err
	}
	if p.TauMS > 0 {
		r.decay = math.Exp(-s.cfg.DT / p.TauMS)
	}
	r.A, r.I = make([]float64, n), make([]float64, n)
	return r, nil
}

// Model is "rate".
func (r *Rate) Model() string { return "rate" }

// Vars lists a (activity) and I (input).
func (r *Rate) Vars() []string { return []string{"I", "a"} }

// Read returns a variable of neuron i.
func (r *Rate) Read(name string, i int) (float64, error) { return readVar(r, name, i) }

func (r *Rate) update(k int64) {
	for i := range r.A {
		y := r.f(r.I[i] + r.P.Bias)
		if r.decay > 0 {
			y += (r.A[i] - y) * r.decay
		}
		r.A[i], r.I[i] = y, 0
	}
}

func (r *Rate) threshold(k int64) { r.spikes = r.spikes[:0] }
func (r *Rate) reset(k int64)     {}

func (r *Rate) inputs() (ex, in []float64) { return r.I, r.I }

func (r *Rate) state() map[string][]float64 { return map[string][]float64{"a": r.A, "I": r.I} }

// graded returns the activity a rate population transmits.
func (r *Rate) graded() []float64 { return r.A }
