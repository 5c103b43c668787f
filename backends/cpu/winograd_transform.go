package cpu

// The F(2×2, 3×3) Winograd transforms (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", CVPR 2016, eq. 8 and 10). With
//
//	Bᵀ = ⎡1  0 −1  0⎤   G = ⎡ 1   0   0 ⎤   Aᵀ = ⎡1 1  1  0⎤
//	     ⎢0  1  1  0⎥       ⎢1/2 1/2 1/2⎥        ⎣0 1 −1 −1⎦
//	     ⎢0 −1  1  0⎥       ⎢1/2 −1/2 1/2⎥
//	     ⎣0  1  0 −1⎦       ⎣ 0   0   1 ⎦
//
// a 2×2 output tile of the cross-correlation of a 4×4 input tile d with a
// 3×3 kernel w is Y = Aᵀ[(G w Gᵀ) ⊙ (Bᵀ d B)]A: 16 multiplications instead
// of 36. The backward transforms are the adjoints of the forward ones: with
// Z = A ∂Y Aᵀ, ∂w = Gᵀ(Z ⊙ Bᵀ d B)G and ∂d = B(Z ⊙ G w Gᵀ)Bᵀ, so the
// weight gradient, the Hebbian correlation yᵀ·patches and the input gradient
// are exact (up to rounding) gradients of the same bilinear form. All 4×4
// arrays are row-major; element ξ = 4·i + j of a transformed tile is the
// input of the ξ-th of 16 independent matrix products. The tile loops in
// winograd_task.go (and the AVX2 kernels) apply the one-dimensional
// transforms below by columns, then by rows; the whole-tile reference
// versions the tests check them with are in winograd_test.go.

// The one-dimensional transforms, applied to the columns and then the rows
// of a tile; small enough to be inlined into the tile loops.

// bt4 is Bᵀ applied to (d0, d1, d2, d3).
func bt4(d0, d1, d2, d3 float32) (float32, float32, float32, float32) {
	return d0 - d2, d1 + d2, d2 - d1, d1 - d3
}

// b4 is B applied to (m0, m1, m2, m3), the adjoint of bt4.
func b4(m0, m1, m2, m3 float32) (float32, float32, float32, float32) {
	return m0, m1 - m2 + m3, m1 + m2 - m0, -m3
}

// g4 is G applied to (w0, w1, w2).
func g4(w0, w1, w2 float32) (float32, float32, float32, float32) {
	return w0, 0.5 * (w0 + w1 + w2), 0.5 * (w0 - w1 + w2), w2
}

// gt4 is Gᵀ applied to (m0, m1, m2, m3), the adjoint of g4.
func gt4(m0, m1, m2, m3 float32) (float32, float32, float32) {
	return m0 + 0.5*(m1+m2), 0.5 * (m1 - m2), 0.5*(m1+m2) + m3
}

// at4 is Aᵀ applied to (m0, m1, m2, m3).
func at4(m0, m1, m2, m3 float32) (float32, float32) {
	return m0 + m1 + m2, m1 - m2 - m3
}

// a4 is A applied to (g0, g1), the adjoint of at4.
func a4(g0, g1 float32) (float32, float32, float32, float32) {
	return g0, g0 + g1, g0 - g1, -g1
}

// winoWeight returns G w Gᵀ for a 3×3 kernel w (row-major, 9 values).
func winoWeight(w []float32) (u [16]float32) {
	w = w[:9]
	var t [12]float32 // G w, 4×3
	for j := 0; j < 3; j++ {
		t[j], t[3+j], t[6+j], t[9+j] = g4(w[j], w[3+j], w[6+j])
	}
	for i := 0; i < 4; i++ {
		u[4*i], u[4*i+1], u[4*i+2], u[4*i+3] = g4(t[3*i], t[3*i+1], t[3*i+2])
	}
	return u
}

// winoWeightGrad writes Gᵀ m G, the 3×3 kernel gradient from the gradient m
// of its transform (the adjoint of winoWeight), into w (9 values).
func winoWeightGrad(m *[16]float32, w []float32) {
	w = w[:9]
	var t [12]float32 // Gᵀ m, 3×4
	for j := 0; j < 4; j++ {
		t[j], t[4+j], t[8+j] = gt4(m[j], m[4+j], m[8+j], m[12+j])
	}
	for i := 0; i < 3; i++ {
		w[3*i], w[3*i+1], w[3*i+2] = gt4(t[4*i], t[4*i+1], t[4*i+2], t[4*i+3])
	}
}
