package cpu

import "math"

// abs32 is |v| for float32.
func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// exp32 is e^x in float32 (Cephes expf: range reduction by ln 2 and a
// degree-6 polynomial, relative error about 1e-7). It is small enough to be
// inlined into the softmax loop; arguments outside (−87, 88), where 2^n is
// not a normal float32, and NaN go to expSlow.
func exp32(x float32) float32 {
	if !(x > -87 && x < 88) {
		return expSlow(x)
	}
	kf := x * 1.44269504088896341 // log2(e)
	k := int32(kf + 0.5)           // round to nearest; int32 truncates towards 0
	if kf < 0 {
		k = int32(kf - 0.5)
	}
	n := float32(k)
	r := x - n*0.693359375 // ln 2 split in two parts (Cody–Waite)
	r -= n * -2.12194440e-4
	p := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
	return (p*r*r + r + 1) * math.Float32frombits(uint32(k+127)<<23)
}

// expSlow is exp32 outside the fast path's range.
func expSlow(x float32) float32 { return float32(math.Exp(float64(x))) }
