package gemm

// Packed layouts. An A block of mc rows is ceil(mc/mr) panels of kc×mr
// values (panel q at q·kc·mr, element (r, p) at p·mr + r); a B block of nc
// columns is ceil(nc/nr) panels of kc×nr values (panel t at t·kc·nr, element
// (p, c) at p·nr + c). Rows or columns past the matrix edge are zero. The
// packers walk the source in memory order so hardware prefetch keeps up.

// packA packs rows [i0, i0+mc) and columns [p0, p0+kc) of op(A).
// With simd set, full panels use the assembly transposes where available.
func packA(dst, a []float32, lda int, transA, simd bool, i0, mc, p0, kc int) {
	if transA {
		done := 0
		if simd {
			done = packATransSIMD(dst, a, lda, i0, mc, p0, kc)
		}
		packATrans(dst[done*kc:], a, lda, i0+done, mc-done, p0, kc)
		return
	}
	for ir := 0; ir < mc; ir += mr {
		d := dst[ir*kc : ir*kc+kc*mr]
		if rows := mc - ir; rows < mr {
			packAEdge(d, a, lda, i0+ir, rows, p0, kc)
		} else {
			kc8 := 0
			if simd {
				kc8 = packA6SIMD(d, a, lda, i0+ir, p0, kc)
			}
			packA6(d, a, lda, i0+ir, p0, kc8, kc)
		}
	}
}

// packA6 packs columns [from, kc) of six full rows of a non-transposed A,
// reading six row streams.
func packA6(d, a []float32, lda, i, p0, from, kc int) {
	r0 := a[i*lda+p0 : i*lda+p0+kc]
	r1 := a[(i+1)*lda+p0 : (i+1)*lda+p0+kc]
	r2 := a[(i+2)*lda+p0 : (i+2)*lda+p0+kc]
	r3 := a[(i+3)*lda+p0 : (i+3)*lda+p0+kc]
	r4 := a[(i+4)*lda+p0 : (i+4)*lda+p0+kc]
	r5 := a[(i+5)*lda+p0 : (i+5)*lda+p0+kc]
	for p := from; p < kc; p++ {
		q := d[p*mr : p*mr+mr : p*mr+mr]
		q[0], q[1], q[2] = r0[p], r1[p], r2[p]
		q[3], q[4], q[5] = r3[p], r4[p], r5[p]
	}
}

// packAEdge packs the last, partial row panel of a non-transposed A.
func packAEdge(d, a []float32, lda, i, rows, p0, kc int) {
	clear(d[:kc*mr])
	for r := 0; r < rows; r++ {
		src := a[(i+r)*lda+p0 : (i+r)*lda+p0+kc]
		for p, v := range src {
			d[p*mr+r] = v
		}
	}
}

// packATrans packs op(A) = Aᵀ: row p0+p of A holds column p of the block,
// copied in mr-wide pieces to every panel.
func packATrans(dst, a []float32, lda, i0, mc, p0, kc int) {
	if mc == 0 {
		return
	}
	full := mc / mr * mr
	for p := 0; p < kc; p++ {
		row := a[(p0+p)*lda+i0 : (p0+p)*lda+i0+mc]
		for ir := 0; ir < full; ir += mr {
			*(*[mr]float32)(dst[ir*kc+p*mr:]) = *(*[mr]float32)(row[ir:])
		}
		if full < mc {
			q := dst[full*kc+p*mr : full*kc+p*mr+mr]
			n := copy(q, row[full:])
			clear(q[n:])
		}
	}
}

// packB packs column panels [t0, t1) of the block of op(B) with rows
// [p0, p0+kc) and columns [j0, j0+nc).
// With simd set, full panels use the assembly transposes where available.
func packB(dst, b []float32, ldb int, transB, simd bool, j0, nc, p0, kc, t0, t1 int) {
	if t0 >= t1 {
		return
	}
	if transB {
		for t := t0; t < t1; t++ {
			d, cols, kc8 := dst[t*kc*nr:t*kc*nr+kc*nr], min(nr, nc-t*nr), 0
			if simd && cols == nr {
				kc8 = packBTransSIMD(d, b, ldb, j0+t*nr, p0, kc)
			}
			packBTrans(d, b, ldb, j0+t*nr, cols, p0, kc8, kc)
		}
		return
	}
	// Row p0+p of B feeds row p of every panel: read it once, left to right.
	full := min(t1, nc/nr)
	if simd && t0 < full && packBCopySIMD(dst, b, ldb, j0, p0, kc, t0, full) {
		t0 = full
	}
	if t0 >= t1 {
		return
	}
	for p := 0; p < kc; p++ {
		row := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+nc]
		for t := t0; t < full; t++ {
			*(*[nr]float32)(dst[t*kc*nr+p*nr:]) = *(*[nr]float32)(row[t*nr:])
		}
		if full < t1 {
			q := dst[full*kc*nr+p*nr : full*kc*nr+p*nr+nr]
			n := copy(q, row[full*nr:])
			clear(q[n:])
		}
	}
}

// packBTrans packs rows [from, kc) of one panel of op(B) = Bᵀ: column c of
// the panel is row j+c of B, read contiguously and scattered with stride nr.
func packBTrans(d, b []float32, ldb, j, cols, p0, from, kc int) {
	if cols < nr {
		clear(d)
	}
	if from == kc {
		return
	}
	for c := 0; c < cols; c++ {
		src := b[(j+c)*ldb+p0+from : (j+c)*ldb+p0+kc]
		dd := d[from*nr+c:]
		for p, v := range src {
			dd[p*nr] = v
		}
	}
}
