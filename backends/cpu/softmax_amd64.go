//go:build amd64 && !purego

package cpu

import (
	"math"

	"golang.org/x/sys/cpu"
)

// Softmax row kernels (softmax_amd64.s): AVX2 over the leading multiple of 8
// elements, Go for the tail and on CPUs without AVX2. Every lane repeats the
// scalar Go operations one for one (no FMA), so results are bit-identical to
// softmax_other.go.

// hasAVX2 reports whether the CPU and OS support AVX2.
var hasAVX2 = cpu.X86.HasAVX2

// expTab holds exp32's constants as float32 (the same conversions the Go
// compiler applies to its untyped constants), each broadcast to 8 lanes, in
// the order expRowAVX2 reads them.
var expTab = func() (t [15][8]float32) {
	c := [...]float32{
		1.44269504088896341, // log2(e)
		0.5,
		0.693359375, // ln 2 in two parts
		-2.12194440e-4,
		1.9875691500e-4, // polynomial, highest degree first
		1.3981999507e-3,
		8.3334519073e-3,
		4.1665795894e-2,
		1.6666665459e-1,
		5.0000001201e-1,
		1,
		-87, // fast range (−87, 88)
		88,
		expZeroBelow,
		math.Float32frombits(127), // exponent bias, as an int32 bit pattern
	}
	for i, v := range c {
		for j := range t[i] {
			t[i][j] = v
		}
	}
	return t
}()

// expZeroBelow bounds the arguments for which exp32 is exactly +0: below
// −104, e^x < 2^−150 rounds to 0 in float32 (through math.Exp, which is
// monotonic), so the kernel writes 0 there without a scalar fix-up.
const expZeroBelow = -104

// scaleAVX2 sets dst[i] = tinv·u[i] for i < n (n a multiple of 8).
//
//go:noescape
func scaleAVX2(n int, dst, u *float32, tinv float32)

// scaleMaxAVX2 sets mx[i] = max(tinv·u[i], mx[i]) as Go's
// "if e > mx { mx = e }" for i < n (n a multiple of 8).
//
//go:noescape
func scaleMaxAVX2(n int, mx, u *float32, tinv float32)

// expRowAVX2 sets e = exp32(tinv·u[i] − mx[i]), dst[i] = e and sum[i] += e
// for i < n (n a multiple of 8), except that lanes with arguments outside
// exp32's fast range (−87, 88) get e = 0; it reports false when some such
// argument is not below expZeroBelow (or is NaN) and so needs exp32's
// scalar path.
//
//go:noescape
func expRowAVX2(n int, dst, sum, u, mx *float32, tinv float32, tab *[15][8]float32) (ok bool)

// scaleRow sets dst[i] = tinv·u[i] for every i of dst.
func scaleRow(dst, u []float32, tinv float32) {
	u = u[:len(dst)]
	i := 0
	if n := len(dst) &^ 7; hasAVX2 && n > 0 {
		scaleAVX2(n, &dst[0], &u[0], tinv)
		i = n
	}
	for ; i < len(dst); i++ {
		dst[i] = tinv * u[i]
	}
}

// scaleMax raises mx[i] to tinv·u[i] where that is greater (NaN and ±0
// behave as in the scalar comparison) for every i of mx.
func scaleMax(mx, u []float32, tinv float32) {
	u = u[:len(mx)]
	i := 0
	if n := len(mx) &^ 7; hasAVX2 && n > 0 {
		scaleMaxAVX2(n, &mx[0], &u[0], tinv)
		i = n
	}
	for ; i < len(mx); i++ {
		if e := tinv * u[i]; e > mx[i] {
			mx[i] = e
		}
	}
}

// expRow sets e = exp32(tinv·u[i] − mx[i]), dst[i] = e and sum[i] += e for
// every i of dst: the softmax numerators of one channel and their running
// per-position sums.
func expRow(dst, sum, u, mx []float32, tinv float32) {
	u, mx, sum = u[:len(dst)], mx[:len(dst)], sum[:len(dst)]
	i := 0
	if n := len(dst) &^ 7; hasAVX2 && n > 0 {
		if !expRowAVX2(n, &dst[0], &sum[0], &u[0], &mx[0], tinv, &expTab) {
			// The kernel wrote 0 and added 0 (exact: sums are never −0)
			// where exp32 takes its math.Exp path; redo those lanes.
			for j := range n {
				if x := float32(tinv*u[j]) - mx[j]; !(x > -87 && x < 88 || x < expZeroBelow) {
					e := exp32(x)
					dst[j] = e
					sum[j] += e
				}
			}
		}
		i = n
	}
	for ; i < len(dst); i++ {
		e := exp32(float32(tinv*u[i]) - mx[i]) // unfused, as the kernel
		dst[i] = e
		sum[i] += e
	}
}
