package datasets

import "math/bits"

// Random streams. Every random draw in this package comes from SplitMix64
// (Steele, Lea & Flood 2014) keyed by a domain tag and the caller's seed, so
// results depend only on their inputs, never on call order or goroutines.

// Domain tags keep the streams of different uses independent.
const (
	tagShuffle   uint64 = 0x53485546464c4521 // loader epoch permutation
	tagAugment   uint64 = 0x4155474d454e5421 // loader per-sample crop/flip
	tagSplit     uint64 = 0x53504c4954212121 // Split per-class shuffle
	tagSynthetic uint64 = 0x53594e5448455421 // Synthetic prototypes and noise
)

const golden = 0x9E3779B97F4A7C15

// mix64 is the SplitMix64 finaliser: a bijective, well-mixing hash of x.
func mix64(x uint64) uint64 {
	x += golden
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// hash3 combines a seed with up to three keys into one well-mixed value.
func hash3(seed, a, b, c uint64) uint64 {
	h := mix64(seed)
	h = mix64(h ^ a)
	h = mix64(h ^ b)
	return mix64(h ^ c)
}

// stream is a SplitMix64 generator; the zero value is a valid stream.
type stream struct{ s uint64 }

// newStream returns the stream for (tag, seed, a, b).
func newStream(tag, seed, a, b uint64) stream {
	return stream{s: hash3(tag, seed, a, b)}
}

// next returns the next 64 random bits.
func (r *stream) next() uint64 {
	r.s += golden
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// intn returns a uniform integer in [0, n) for n > 0 (Lemire's
// multiply-shift; the bias is below n/2⁶⁴).
func (r *stream) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// float64 returns a uniform number in [0, 1).
func (r *stream) float64() float64 {
	return float64(r.next()>>11) * (1.0 / (1 << 53))
}

// shuffle permutes p uniformly (Fisher–Yates).
func (r *stream) shuffle(p []int) {
	for i := len(p) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}
