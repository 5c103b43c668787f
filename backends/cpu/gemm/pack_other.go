//go:build !amd64 || purego

package gemm

// packSlack is how many floats the packers may write past a packed A block.
const packSlack = 0

// packBTransSIMD packs nothing: there are no assembly packers here.
func packBTransSIMD(d, b []float32, ldb, j, p0, kc int) int { return 0 }

// packA6SIMD packs nothing: there are no assembly packers here.
func packA6SIMD(d, a []float32, lda, i, p0, kc int) int { return 0 }

// packBCopySIMD packs nothing: there are no assembly packers here.
func packBCopySIMD(dst, b []float32, ldb, j0, p0, kc, t0, t1 int) bool { return false }

// packATransSIMD packs nothing: there are no assembly packers here.
func packATransSIMD(dst, a []float32, lda, i0, mc, p0, kc int) int { return 0 }
