//go:build !amd64 || purego

package cpu

// Softmax row kernels in Go (softmax_amd64.go has AVX2 versions with
// bit-identical results).

// scaleRow sets dst[i] = tinv·u[i] for every i of dst.
func scaleRow(dst, u []float32, tinv float32) {
	u = u[:len(dst)]
	for i, v := range u {
		dst[i] = tinv * v
	}
}

// scaleMax raises mx[i] to tinv·u[i] where that is greater for every i of
// mx.
func scaleMax(mx, u []float32, tinv float32) {
	u = u[:len(mx)]
	for i, v := range u {
		if e := tinv * v; e > mx[i] {
			mx[i] = e
		}
	}
}

// expRow sets e = exp32(tinv·u[i] − mx[i]), dst[i] = e and sum[i] += e for
// every i of dst: the softmax numerators of one channel and their running
// per-position sums.
func expRow(dst, sum, u, mx []float32, tinv float32) {
	u, mx, sum = u[:len(dst)], mx[:len(dst)], sum[:len(dst)]
	for i, v := range u {
		e := exp32(float32(tinv*v) - mx[i]) // unfused, as the kernel
		dst[i] = e
		sum[i] += e
	}
}
