package synapse

import (
	"fmt"

	"ghlsim/backends"
)

// Kind distinguishes convolutional from dense projections.
type Kind int

const (
	// Conv is a 2-d convolution: W [K, C, kh, kw] shared over positions.
	Conv Kind = iota
	// Dense is a fully connected projection: W [out, in].
	Dense
)

// Spec describes a synapse group to build.
type Spec struct {
	Name   string              // state-dict prefix, e.g. "conv1"
	Kind   Kind                // Conv or Dense
	In     int                 // pre-synaptic channels (conv) or units (dense)
	Out    int                 // post-synaptic channels or units
	Kernel int                 // square kernel extent (conv)
	Conv   backends.ConvParams // stride and padding (conv)
	Bias   bool                // whether the projection has a bias
	TInv   float32             // soft-WTA inverse temperature (ALGORITHM.md §1)
}

// WeightShape is the PyTorch layout of the spec's weight.
func (s Spec) WeightShape() backends.Shape {
	if s.Kind == Dense {
		return backends.Shape{s.Out, s.In}
	}
	return backends.Shape{s.Out, s.In, s.Kernel, s.Kernel}
}

// FanIn is the number of inputs per post-synaptic neuron.
func (s Spec) FanIn() int {
	if s.Kind == Dense {
		return s.In
	}
	return s.In * s.Kernel * s.Kernel
}

// Group is one projection between two populations with its plasticity state.
type Group struct {
	Spec
	Rule Rule // plasticity rule; set by the network builder

	Weight *Param // W and ∂L/∂W
	Bias   *Param // nil without bias; always trained by BP

	// H is the unnormalised Oja-SWTA term of this step (ALGORITHM.md §1
	// steps 3-4) and HMax its max|H| (step 5's normaliser).
	H    backends.Tensor
	HMax float32
	// Trace is the eligibility the update reads. With Decay == 0 it is H
	// itself (the paper) and TraceScale = NormScale(HMax) = 1/(HMax+1e-30), so
	// |Trace|·TraceScale = |Ĥ|.
	// With Decay = γ > 0 it is the decaying trace E_t = γ·E_{t−1} + Ĥ_t and
	// TraceScale = 1.
	Trace      backends.Tensor
	TraceScale float32
	// Decay is the trace's per-step decay γ ∈ [0, 1); 0 reproduces the paper.
	Decay float32
	// Anti selects the SoftHebb anti-Hebbian eligibility (set from the rule's Needs).
	Anti bool

	// Modulator is the third factor M received for this step (same shape
	// as W) and ModStep the step it was stamped with.
	Modulator backends.Tensor
	ModStep   int

	// Prev holds W before the last update when TrackDelta is set, so
	// Δw = W − Prev is available to monitors and Synapse views.
	Prev       backends.Tensor
	TrackDelta bool
}

// NewGroup allocates a group's tensors on b. Weights are zero; the network
// builder initialises them from a named random stream.
func NewGroup(b backends.Backend, s Spec) (*Group, error) {
	if s.In <= 0 || s.Out <= 0 {
		return nil, fmt.Errorf("synapse group %s: %d inputs and %d outputs must both be positive (a width multiplier too small?)", s.Name, s.In, s.Out)
	}
	if s.Kind == Conv && s.Kernel <= 0 {
		return nil, fmt.Errorf("synapse group %s: kernel %d must be positive", s.Name, s.Kernel)
	}
	g := &Group{Spec: s}
	ws := s.WeightShape()
	g.Weight = NewParam(b, s.Name+".weight", ws)
	if s.Bias {
		g.Bias = NewParam(b, s.Name+".bias", backends.Shape{s.Out})
	}
	return g, nil
}

// EnsurePlasticState allocates the eligibility and modulator tensors the
// rule needs (idempotent).
func (g *Group) EnsurePlasticState(b backends.Backend) {
	n := g.Rule.Needs()
	g.Anti = n.AntiHebbian
	ws := g.Weight.Value.Shape()
	if n.Eligibility && g.H == nil {
		g.H = b.Alloc(ws)
		g.Trace = g.H
		if g.Decay > 0 {
			g.Trace = b.Alloc(ws)
		}
	}
	if n.Modulator && g.Modulator == nil {
		g.Modulator = b.Alloc(ws)
	}
	if g.TrackDelta && g.Prev == nil {
		g.Prev = b.Alloc(ws)
	}
}

// OjaParams are the eligibility kernel's parameters for this group.
func (g *Group) OjaParams() backends.OjaParams {
	return backends.OjaParams{TInv: g.TInv, AntiHebbian: g.Anti, Conv: g.Conv}
}

// UpdateTrace folds this step's H (with HMax already set) into the trace:
// with Decay 0 the trace is H and TraceScale normalises it by the layer max
// (ALGORITHM.md §1 step 5); otherwise E ← γE + H/(max|H|+1e-30).
func (g *Group) UpdateTrace(b backends.Backend) {
	if g.Decay != 0 {
		b.AXPY(g.Trace, g.Decay-1, g.Trace) // E ← γ·E
	}
	g.AddToTrace(b)
}

// AddToTrace is UpdateTrace without the decay: with Decay 0 it sets
// TraceScale = NormScale(HMax), so |Trace|·TraceScale = |Ĥ|; otherwise it
// adds Ĥ = H·NormScale(HMax) to the trace (E ← E + Ĥ) and sets TraceScale
// = 1. The network's data-parallel step calls it after summing H over
// workers.
func (g *Group) AddToTrace(b backends.Backend) {
	if g.Decay == 0 {
		g.TraceScale = NormScale(g.HMax)
		return
	}
	b.AXPY(g.Trace, NormScale(g.HMax), g.H) // E ← E + Ĥ
	g.TraceScale = 1
}

// RemoveFromTrace takes back the Ĥ = H·NormScale(HMax) that AddToTrace
// added to a decaying trace (E ← E − Ĥ), for the H and HMax of that call; it
// does nothing when Decay is 0 (the trace is H itself).
func (g *Group) RemoveFromTrace(b backends.Backend) {
	if g.Decay != 0 {
		b.AXPY(g.Trace, -NormScale(g.HMax), g.H)
	}
}

// ReceiveModulator records the modulator's step stamp; the modulator values
// were written into g.Modulator by the channel. Reading a modulator whose
// stamp is not the current step panics (DESIGN.md phase 6).
func (g *Group) ReceiveModulator(step int) { g.ModStep = step }

// CheckModulator panics if the group's modulator was not stamped with step.
func (g *Group) CheckModulator(step int) {
	if g.ModStep != step {
		panic(fmt.Sprintf("synapse: group %s read a stale modulator (stamped step %d, applying step %d)", g.Name, g.ModStep, step))
	}
}

// Params lists the group's trainable tensors (weight, then bias).
func (g *Group) Params() []*Param {
	if g.Bias != nil {
		return []*Param{g.Weight, g.Bias}
	}
	return []*Param{g.Weight}
}

// ModulatorTarget is the tensor the neuromodulator channel writes M into.
func (g *Group) ModulatorTarget() backends.Tensor { return g.Modulator }
