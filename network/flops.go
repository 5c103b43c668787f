package network

import (
	"ghlsim/backends"
	"ghlsim/synapse"
)

// StepFLOPs counts the floating-point operations of one training step's
// matrix products, the work that dominates it: per synapse group, 2·B·K·F·P
// for the forward pass (K outputs, fan-in F, P output positions), the same
// again for the weight gradient when it is needed, for the input gradient
// when the layer below needs one, and for the Hebbian correlation yᵀ·patches
// when the rule reads an eligibility. Elementwise work (BN, pooling,
// activations, softmax, the update) is not counted. For full-width DeepHebb
// at batch 64 with GHL this is ≈ 3.44 GFLOP per image.
func (n *Network) StepFLOPs() float64 { return n.stepFLOPs(false) }

// ExecutedStepFLOPs is StepFLOPs counting the multiply-adds the backend's
// products actually execute: a backend with a fast convolution algorithm
// (backends.ConvArithmetic, e.g. the cpu backend's Winograd F(2×2, 3×3))
// executes a fraction of the direct count on the layers it applies to. It
// equals StepFLOPs on backends without one.
func (n *Network) ExecutedStepFLOPs() float64 { return n.stepFLOPs(true) }

func (n *Network) stepFLOPs(executed bool) float64 {
	arith, _ := n.B.(backends.ConvArithmetic)
	var total float64
	for i, g := range n.Groups {
		o := n.synOf[g]
		positions := 1
		if g.Kind == synapse.Conv {
			positions = o.out.Shape[2] * o.out.Shape[3]
		}
		f := 2 * float64(n.Batch) * float64(g.Out) * float64(g.FanIn()) * float64(positions)
		if executed && arith != nil && g.Kind == synapse.Conv {
			f *= arith.ConvFLOPFraction(o.in.Shape, g.Weight.Value.Shape(), g.Conv)
		}
		total += f // forward
		if n.trainsParams(o) {
			total += f // weight gradient
		}
		if o.in.needsGrad {
			total += f // input gradient
		}
		if n.Roles[i] == Hidden && !n.frozen && g.Rule.Needs().Eligibility {
			total += f // Hebbian correlation
		}
	}
	return total
}
