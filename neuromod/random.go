package neuromod

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

// newRandom is random's factory (builtinSources).
func newRandom(b backends.Backend, w backends.Shape, param string) (Source, error) {
	if err := noParam("random", param); err != nil {
		return nil, err
	}
	return &random{coin: newCoin(b, w, 0.5), stream: streamOf("random")}, nil
}

// noParam refuses a parameter for a source that takes none.
func noParam(name, param string) error {
	if param != "" {
		return fmt.Errorf("%s takes no parameter (got %s)", name, quote.Q(param))
	}
	return nil
}

// random delivers a fair ±1 per synapse per step, independent of the task:
// the third factor carries no information about the loss.
type random struct {
	coin   *coin
	stream uint64
}

// Name is "random".
func (*random) Name() string { return "random" }

// Modulate draws M ∈ {−1, +1} under (Inputs.Seed, Step, Index).
func (r *random) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	r.coin.draw(b, m, drawSeed(r.stream, in))
}
