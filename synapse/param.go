package synapse

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

// Param is one trainable tensor with its gradient and optimiser state, named
// as in a PyTorch state dict (e.g. "conv1.weight", "bn4.bias").
type Param struct {
	Name  string
	Value backends.Tensor // the parameter
	Grad  backends.Tensor // ∂L/∂Value from the credit phase
	// Moment1 and Moment2 are optimiser state: SGD momentum buffer, or Adam's
	// first and second moments. Allocated on first use.
	Moment1, Moment2 backends.Tensor
	// Steps counts optimiser steps taken (Adam bias correction).
	Steps int
}

// NewParam allocates a parameter and its gradient of the given shape.
func NewParam(b backends.Backend, name string, s backends.Shape) *Param {
	return &Param{Name: name, Value: b.Alloc(s), Grad: b.Alloc(s)}
}

// Optimizer is a gradient-descent method for BP parameters.
type Optimizer struct {
	// Kind is "sgd" or "adam".
	Kind string `json:"kind"`
	// Momentum is SGD's momentum (0 = plain SGD, as the paper's classifier).
	Momentum float32 `json:"momentum"`
	// Beta1, Beta2, Eps are Adam's constants (PyTorch defaults 0.9, 0.999, 1e-8).
	Beta1 float32 `json:"beta1,omitempty"`
	Beta2 float32 `json:"beta2,omitempty"`
	Eps   float32 `json:"eps,omitempty"`
}

// PlainSGD is SGD without momentum (the paper's classifier optimiser).
var PlainSGD = Optimizer{Kind: "sgd"}

// Validate checks the optimiser's fields.
func (o Optimizer) Validate() error {
	switch o.Kind {
	case "sgd":
		if o.Momentum < 0 || o.Momentum >= 1 {
			return fmt.Errorf("optimizer momentum %g must be in [0, 1)", o.Momentum)
		}
	case "adam":
		if o.Beta1 < 0 || o.Beta1 >= 1 || o.Beta2 < 0 || o.Beta2 >= 1 || o.Eps <= 0 {
			return fmt.Errorf("adam needs 0 ≤ beta1, beta2 < 1 and eps > 0 (got %g, %g, %g)", o.Beta1, o.Beta2, o.Eps)
		}
	default:
		return fmt.Errorf("optimizer kind %s is unknown: use \"sgd\" or \"adam\"", quote.Q(o.Kind))
	}
	return nil
}

// Step applies one optimiser step with learning rate lr and coupled weight
// decay wd to p, reading p.Grad.
func (o Optimizer) Step(b backends.Backend, p *Param, lr, wd float32) {
	p.Steps++
	switch o.Kind {
	case "adam":
		if p.Moment1 == nil {
			p.Moment1, p.Moment2 = b.Alloc(p.Value.Shape()), b.Alloc(p.Value.Shape())
		}
		b.Adam(p.Value, p.Grad, p.Moment1, p.Moment2, lr, o.Beta1, o.Beta2, o.Eps, wd, p.Steps)
	default:
		if o.Momentum != 0 && p.Moment1 == nil {
			p.Moment1 = b.Alloc(p.Value.Shape())
		}
		b.SGD(p.Value, p.Grad, p.Moment1, lr, o.Momentum, wd)
	}
}
