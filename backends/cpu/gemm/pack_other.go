//go:build !amd64 || purego

package gemm

// packBTransSIMD packs nothing: there are no assembly packers here.
func packBTransSIMD(d, b []float32, ldb, w, j, cols, p0, kc int) (rows, done int) { return 0, 0 }

// packA6SIMD packs nothing: there are no assembly packers here.
func packA6SIMD(d, a []float32, lda, i, p0, kc, panels int) int { return 0 }

// packBCopySIMD packs nothing: there are no assembly packers here.
func packBCopySIMD(dst, b []float32, ldb, w, j0, p0, kc, q0, q1, full int) bool { return false }

// packATransSIMD packs nothing: there are no assembly packers here.
func packATransSIMD(dst, a []float32, lda, i0, mc, p0, kc int) int { return 0 }
