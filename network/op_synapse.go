package network

import (
	"ghlsim/backends"
	"ghlsim/neuromod"
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
	// feedback is the fixed random feedback matrix of feedback alignment
	// (shape of W) or of direct feedback alignment ([|u|, classes]); nil under BP.
	feedback backends.Tensor
	// dfaProj holds the projected output error under DFA; gate is the op
	// whose derivative gates it (the activation consuming u, if any).
	dfaProj, dfaFlat backends.Tensor // dfaFlat: the [B, |u|] view of dfaProj
	gate             op
	// noDataGrad skips the input gradient (readout layers under DFA, whose
	// input lies in the hidden region that receives projected errors).
	noDataGrad bool
	// windowH receives the Hebbian term H_t of each step of a presentation
	// window (presentation.go) before it is integrated into the group's H;
	// allocated by the first window that needs it.
	windowH backends.Tensor
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
	o.g.HMax = o.hebbTerm(n, o.g.H)
	o.g.UpdateTrace(n.B)
}

// hebbTerm writes the unnormalised Oja-SWTA term H of the current activity
// (ALGORITHM.md §1 steps 1-4) into dst, which has W's shape and shares no
// storage with x, u or W, and returns max|H|. It touches no trace.
func (o *synOp) hebbTerm(n *Network, dst backends.Tensor) float32 {
	return n.B.OjaSWTA(dst, o.in.Act, o.out.Act, o.g.Weight.Value, o.g.OjaParams())
}

func (o *synOp) backward(n *Network, acc []bool) {
	if n.trainsParams(o) {
		o.weightGrad(n)
	}
	if !o.in.needsGrad || (o.noDataGrad && n.credit == neuromod.DFA) {
		return // no input gradient for the first layer (or below a frozen stack)
	}
	o.dataGrad(n, acc[0])
}

// weightGrad computes ∂L/∂W (and Σ ∂L/∂u) from the input and out.Grad, with
// the Hebbian term in the same pass when fused.
func (o *synOp) weightGrad(n *Network) {
	b, g := n.B, o.g
	switch {
	case g.Kind == synapse.Dense:
		b.LinearBackwardWeight(g.Weight.Grad, o.biasGrad(), o.in.Act, o.out.Grad)
	case o.fused && !n.gradOnly:
		g.HMax = n.fuser.Conv2DBackwardWeightHebb(g.Weight.Grad, o.biasGrad(), g.H, o.in.Act, o.out.Grad, o.out.Act, g.Weight.Value, g.OjaParams())
		g.UpdateTrace(b)
	case o.fused: // gradient-only recomputation (TrueGradients)
		b.Conv2DBackwardWeight(g.Weight.Grad, o.biasGrad(), o.in.Act, o.out.Grad, g.Conv)
	default:
		b.Conv2DBackwardWeight(g.Weight.Grad, o.biasGrad(), o.in.Act, o.out.Grad, g.Conv)
	}
}

// dataGrad propagates out.Grad to the input through Wᵀ, or through the fixed
// random feedback weights under feedback alignment (no weight transport).
func (o *synOp) dataGrad(n *Network, acc bool) {
	b, g := n.B, o.g
	w := g.Weight.Value
	if n.credit == neuromod.FA {
		w = o.feedback
	}
	dst := gradInto(o.in, acc)
	if g.Kind == synapse.Dense {
		b.LinearBackwardData(dst, o.out.Grad, w)
	} else {
		b.Conv2DBackwardData(dst, o.out.Grad, w, g.Conv)
	}
	finishGrad(b, o.in, acc)
}

// dfaCredit gives a hidden group its error directly from the output error e
// (direct feedback alignment, Nøkland 2016): ∂L/∂u_l := (e·D_lᵀ) ⊙ f′(u_l),
// with D_l a fixed random [|u_l|, classes] matrix and f′ the derivative of the
// activation that consumes u_l (none when u_l feeds anything else).
func (o *synOp) dfaCredit(n *Network) {
	b := n.B
	b.Linear(o.dfaFlat, n.Logits.Grad, o.feedback, nil)
	if a, ok := o.gate.(*actOp); ok {
		b.ActivationBackward(o.out.Grad, o.dfaProj, o.out.Act, a.p)
	} else {
		b.Copy(o.out.Grad, o.dfaProj)
	}
	o.weightGrad(n)
}
