package synapse

import "ghlsim/backends"

// hebbRule ascends the signed Oja-SWTA term with no third factor: what the
// eligibility alone would do (the control for GHL's modulator).
type hebbRule struct{}

func (hebbRule) Name() string { return "hebb" }

func (hebbRule) Needs() Needs { return Needs{Eligibility: true} }

// Apply implements W ← W + η·Ĥ − η·λ·W.
func (hebbRule) Apply(b backends.Backend, g *Group, h Hyper) {
	if h.WeightDecay != 0 {
		b.AXPY(g.Weight.Value, -h.LR*h.WeightDecay, g.Weight.Value)
	}
	b.AXPY(g.Weight.Value, h.LR*g.TraceScale, g.Trace)
	// A purely local rule has no signal for a bias: biases stay fixed.
}
