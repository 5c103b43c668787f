package neuromod

import (
	"fmt"

	"ghlsim/backends"
)

// creditSignFactory makes the factory of a sign-of-credit source.
func creditSignFactory(name string, c Credit) Factory {
	return func(b backends.Backend, w backends.Shape, param string) (Source, error) {
		if err := noParam(name, param); err != nil {
			return nil, err
		}
		return creditSign{name: name, credit: c}, nil
	}
}

// creditSign delivers M = sign(Inputs.Grad) with sign(0) = 0, where the
// network fills Inputs.Grad by the credit path c (grad-sign, fa-sign,
// dfa-sign).
type creditSign struct {
	name   string
	credit Credit
}

// Name is the family name, e.g. "grad-sign".
func (s creditSign) Name() string { return s.name }

// Credit is the path that must fill Inputs.Grad.
func (s creditSign) Credit() Credit { return s.credit }

// Modulate writes sign(Inputs.Grad) into m.
func (s creditSign) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	if in.Grad == nil {
		panic(fmt.Sprintf("neuromod: %s for group %q: Inputs.Grad is nil (the credit phase must compute ∂L/∂W by %v)", s.name, in.Group, s.credit))
	}
	b.Sign(m, in.Grad)
}

// AtGranularity returns sign(credit) at neuron, layer or global granularity.
func (s creditSign) AtGranularity(b backends.Backend, w backends.Shape, g Granularity) (Source, error) {
	return newCoarseSign(b, w, s.name, s.credit, g)
}
