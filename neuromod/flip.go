package neuromod

import (
	"fmt"
	"math"
	"strconv"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

// parseFlip reads flip's probability p ∈ [0, 1].
func parseFlip(param string) (float64, error) {
	if param == "" {
		return 0, fmt.Errorf("flip needs a probability: flip:p with p in [0, 1], e.g. flip:0.1")
	}
	p, err := strconv.ParseFloat(param, 64)
	if err != nil || math.IsNaN(p) {
		return 0, fmt.Errorf("flip: %s is not a number (write flip:p with p in [0, 1], e.g. flip:0.1)", quote.Q(param))
	}
	if p < 0 || p > 1 {
		return 0, fmt.Errorf("flip: p = %s is outside [0, 1] (it is the probability of negating each synapse's sign per step)", param)
	}
	return p, nil
}

// newFlip is flip's factory (builtinSources).
func newFlip(b backends.Backend, w backends.Shape, param string, inner Source) (Source, error) {
	p, err := parseFlip(param)
	if err != nil {
		return nil, err
	}
	name := wrapName("flip:"+param, inner)
	return &flip{
		wrapped: wrapped{name: name, inner: inner},
		coin:    newCoin(b, w, float32(p)),
		buf:     b.Alloc(w),
		stream:  streamOf(name),
	}, nil
}

// flip multiplies the inner modulator by independent ±1 draws, −1 with
// probability p: M = M_inner ⊙ f. The draws depend only on (seed, step,
// group index, the chain's name), never on the inner signal, so flip:0 is
// the inner signal bit for bit and flip:1 its exact negation.
type flip struct {
	wrapped
	coin   *coin
	buf    backends.Tensor // the inner source's M
	stream uint64
}

// Modulate writes M_inner ⊙ f into m.
func (f *flip) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	f.inner.Modulate(b, in, f.buf)
	f.coin.draw(b, m, drawSeed(f.stream, in))
	b.Mul(m, m, f.buf)
}
