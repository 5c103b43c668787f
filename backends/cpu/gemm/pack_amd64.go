//go:build amd64 && !purego

package gemm

// packSlack is how many floats the packers may write past a packed A block.
const packSlack = 8

// packBTransAVX2 transposes 16 rows × kc8 columns (kc8 a multiple of 8).
//
//go:noescape
func packBTransAVX2(kc8 int, src *float32, ldb int, dst *float32)

// packA6AVX2 transposes 6 rows × kc8 columns (kc8 a multiple of 8); it writes
// up to 2 floats past 6·kc8.
//
//go:noescape
func packA6AVX2(kc8 int, src *float32, lda int, dst *float32)

// packBTransSIMD packs the leading multiple-of-8 rows of a full op(B) = Bᵀ
// panel and returns how many it packed.
func packBTransSIMD(d, b []float32, ldb, j, p0, kc int) int {
	kc8 := kc &^ 7
	if kc8 == 0 {
		return 0
	}
	_ = b[(j+nr-1)*ldb+p0+kc-1]
	_ = d[kc*nr-1]
	packBTransAVX2(kc8, &b[j*ldb+p0], ldb, &d[0])
	return kc8
}

// packA6SIMD packs the leading multiple-of-8 columns of six full rows of a
// non-transposed A and returns how many it packed.
func packA6SIMD(d, a []float32, lda, i, p0, kc int) int {
	kc8 := kc &^ 7
	if kc8 == 0 {
		return 0
	}
	_ = a[(i+mr-1)*lda+p0+kc-1]
	_ = d[:cap(d)][kc*mr+1] // slack for the overlapping stores
	packA6AVX2(kc8, &a[i*lda+p0], lda, &d[0])
	return kc8
}

// packBCopyAVX2 copies 16-float pieces of kc rows into panels.
//
//go:noescape
func packBCopyAVX2(kc int, src *float32, ldb int, panels int, dst *float32, pstride int)

// packATransAVX2 copies 6-float pieces of kc rows into panels.
//
//go:noescape
func packATransAVX2(kc int, src *float32, lda int, panels int, dst *float32, pstride int)

// packBCopySIMD packs full panels [t0, t1) of a non-transposed B block and
// reports whether it did.
func packBCopySIMD(dst, b []float32, ldb, j0, p0, kc, t0, t1 int) bool {
	_ = b[(p0+kc-1)*ldb+j0+t1*nr-1]
	_ = dst[t1*kc*nr-1]
	packBCopyAVX2(kc, &b[p0*ldb+j0+t0*nr], ldb, t1-t0, &dst[t0*kc*nr], kc*nr)
	return true
}

// packATransSIMD packs the full panels of rows [i0, i0+mc) of op(A) = Aᵀ and
// returns how many rows it packed.
func packATransSIMD(dst, a []float32, lda, i0, mc, p0, kc int) int {
	panels := mc / mr
	if panels == 0 {
		return 0
	}
	_ = a[(p0+kc-1)*lda+i0+panels*mr-1]
	_ = dst[panels*kc*mr-1]
	packATransAVX2(kc, &a[p0*lda+i0], lda, panels, &dst[0], kc*mr)
	return panels * mr
}
