package neuromod

import (
	"fmt"
	"math"
	"strconv"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

// parseConstant reads constant's parameter: "" is +1.
func parseConstant(param string) (float32, error) {
	if param == "" {
		return 1, nil
	}
	v, err := strconv.ParseFloat(param, 32)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("constant: value %s is not a finite number (write constant or constant:-1)", quote.Q(param))
	}
	return float32(v), nil
}

// newConstant is constant's factory (builtinSources).
func newConstant(_ backends.Backend, _ backends.Shape, param string) (Source, error) {
	v, err := parseConstant(param)
	if err != nil {
		return nil, err
	}
	return constant{name: "constant" + paramSuffix(param), v: v}, nil
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
