package backends

// SplitMix64 is the counter-based mixing function (Steele et al. 2014) used
// wherever a backend must reproduce a random draw exactly, e.g. dropout masks.
func SplitMix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// DropoutKeep reports whether element i survives dropout with the given rate
// under seed: a uniform number in [0, 1) made from the top 24 bits of
// SplitMix64(seed ^ i·golden) is compared with rate.
func DropoutKeep(seed uint64, i int, rate float32) bool {
	r := SplitMix64(seed ^ (uint64(i) * 0xD1B54A32D192ED03))
	u := float32(r>>40) * (1.0 / (1 << 24))
	return u >= rate
}
