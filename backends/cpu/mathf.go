package cpu

import "math"

// abs32 is |v| for float32.
func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// exp32 is e^x in float32 (Cephes expf: Cody–Waite range reduction by ln 2
// and a degree-6 polynomial, relative error about 1e-7). Arguments outside
// (−87, 88), where 2^n is not a normal float32, and NaN go through math.Exp.
func exp32(x float32) float32 {
	if !(x > -87 && x < 88) {
		return float32(math.Exp(float64(x)))
	}
	kf := x * 1.44269504088896341 // log2(e)
	k := int32(kf + 0.5)          // round to nearest; int32 truncates towards 0
	if kf < 0 {
		k = int32(kf - 0.5)
	}
	// Every product is converted explicitly, which forbids the compiler to
	// fuse it with the following addition (Go may fuse a*b+c when GOAMD64
	// allows FMA): the AVX2 softmax kernel replicates these operations
	// unfused, and the two must agree bit for bit.
	n := float32(k)
	r := x - float32(n*0.693359375) // ln 2 in two parts
	r -= float32(n * -2.12194440e-4)
	p := float32(1.9875691500e-4*r) + 1.3981999507e-3
	p = float32(p*r) + 8.3334519073e-3
	p = float32(p*r) + 4.1665795894e-2
	p = float32(p*r) + 1.6666665459e-1
	p = float32(p*r) + 5.0000001201e-1
	return (float32(float32(p*r)*r) + r + 1) * math.Float32frombits(uint32(k+127)<<23)
}

// log32 is ln x in float32 for a positive normal finite x (Cephes logf:
// x = m·2^e with m in [√½, √2), a degree-8 polynomial in m−1; absolute
// error about 1e-7·max(1, |ln x|)). Other arguments go through math.Log.
func log32(x float32) float32 {
	bits := math.Float32bits(x)
	if bits-0x00800000 >= 0x7f800000-0x00800000 { // ≤ 0, subnormal, Inf or NaN
		return float32(math.Log(float64(x)))
	}
	e := int32(bits>>23) - 127
	m := math.Float32frombits(bits&0x007fffff | 0x3f800000) // [1, 2)
	if m > 1.41421356 {
		m *= 0.5
		e++
	}
	f := m - 1
	z := f * f
	y := ((((((((7.0376836292e-2*f-1.1514610310e-1)*f+1.1676998740e-1)*f-1.2420140846e-1)*f+
		1.4249322787e-1)*f-1.6668057665e-1)*f+2.0000714765e-1)*f-2.4999993993e-1)*f + 3.3333331174e-1) * f * z
	fe := float32(e)
	y += fe * -2.12194440e-4
	y -= 0.5 * z
	return f + y + fe*0.693359375
}

// pow32 is z^p for z > 0 in float32, as e^(p·ln z): relative error about
// 1e-7·(1 + |p·ln z|), a few 1e-7 for the activations it serves.
func pow32(z, p float32) float32 { return exp32(p * log32(z)) }
