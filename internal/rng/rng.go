package rng

import (
	"hash/fnv"
	"math"
	"math/rand/v2"

	"ghlsim/backends"
)

// Key mixes a run seed with a stream name into a 64-bit stream key.
func Key(seed uint64, name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return backends.SplitMix64(seed ^ backends.SplitMix64(h.Sum64()))
}

// Stream returns a PCG generator for the named stream of a run seed.
func Stream(seed uint64, name string) *rand.Rand {
	k := Key(seed, name)
	return rand.New(rand.NewPCG(k, backends.SplitMix64(k)))
}

// Normal fills dst with N(0, std²) draws from r.
func Normal(r *rand.Rand, dst []float32, std float64) {
	for i := range dst {
		dst[i] = float32(r.NormFloat64() * std)
	}
}

// Uniform fills dst with U(−a, a) draws from r.
func Uniform(r *rand.Rand, dst []float32, a float64) {
	for i := range dst {
		dst[i] = float32((2*r.Float64() - 1) * a)
	}
}

// KaimingStd is the standard deviation of PyTorch's kaiming_normal_ with
// mode="fan_in" and nonlinearity="relu": sqrt(2 / fan_in).
func KaimingStd(fanIn int) float64 { return math.Sqrt(2 / float64(fanIn)) }
