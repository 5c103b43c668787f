package neuromod

import "math"

// Valued is implemented by sources that know every float32 value their
// Modulate can write (sign-valued sources, constant:v, and the wrappers
// around them). delay:k uses it to keep each pending value in one byte, an
// index into this set, instead of a float32.
type Valued interface {
	// Values is the finite set of values M can hold, compared bit for bit
	// (−0 and +0 are different values; every NaN counts as one value). ok is
	// false when the set is unknown or too large to list.
	Values() (vals []float32, ok bool)
}

// ValuesOf is s.Values() when s is Valued, and (nil, false) otherwise.
func ValuesOf(s Source) ([]float32, bool) {
	if v, ok := s.(Valued); ok {
		return v.Values()
	}
	return nil, false
}

// negZero is −0 as float32.
var negZero = float32(math.Copysign(0, -1))

// signValues is what Backend.Sign and the coarse signs can deliver:
// +0, −1, +1, −0 and NaN (kept by Sign).
func signValues() []float32 { return []float32{0, -1, 1, negZero, float32(math.NaN())} }

// addValues is the union of a and b, without duplicates (by bits; all NaNs
// are one value), in first-appearance order.
func addValues(a []float32, b ...float32) []float32 {
	out := append([]float32(nil), a...)
	for _, v := range b {
		if valueIndex(out, v) < 0 {
			out = append(out, v)
		}
	}
	return out
}

// valueIndex is the position of v in set (by bits; any NaN matches a NaN),
// or −1.
func valueIndex(set []float32, v float32) int {
	bits := math.Float32bits(v)
	for i, x := range set {
		if math.Float32bits(x) == bits || (x != x && v != v) {
			return i
		}
	}
	return -1
}

// Values is +0, −1, +1, −0 and NaN.
func (creditSign) Values() ([]float32, bool) { return signValues(), true }

// Values is +0, −1, +1, −0 and NaN.
func (*coarseSign) Values() ([]float32, bool) { return signValues(), true }

// Values is −1 and +1.
func (*random) Values() ([]float32, bool) { return []float32{-1, 1}, true }

// Values is {v}.
func (c constant) Values() ([]float32, bool) { return []float32{c.v}, true }

// Values is the inner set and its negation (f·x for f = ±1 is exact).
func (f *flip) Values() ([]float32, bool) {
	in, ok := ValuesOf(f.inner)
	if !ok {
		return nil, false
	}
	out := in
	for _, v := range in {
		out = addValues(out, -v)
	}
	return out, true
}

// Values is the inner set and +0.
func (e *every) Values() ([]float32, bool) {
	in, ok := ValuesOf(e.inner)
	if !ok {
		return nil, false
	}
	return addValues(in, 0), true
}
