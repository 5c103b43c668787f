package neuromod

import (
	"fmt"
	"math"
	"strconv"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

func init() {
	Register("constant", "control: M = v on every synapse (default +1: W ← W − η|Ĥ|, pure depression; constant:-1 is pure potentiation)",
		func(b backends.Backend, w backends.Shape, param string) (Source, error) {
			if param == "" {
				return constant{name: "constant", v: 1}, nil
			}
			v, err := strconv.ParseFloat(param, 32)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("constant: value %s is not a finite number (write constant or constant:-1)", quote.Q(param))
			}
			return constant{name: "constant:" + param, v: float32(v)}, nil
		})
}

// constant delivers the same value v on every synapse at every step.
type constant struct {
	name string
	v    float32
}

// Name is "constant" or "constant:v".
func (c constant) Name() string { return c.name }

// Modulate fills m with v.
func (c constant) Modulate(b backends.Backend, _ Inputs, m backends.Tensor) { b.Fill(m, c.v) }
