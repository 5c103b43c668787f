package network

import (
	"ghlsim/backends"
	"ghlsim/synapse"
)

// synOp propagates activity through a synapse group: u = W * x (+ bias) for
// conv groups, u = x·Wᵀ (+ bias) for dense groups (DESIGN.md phase 2). Its
// output population holds u, the pre-activation the eligibility reads.
type synOp struct {
	g       *synapse.Group
	in, out *Population
	// fused: the eligibility is computed in the credit phase together with
	// the weight gradient, in one pass over the same patches.
	fused bool
	// needW: the weight gradient is needed (rule, modulator or telemetry).
	needW bool
	// postGrad receives Σ_{b,p} ∂L/∂u_k when the group has no bias but a
	// modulator source reads per-neuron credit.
	postGrad backends.Tensor
}

func (o *synOp) inputs() []*Population    { return []*Population{o.in} }
func (o *synOp) output() *Population      { return o.out }
func (o *synOp) params() []*synapse.Param { return nil }

func (o *synOp) bias() backends.Tensor {
	if o.g.Bias == nil {
		return nil
	}
	return o.g.Bias.Value
}

// biasGrad is where Σ ∂L/∂u goes: the bias gradient, or the per-neuron
// credit buffer, or nowhere.
func (o *synOp) biasGrad() backends.Tensor {
	if o.g.Bias != nil {
		return o.g.Bias.Grad
	}
	return o.postGrad
}

func (o *synOp) forward(n *Network, train bool) {
	if o.g.Kind == synapse.Dense {
		n.B.Linear(o.out.Act, o.in.Act, o.g.Weight.Value, o.bias())
		return
	}
	n.B.Conv2D(o.out.Act, o.in.Act, o.g.Weight.Value, o.bias(), o.g.Conv)
}

// eligibility computes the group's Oja-SWTA term from (x, u, W) (phase 3).
func (o *synOp) eligibility(n *Network) {
	o.g.HMax = n.B.OjaSWTA(o.g.H, o.in.Act, o.out.Act, o.g.Weight.Value, o.g.OjaParams())
	o.g.UpdateTrace(n.B)
}

func (o *synOp) backward(n *Network, acc []bool) {
	b, g := n.B, o.g
	if n.trainsParams(o) {
		switch {
		case g.Kind == synapse.Dense:
			b.LinearBackwardWeight(g.Weight.Grad, o.biasGrad(), o.in.Act, o.out.Grad)
		case o.fused:
			g.HMax = n.fuser.Conv2DBackwardWeightHebb(g.Weight.Grad, o.biasGrad(), g.H, o.in.Act, o.out.Grad, o.out.Act, g.Weight.Value, g.OjaParams())
			g.UpdateTrace(b)
		default:
			b.Conv2DBackwardWeight(g.Weight.Grad, o.biasGrad(), o.in.Act, o.out.Grad, g.Conv)
		}
	}
	if !o.in.needsGrad {
		return // no input gradient for the first layer (or below a frozen stack)
	}
	dst := gradInto(o.in, acc[0])
	if g.Kind == synapse.Dense {
		b.LinearBackwardData(dst, o.out.Grad, g.Weight.Value)
	} else {
		b.Conv2DBackwardData(dst, o.out.Grad, g.Weight.Value, g.Conv)
	}
	finishGrad(b, o.in, acc[0])
}
