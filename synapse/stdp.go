package synapse

import (
	"fmt"
	"math"
)

// STDPParams configures pair-based spike-timing-dependent plasticity with
// exponential traces, optionally gated by a neuromodulator (the
// dopamine-modulated STDP of Izhikevich 2007). docs/SIMULATED_TIME.md gives
// the exact event semantics:
//
//	on_post: apost ← apost + AMinus;  c ← c + apre      (potentiation)
//	on_pre:  input ← input + w;  c ← c + apost;  apre ← apre + APlus   (depression)
//
// where c is the weight itself (w ← clip(w + Δ)) when Modulated is false,
// and otherwise the eligibility trace that the modulator turns into weight
// change every UpdateEveryMS: w ← clip(w + Eta·(d − DRef)·c).
type STDPParams struct {
	// TauPlusMS is the presynaptic trace's time constant τ+ (ms, > 0).
	TauPlusMS float64
	// TauMinusMS is the postsynaptic trace's time constant τ− (ms, > 0).
	TauMinusMS float64
	// APlus is the presynaptic trace increment (potentiation amplitude, ≥ 0).
	APlus float64
	// AMinus is the postsynaptic trace increment (depression amplitude, ≤ 0).
	AMinus float64
	// Nearest makes a spike set its trace to A (nearest-spike pairing, as
	// Izhikevich's spnet/daspnet) instead of adding A (all-to-all pairing).
	Nearest bool
	// WMin and WMax bound the weight (same unit as the weight: pA for LIF
	// targets, mV/ms for Izhikevich targets).
	WMin, WMax float64

	// Modulated routes STDP into the eligibility trace c instead of the
	// weight; a neuromodulator then gates it into weight change.
	Modulated bool
	// TauCMS is the eligibility trace's time constant τ_c (ms, > 0);
	// Izhikevich (2007): 1000 ms.
	TauCMS float64
	// Eta scales the modulated weight change per update (unitless per
	// update; Izhikevich 2007: 1).
	Eta float64
	// DRef is the concentration at which the modulator has no effect:
	// Δw = Eta·(d − DRef)·c. 0 for Izhikevich (2007), where the tonic
	// dopamine level itself lets weights drift; the modulator's baseline for
	// a purely phasic third factor.
	DRef float64
	// UpdateEveryMS is the interval of the modulated weight update (ms, a
	// multiple of dt); Izhikevich (2007): 10 ms.
	UpdateEveryMS float64
}

// IzhikevichSTDP returns the dopamine-modulated STDP of Izhikevich (2007)
// as in his daspnet code: nearest-spike traces of amplitude 0.1 (LTP) and
// −0.15 (LTD) with τ± = 20 ms, eligibility τ_c = 1 s, weights in [0, 4] mV,
// Δw = c·d every 10 ms.
func IzhikevichSTDP() STDPParams {
	return STDPParams{TauPlusMS: 20, TauMinusMS: 20, APlus: 0.1, AMinus: -0.15, Nearest: true,
		WMin: 0, WMax: 4, Modulated: true, TauCMS: 1000, Eta: 1, DRef: 0, UpdateEveryMS: 10}
}

// Validate reports the first bad parameter, naming it and the valid range.
func (p STDPParams) Validate() error {
	pos := func(name string, v float64) error {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("synapse: STDP %s = %v must be a positive, finite number", name, v)
		}
		return nil
	}
	fin := func(name string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("synapse: STDP %s = %v must be finite", name, v)
		}
		return nil
	}
	for _, e := range []error{pos("TauPlusMS", p.TauPlusMS), pos("TauMinusMS", p.TauMinusMS),
		fin("APlus", p.APlus), fin("AMinus", p.AMinus), fin("WMin", p.WMin), fin("WMax", p.WMax)} {
		if e != nil {
			return e
		}
	}
	if p.APlus < 0 || p.AMinus > 0 {
		return fmt.Errorf("synapse: STDP APlus = %v must be ≥ 0 and AMinus = %v ≤ 0 (depression is a negative increment)", p.APlus, p.AMinus)
	}
	if p.WMin > p.WMax {
		return fmt.Errorf("synapse: STDP weight bounds [%v, %v] are reversed", p.WMin, p.WMax)
	}
	if p.Modulated {
		for _, e := range []error{pos("TauCMS", p.TauCMS), pos("UpdateEveryMS", p.UpdateEveryMS), fin("Eta", p.Eta), fin("DRef", p.DRef)} {
			if e != nil {
				return e
			}
		}
	}
	return nil
}

// decayTable holds e^{−g·dt/τ} for gaps g < len, in float32, so the lazy
// exact decay of a trace costs one load.
type decayTable []float32

const decayTableLen = 4096

func newDecayTable(dt, tau float64) decayTable {
	t := make(decayTable, decayTableLen)
	for g := range t {
		t[g] = float32(math.Exp(-float64(g) * dt / tau))
	}
	return t
}

// at is e^{−gap·dt/τ}; gaps beyond the table are computed.
func (t decayTable) at(gap int32, dt, tau float64) float32 {
	if gap < decayTableLen {
		return t[gap]
	}
	return float32(math.Exp(-float64(gap) * dt / tau))
}
