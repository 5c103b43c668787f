package neuromod

import (
	"fmt"
	"strconv"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

// parseEvery reads every's period k ≥ 1.
func parseEvery(param string) (int, error) {
	if param == "" {
		return 0, fmt.Errorf("every needs a period: every:k with k ≥ 1, e.g. every:4")
	}
	k, err := strconv.Atoi(param)
	if err != nil {
		return 0, fmt.Errorf("every: %s is not an integer (write every:k with k ≥ 1, e.g. every:4)", quote.Q(param))
	}
	if k < 1 {
		return 0, fmt.Errorf("every: k = %d must be ≥ 1 (the period in steps; every:1 delivers every step)", k)
	}
	return k, nil
}

// newEvery is every's factory (builtinSources).
func newEvery(_ backends.Backend, _ backends.Shape, param string, inner Source) (Source, error) {
	k, err := parseEvery(param)
	if err != nil {
		return nil, err
	}
	return &every{wrapped: wrapped{name: wrapName("every:"+param, inner), inner: inner}, k: k}, nil
}

// every gates delivery: M = M_inner at steps t with t mod k = 0, else 0.
// The inner source still runs at every step, so its state (a delay line)
// advances normally and only delivery is gated.
type every struct {
	wrapped
	k int
}

// Modulate writes M_inner on delivery steps and 0 between them.
func (e *every) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	e.inner.Modulate(b, in, m)
	if in.Step%e.k != 0 {
		b.Fill(m, 0)
	}
}
