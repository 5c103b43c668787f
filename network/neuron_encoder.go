package network

import (
	"fmt"
	"math"

	"ghlsim/internal/rng"
)

// EncoderParams configures an image encoder population: one neuron per
// pixel (or feature) with intensity x ∈ [0, 1].
type EncoderParams struct {
	// Mode is "rate" (Poisson spikes at x·MaxRateHz) or "ttfs" (time to
	// first spike: one spike at step round((1 − x)·(T − 1)) of a T-step
	// presentation, none for x = 0).
	Mode string
	// MaxRateHz is the rate of a pixel of intensity 1 in rate mode (> 0;
	// ≤ one spike per step).
	MaxRateHz float64
	// WindowMS is the presentation length T·dt in ttfs mode (> 0).
	WindowMS float64
}

// Encoder turns an image into spikes, starting at the step after Present.
type Encoder struct {
	neuronBase
	P EncoderParams
	x []float64
	// meta holds the presentation's first step and whether one is on, as
	// float64s so the checkpoint restores them with the rest of the state.
	meta   [2]float64
	window int64
	key    uint64
}

// AddEncoder adds an encoder of n pixels.
func (s *Sim) AddEncoder(name string, n int, p EncoderParams) (*Encoder, error) {
	switch p.Mode {
	case "rate":
		if !(p.MaxRateHz > 0) || math.IsInf(p.MaxRateHz, 0) || p.MaxRateHz*s.cfg.DT/1000 > 1 {
			return nil, fmt.Errorf("network: encoder %s: MaxRateHz = %v must be positive and at most one spike per %v ms step", name, p.MaxRateHz, s.cfg.DT)
		}
	case "ttfs":
	default:
		return nil, fmt.Errorf("network: encoder %s: unknown Mode %q (use \"rate\" or \"ttfs\")", name, p.Mode)
	}
	var window int64
	if p.Mode == "ttfs" {
		w, err := stepsOf("network: encoder "+name+" WindowMS", p.WindowMS, s.cfg.DT)
		if err != nil {
			return nil, err
		}
		if w < 1 {
			return nil, fmt.Errorf("network: encoder %s: WindowMS = %v ms must be at least one step", name, p.WindowMS)
		}
		window = w
	}
	e := &Encoder{P: p, window: window}
	if err := s.addPop(&e.neuronBase, e, name, n); err != nil {
		return nil, err
	}
	e.x = make([]float64, n)
	e.key = rng.Key(s.cfg.Seed, "sim/encoder/"+name)
	return e, nil
}

// Present starts presenting x (len Size, values in [0, 1]) at the next step.
func (e *Encoder) Present(x []float32) error {
	if len(x) != e.n {
		return fmt.Errorf("network: encoder %s has %d neurons; the input has %d values", e.name, e.n, len(x))
	}
	for i, v := range x {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("network: encoder %s: input %d = %v is outside [0, 1]", e.name, i, v)
		}
		e.x[i] = float64(v)
	}
	e.meta = [2]float64{float64(e.sim.nextStep()), 1}
	return nil
}

// Model is "encoder-rate" or "encoder-ttfs".
func (e *Encoder) Model() string { return "encoder-" + e.P.Mode }

// Vars lists x, the presented intensities.
func (e *Encoder) Vars() []string { return []string{"x"} }

// Read returns pixel i's intensity.
func (e *Encoder) Read(name string, i int) (float64, error) { return readVar(e, name, i) }

func (e *Encoder) update(k int64) {}

func (e *Encoder) threshold(k int64) {
	e.spikes = e.spikes[:0]
	if e.meta[1] == 0 {
		return
	}
	switch e.P.Mode {
	case "rate":
		scale := e.P.MaxRateHz * e.sim.cfg.DT / 1000
		for i, x := range e.x {
			if x > 0 && uniform01(e.key, k, i) < x*scale {
				e.spikes = append(e.spikes, int32(i))
			}
		}
	case "ttfs":
		rel := k - int64(e.meta[0])
		if rel < 0 || rel >= e.window {
			return
		}
		for i, x := range e.x {
			if x > 0 && int64(math.Round((1-x)*float64(e.window-1))) == rel {
				e.spikes = append(e.spikes, int32(i))
			}
		}
	}
}

func (e *Encoder) reset(k int64)              {}
func (e *Encoder) inputs() (ex, in []float64) { return nil, nil }
func (e *Encoder) state() map[string][]float64 {
	return map[string][]float64{"x": e.x, "presentation": e.meta[:]}
}
