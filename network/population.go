package network

import "ghlsim/backends"

// Population is a layer's neurons: their batched activity [B, C, H, W] or
// [B, N] and, after the credit phase, the error ∂L/∂activity.
type Population struct {
	Name  string
	Shape backends.Shape  // full shape including the batch axis
	Act   backends.Tensor // activity
	Grad  backends.Tensor // ∂L/∂Act; nil when no parameter lies upstream
	// scratch receives a second consumer's gradient before it is added to Grad.
	scratch backends.Tensor

	producer  op
	consumers []op
	needsGrad bool
}

// Features is the per-sample size (C·H·W or N).
func (p *Population) Features() int { return p.Shape.Len() / p.Shape[0] }
