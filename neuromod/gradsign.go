package neuromod

import (
	"fmt"

	"ghlsim/backends"
)

func init() {
	Register("grad-sign", "the paper's third factor: M = sign(∂L/∂W) per synapse, from backprop (ALGORITHM.md §2)",
		func(b backends.Backend, w backends.Shape, param string) (Source, error) {
			if param != "" {
				return nil, fmt.Errorf("grad-sign takes no parameter (got %q)", param)
			}
			return gradSign{}, nil
		})
}

// gradSign delivers sign(∂L/∂W) with sign(0) = 0.
type gradSign struct{}

func (gradSign) Name() string { return "grad-sign" }

func (gradSign) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	b.Sign(m, in.Grad)
}
