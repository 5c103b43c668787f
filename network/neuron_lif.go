package network

import (
	"fmt"
	"math"
)

// LIFParams are the parameters of a current-based leaky integrate-and-fire
// neuron with exponential synaptic currents (NEST's iaf_psc_exp; defaults are
// NEST's). Units: pF, ms, mV, pA.
//
//	dV/dt = −(V − EL)/TauM + (I_ex + I_in + IE)/CM    (unless refractory)
//	dI_ex/dt = −I_ex/TauEx,   dI_in/dt = −I_in/TauIn
//	spike when V > VTh: V ← VReset, refractory for TRef
type LIFParams struct {
	CM     float64 // membrane capacitance, pF (> 0); 250
	TauM   float64 // membrane time constant, ms (> 0); 10
	TauEx  float64 // excitatory synaptic current decay, ms (> 0); 2
	TauIn  float64 // inhibitory synaptic current decay, ms (> 0); 2
	TRef   float64 // refractory period, ms (≥ 0, a multiple of dt); 2
	EL     float64 // resting potential, mV; −70
	VReset float64 // reset potential, mV; −70
	VTh    float64 // threshold, mV (> VReset); −55
	IE     float64 // constant external current, pA; 0
	// V0 is the initial membrane potential, mV; NaN means EL.
	V0 float64
}

// DefaultLIF returns NEST's iaf_psc_exp defaults.
func DefaultLIF() LIFParams {
	return LIFParams{CM: 250, TauM: 10, TauEx: 2, TauIn: 2, TRef: 2, EL: -70, VReset: -70, VTh: -55, IE: 0, V0: math.NaN()}
}

// Validate reports the first bad parameter.
func (p LIFParams) Validate() error {
	for _, c := range []struct {
		n   string
		v   float64
		pos bool
	}{{"CM", p.CM, true}, {"TauM", p.TauM, true}, {"TauEx", p.TauEx, true}, {"TauIn", p.TauIn, true},
		{"EL", p.EL, false}, {"VReset", p.VReset, false}, {"VTh", p.VTh, false}, {"IE", p.IE, false}, {"TRef", p.TRef, false}} {
		if err := checkParam("LIF", c.n, c.v, c.pos); err != nil {
			return err
		}
	}
	if p.TRef < 0 {
		return fmt.Errorf("network: LIF parameter TRef = %v ms must be ≥ 0", p.TRef)
	}
	if p.VTh <= p.VReset {
		return fmt.Errorf("network: LIF threshold VTh = %v mV must lie above VReset = %v mV", p.VTh, p.VReset)
	}
	if math.IsInf(p.V0, 0) {
		return fmt.Errorf("network: LIF parameter V0 = %v must be finite (NaN means EL)", p.V0)
	}
	return nil
}

// LIF is a population of current-based LIF neurons, integrated exactly over
// each step (the linear propagator of NEST and Brian2's method='exact').
type LIF struct {
	neuronBase
	P LIFParams
	// state
	V, IEx, IIn []float64
	// IE is each neuron's constant external current (pA), initialised to
	// P.IE; set entries to give neurons different biases.
	IE        []float64
	lastSpike []float64 // step of the last spike (float64 for the state map)
	// propagator
	p22, pEx, pIn, pIE, eEx, eIn float64
	nRef                         int64
}

// propagator is the factor that carries a current decaying with tauX into V
// over one step: ∫₀^dt e^{−(dt−s)/τm} e^{−s/τx} ds / C.
func propagator(dt, tauM, tauX, cm float64) float64 {
	if math.Abs(tauM-tauX) < 1e-9*tauM {
		return dt / cm * math.Exp(-dt/tauM)
	}
	return tauM * tauX / (cm * (tauX - tauM)) * (math.Exp(-dt/tauX) - math.Exp(-dt/tauM))
}

// AddLIF adds n LIF neurons named name.
func (s *Sim) AddLIF(name string, n int, p LIFParams) (*LIF, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("population %s: %w", name, err)
	}
	nref, err := stepsOf("network: LIF TRef", p.TRef, s.cfg.DT)
	if err != nil {
		return nil, fmt.Errorf("population %s: %w", name, err)
	}
	l := &LIF{P: p, nRef: nref}
	if err := s.addPop(&l.neuronBase, l, name, n); err != nil {
		return nil, err
	}
	dt := s.cfg.DT
	l.p22 = math.Exp(-dt / p.TauM)
	l.pEx = propagator(dt, p.TauM, p.TauEx, p.CM)
	l.pIn = propagator(dt, p.TauM, p.TauIn, p.CM)
	l.pIE = p.TauM / p.CM * (1 - l.p22)
	l.eEx, l.eIn = math.Exp(-dt/p.TauEx), math.Exp(-dt/p.TauIn)
	v0 := p.V0
	if math.IsNaN(v0) {
		v0 = p.EL
	}
	l.V, l.IEx, l.IIn, l.lastSpike = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	l.IE = make([]float64, n)
	for i := range l.V {
		l.V[i] = v0
		l.IE[i] = p.IE
		l.lastSpike[i] = math.Inf(-1)
	}
	return l, nil
}

// Model is "lif".
func (l *LIF) Model() string { return "lif" }

// Vars lists V (mV), I_ex, I_in and I_e (pA).
func (l *LIF) Vars() []string { return varNames(l.state()) }

// Read returns a variable of neuron i.
func (l *LIF) Read(name string, i int) (float64, error) { return readVar(l, name, i) }

func (l *LIF) refractory(k int64, i int) bool {
	return float64(k)-l.lastSpike[i] < float64(l.nRef)
}

func (l *LIF) update(k int64) {
	p := l.P
	for i := range l.V {
		if !l.refractory(k, i) {
			l.V[i] = p.EL + (l.V[i]-p.EL)*l.p22 + l.IE[i]*l.pIE + l.IEx[i]*l.pEx + l.IIn[i]*l.pIn
		}
		l.IEx[i] *= l.eEx
		l.IIn[i] *= l.eIn
	}
}

func (l *LIF) threshold(k int64) {
	l.spikes = l.spikes[:0]
	for i, v := range l.V {
		if v > l.P.VTh && !l.refractory(k, i) {
			l.spikes = append(l.spikes, int32(i))
		}
	}
}

func (l *LIF) reset(k int64) {
	for _, i := range l.spikes {
		l.V[i] = l.P.VReset
		l.lastSpike[i] = float64(k)
	}
}

func (l *LIF) inputs() (ex, in []float64) { return l.IEx, l.IIn }

func (l *LIF) state() map[string][]float64 {
	return map[string][]float64{"V": l.V, "I_ex": l.IEx, "I_in": l.IIn, "I_e": l.IE, "lastspike": l.lastSpike}
}
