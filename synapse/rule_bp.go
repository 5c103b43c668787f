package synapse

import "ghlsim/backends"

// bpRule trains the group by ordinary gradient descent.
type bpRule struct{}

func (bpRule) Name() string { return "bp" }

func (bpRule) Needs() Needs { return Needs{Gradient: true} }

// Apply takes one optimiser step on W (with weight decay) and the bias.
func (bpRule) Apply(b backends.Backend, g *Group, h Hyper) {
	h.Optimizer.Step(b, g.Weight, h.LR, h.WeightDecay)
	applyBias(b, g, h)
}
