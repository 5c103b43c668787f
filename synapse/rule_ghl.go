package synapse

import "ghlsim/backends"

// ghlRule is the paper's update: the local Oja-SWTA term sets each synapse's
// step size, the broadcast modulator sets its direction. ghl_reference.go
// spells out the math (ReferenceGHL) that this rule and the backend kernels
// it calls implement.
type ghlRule struct{}

func (ghlRule) Name() string { return "ghl" }

func (ghlRule) Needs() Needs { return Needs{Eligibility: true, Gradient: true, Modulator: true} }

// Apply implements W ← W − η·(|Ĥ| ⊙ M + λ·W) (ALGORITHM.md §3, eq. 5-6).
func (ghlRule) Apply(b backends.Backend, g *Group, h Hyper) {
	g.CheckModulator(h.Step)
	b.ModulatedUpdate(g.Weight.Value, g.Trace, g.Modulator, g.TraceScale, h.LR, h.WeightDecay)
	applyBias(b, g, h)
}
