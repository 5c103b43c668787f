package neuromod

import (
	"hash/fnv"

	"ghlsim/backends"
)

// coin draws an independent ±1 per element on the device: −1 with
// probability p, +1 otherwise. It uses Backend.Dropout on a tensor of ones
// as the random number generator, so element i's draw is
// backends.DropoutKeep(seed, i, p) on every backend and for every thread
// count. p = 0 gives +1 and p = 1 gives −1 everywhere, exactly.
type coin struct {
	ones backends.Tensor // constant ones, the dropout input
	kept backends.Tensor // scratch: the dropout output, then 1 kept / 0 dropped
	p    float32
}

// newCoin allocates a coin for tensors of shape w.
func newCoin(b backends.Backend, w backends.Shape, p float32) *coin {
	c := &coin{ones: b.Alloc(w), kept: b.Alloc(w), p: p}
	b.Fill(c.ones, 1)
	return c
}

// draw writes the ±1 draws under seed into dst, which must have the coin's
// shape and must not be one of its own tensors.
func (c *coin) draw(b backends.Backend, dst backends.Tensor, seed uint64) {
	b.Dropout(c.kept, dst, c.ones, c.p, seed) // dst is the mask scratch here
	b.Sign(c.kept, c.kept)                    // 1 kept, 0 dropped
	b.Fill(dst, -1)
	b.AXPY(dst, 2, c.kept) // 2·1 − 1 = +1 kept, −1 dropped (exact)
}

// streamOf names a random stream by a label (a source's canonical name), so
// that differently named sources, or two flips in one chain, draw
// independently.
func streamOf(label string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(label))
	return h.Sum64()
}

// drawSeed derives the dropout seed of one (run seed, stream, step, group
// index): reproducible, and different for every step and every group.
func drawSeed(stream uint64, in Inputs) uint64 {
	s := backends.SplitMix64(in.Seed ^ stream)
	s = backends.SplitMix64(s ^ uint64(in.Step))
	return backends.SplitMix64(s ^ uint64(in.Index))
}
