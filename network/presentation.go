package network

import (
	"fmt"
	"math"
)

// MaxPresentationSteps bounds Presentation.Steps: a window costs Steps
// forward passes, and with τ_e = +Inf its eligibility is a float32 sum of
// Steps terms whose round-off grows with their number.
const MaxPresentationSteps = 1024

// Presentation is a presentation window in simulated time on the batched
// network ("GHL in time"): the input batch is held constant for Steps steps
// of DTMS ms (the image of a rate code) and every population acts as a rate
// neuron with τ = 0 and zero synaptic latency (SIMULATED_TIME.md, rate
// neurons): its graded activity at a step is a function of that step's input,
// with no membrane memory. Each hidden plastic group integrates its Oja-SWTA
// term over the window (ALGORITHM.md §1 steps 1-4, computed at every step),
//
//	E_t = γ·E_{t−1} + H_t,   γ = e^{−dt/τ_e}   (γ = 1 for τ_e = +Inf),
//
// and the modulator event at the window's end turns E into weight change with
// Ĥ = E/max|E| (§1 step 5) in the rule of §3, as SpikingNet does for spiking
// layers. With τ_e = +Inf and the eligibility reset at each window, one
// window equals one batched TrainStep (E = T·H, so Ĥ is unchanged) to
// float32 round-off.
type Presentation struct {
	// Steps is the window's length T in steps (1 … MaxPresentationSteps).
	Steps int
	// DTMS is the step's duration dt in ms (> 0, finite).
	DTMS float64
	// TauEMS is the eligibility's time constant τ_e in ms (> 0; +Inf: no
	// decay within the window, the batched step's limit).
	TauEMS float64
	// KeepEligibility carries E across windows (it keeps decaying by γ
	// every step) instead of resetting it to zero at the start of each
	// window, i.e. right after each modulator event. The carried E is the
	// group's H, so a TrainStep in between replaces it with its own term.
	KeepEligibility bool
}

// DefaultPresentation is a 16-step window of 1 ms with no eligibility decay
// and a reset at every modulator event: the batched step's equivalent.
func DefaultPresentation() Presentation {
	return Presentation{Steps: 16, DTMS: 1, TauEMS: math.Inf(1)}
}

// Validate reports the first bad parameter, naming its field.
func (p Presentation) Validate() error {
	switch {
	case p.Steps < 1 || p.Steps > MaxPresentationSteps:
		return fmt.Errorf("network: Presentation.Steps %d must be in 1…%d", p.Steps, MaxPresentationSteps)
	case !(p.DTMS > 0) || math.IsInf(p.DTMS, 0):
		return fmt.Errorf("network: Presentation.DTMS %v ms must be positive and finite", p.DTMS)
	case !(p.TauEMS > 0):
		return fmt.Errorf("network: Presentation.TauEMS %v ms must be positive (+Inf for no decay)", p.TauEMS)
	}
	return nil
}

// Gamma is the eligibility's per-step decay factor γ = e^{−dt/τ_e} (exactly
// 1 for τ_e = +Inf).
func (p Presentation) Gamma() float32 {
	if math.IsInf(p.TauEMS, 1) {
		return 1
	}
	return float32(math.Exp(-p.DTMS / p.TauEMS))
}

// WindowMS is the simulated time of one window, Steps·DTMS ms. Build the
// network with Rules.StepMS set to it so that modulator delays given in ms
// (delay:200ms) count windows.
func (p Presentation) WindowMS() float64 { return float64(p.Steps) * p.DTMS }

// TrainPresentation presents one batch for a window and learns from it once:
// x is B·features normalised inputs, labels B class indices, as TrainStep.
// Each of the p.Steps steps runs the forward pass in training mode (the
// dropout mask is the window's: it is drawn from the step counter, which
// advances once per window; BatchNorm updates its running statistics at the
// window's first step only, as one batched step does) and integrates every
// hidden plastic group's eligibility E ← γ·E + H_t (ALGORITHM.md §1, the
// group's ordinary Oja-SWTA kernel, never the fused one). At the window's end
// the group's H is E and HMax = max|E|, so its rule reads Ĥ = E/max|E|; then
// the loss, the credit phase (gradients only: it leaves E in place), the
// modulator broadcast on n.Channel (every source, granularity and delay
// unchanged; a delay counts windows), the plasticity phase and the monitors
// run once, exactly as in TrainStep, and the step counter advances by one.
// Modulator sources see neuromod.Inputs.TimeMS = (Step+1)·p.WindowMS(), the
// window's end on a clock where every step so far was a window of this length.
// Rules without an eligibility (sign, bp) learn as in TrainStep. After
// warm-up a window allocates nothing. Data-parallel networks (SetDist) are
// refused.
func (n *Network) TrainPresentation(x []float32, labels []int32, h Hyper, p Presentation, monitors ...Monitor) (StepStats, error) {
	if !n.built {
		panic("network: TrainPresentation before Build")
	}
	if err := p.Validate(); err != nil {
		return StepStats{Step: n.step}, err
	}
	if n.dist != nil {
		return StepStats{Step: n.step}, fmt.Errorf("network: TrainPresentation on a data-parallel network is not supported; use TrainStep")
	}
	// 1. present: the batch is held for the whole window.
	n.present(x, labels)
	gamma := p.Gamma()
	for t := 0; t < p.Steps; t++ {
		// 2. forward
		n.windowForward(t)
		// 3. eligibility, integrated
		if !n.frozen {
			n.integrateEligibility(t, gamma, p.KeepEligibility)
		}
	}
	if !n.frozen {
		for i, g := range n.Groups {
			if n.Roles[i] != Hidden {
				continue
			}
			if g.Rule.Needs().Eligibility {
				g.HMax = n.B.MaxAbs(g.H) // Ĥ = E/max|E| (ALGORITHM.md §1 step 5)
				g.UpdateTrace(n.B)
			}
			n.observeActivity(g)
		}
	}
	// 4.–8., once per window; sources read the window's end as the time
	n.mod.timeMS = float64(n.step+1) * p.WindowMS()
	st, err := n.learnPhases(labels, h, true, monitors)
	n.mod.timeMS = 0 // TrainStep's batches are outside simulated time
	return st, err
}

// windowForward is the forward pass of step t of a window, in training mode.
// The input and the weights are constant over the window, so every step's
// batch statistics are the same; BatchNorm folds them into its running
// statistics at t = 0 only (a momentum of 0 leaves them bit-identical).
func (n *Network) windowForward(t int) {
	for _, o := range n.ops {
		if bn, ok := o.(*bnOp); ok && t > 0 {
			m := bn.p.Momentum
			bn.p.Momentum = 0
			bn.forward(n, true)
			bn.p.Momentum = m
			continue
		}
		o.forward(n, true)
	}
}

// integrateEligibility adds step t's Oja-SWTA term to every hidden plastic
// group's eligibility, E ← γ·E + H_t, E living in the group's H. Without
// keep, E starts at zero each window, so step 0 writes H_0 into H directly.
func (n *Network) integrateEligibility(t int, gamma float32, keep bool) {
	b := n.B
	for i, g := range n.Groups {
		if n.Roles[i] != Hidden || !g.Rule.Needs().Eligibility {
			continue
		}
		o := n.synOf[g]
		if t == 0 && !keep {
			o.hebbTerm(n, g.H) // E_0 = H_0
			continue
		}
		if o.windowH == nil {
			o.windowH = b.Alloc(g.H.Shape())
		}
		o.hebbTerm(n, o.windowH)
		if gamma != 1 {
			b.AXPY(g.H, gamma-1, g.H) // E ← γ·E
		}
		b.Add(g.H, g.H, o.windowH) // E ← E + H_t
	}
}
