//go:build amd64 && !purego

package gemm

// packBTransAVX2 transposes 16 rows × kc8 columns (kc8 a multiple of 8).
//
//go:noescape
func packBTransAVX2(kc8 int, src *float32, ldb int, dst *float32)

// packBTrans8AVX2 transposes 8 rows × kc8 columns into the left half of a
// panel (kc8 a multiple of 8).
//
//go:noescape
func packBTrans8AVX2(kc8 int, src *float32, ldb int, dst *float32)

// packA6AVX2 transposes one or two panels of 6 rows × kc8 columns (kc8 a
// multiple of 8), pstride floats apart in dst.
//
//go:noescape
func packA6AVX2(kc8 int, src *float32, lda int, dst *float32, panels, pstride int)

// packBTrans32AVX2 transposes 8·groups rows (groups 1..4) × kc8 columns
// (kc8 a multiple of 8) into a 32-wide panel.
//
//go:noescape
func packBTrans32AVX2(kc8 int, src *float32, ldb int, dst *float32, groups int)

// packBCopy32AVX2 copies 32-float pieces of rows of B into 32-wide panels.
//
//go:noescape
func packBCopy32AVX2(kc int, src *float32, ldb int, panels int, dst *float32, pstride int)

// packBTransSIMD packs the leading multiple-of-8 rows (p) of the leading
// multiple-of-8 columns (cols ≥ 8) of a w-wide (16 or 32) op(B) = Bᵀ panel,
// and returns the rows and columns it packed.
func packBTransSIMD(d, b []float32, ldb, w, j, cols, p0, kc int) (rows, done int) {
	kc8 := kc &^ 7
	if kc8 == 0 || cols < 8 {
		return 0, 0
	}
	if w == 2*nr {
		done = cols &^ 7
		_ = b[(j+done-1)*ldb+p0+kc-1]
		_ = d[kc*w-1]
		// Sixteen rows of B per pass: 32 row streams at once would
		// outrun the hardware prefetchers.
		for c := 0; c < done; c += 16 {
			packBTrans32AVX2(kc8, &b[(j+c)*ldb+p0], ldb, &d[c], min(2, (done-c)/8))
		}
		return kc8, done
	}
	done = nr
	if cols < nr {
		done = 8
	}
	_ = b[(j+done-1)*ldb+p0+kc-1]
	_ = d[kc*nr-1]
	if done == nr {
		packBTransAVX2(kc8, &b[j*ldb+p0], ldb, &d[0])
	} else {
		packBTrans8AVX2(kc8, &b[j*ldb+p0], ldb, &d[0])
	}
	return kc8, done
}

// packA6SIMD packs the leading multiple-of-8 columns of panels (1 or 2)
// full panels of a non-transposed A, starting at row i, into d (panel q at
// q·kc·mr), and returns how many columns it packed.
func packA6SIMD(d, a []float32, lda, i, p0, kc, panels int) int {
	kc8 := kc &^ 7
	if kc8 == 0 {
		return 0
	}
	_ = a[(i+panels*mr-1)*lda+p0+kc-1]
	_ = d[(panels-1)*kc*mr+kc8*mr-1]
	packA6AVX2(kc8, &a[i*lda+p0], lda, &d[0], panels, kc*mr)
	return kc8
}

// packBCopyAVX2 copies 16-float pieces of rows of B into panels.
//
//go:noescape
func packBCopyAVX2(kc int, src *float32, ldb int, panels int, dst *float32, pstride int)

// packATransAVX2 copies 6-float pieces of kc rows into panels.
//
//go:noescape
func packATransAVX2(kc int, src *float32, lda int, panels int, dst *float32, pstride int)

// packBCopySIMD packs rows [q0, q1) of the first full w-wide (16 or 32)
// panels of a non-transposed B block (kc rows from row p0, columns from j0)
// and reports whether it did.
func packBCopySIMD(dst, b []float32, ldb, w, j0, p0, kc, q0, q1, full int) bool {
	if q0 >= q1 {
		return true
	}
	_ = b[(p0+q1-1)*ldb+j0+full*w-1]
	_ = dst[(full-1)*kc*w+q1*w-1]
	if w == 2*nr {
		packBCopy32AVX2(q1-q0, &b[(p0+q0)*ldb+j0], ldb, full, &dst[q0*w], kc*w)
	} else {
		packBCopyAVX2(q1-q0, &b[(p0+q0)*ldb+j0], ldb, full, &dst[q0*nr], kc*nr)
	}
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
