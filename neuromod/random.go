package neuromod

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

func init() {
	Register("random", "control: M = ±1 drawn independently per synapse and step with P(+1) = ½, reproducible from (seed, step, group)",
		func(b backends.Backend, w backends.Shape, param string) (Source, error) {
			if param != "" {
				return nil, fmt.Errorf("random takes no parameter (got %s)", quote.Q(param))
			}
			return &random{coin: newCoin(b, w, 0.5), stream: streamOf("random")}, nil
		})
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
