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
	for ir := 0; ir < mc; {
		d := dst[ir*kc : ir*kc+kc*mr]
		if rows := mc - ir; rows < mr {
			packAEdge(d, a, lda, i0+ir, rows, p0, kc)
			break
		}
		// Full panels go in pairs where possible (more rows in flight).
		panels, kc8 := min(2, (mc-ir)/mr), 0
		if simd {
			kc8 = packA6SIMD(dst[ir*kc:], a, lda, i0+ir, p0, kc, panels)
		}
		for q := 0; q < panels; q++ {
			packA6(dst[(ir+q*mr)*kc:], a, lda, i0+ir+q*mr, p0, kc8, kc)
		}
		ir += panels * mr
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

// packBTrans packs column panels [t0, t1) of the block of op(B) = Bᵀ with
// rows [p0, p0+kc) and columns [j0, j0+nc): column c of panel t is row
// j0+t·nr+c of B. With simd set, the assembly transposes do what they can.
func packBTrans(dst, b []float32, ldb int, simd bool, j0, nc, p0, kc, t0, t1 int) {
	for t := t0; t < t1; t++ {
		d, cols := dst[t*kc*nr:t*kc*nr+kc*nr], min(nr, nc-t*nr)
		rows, done := 0, 0
		if simd {
			rows, done = packBTransSIMD(d, b, ldb, j0+t*nr, cols, p0, kc)
		}
		// Columns [0, done) are packed up to row rows: finish them, then
		// pack the other columns and zero the padding.
		packBTransPanel(d, b, ldb, j0+t*nr, 0, done, p0, rows, kc)
		packBTransPanel(d, b, ldb, j0+t*nr, done, cols, p0, 0, kc)
		for p := 0; p < kc && cols < nr; p++ {
			clear(d[p*nr+cols : p*nr+nr])
		}
	}
}

// packBRows packs rows [q0, q1) of every panel of the block of op(B) = B
// with rows [p0, p0+kc) and columns [j0, j0+nc): row p0+q of B is read once,
// left to right, and cut into the panels. With simd set, full panels use the
// assembly copy.
func packBRows(dst, b []float32, ldb int, simd bool, j0, nc, p0, kc, q0, q1 int) {
	tiles, full := (nc+nr-1)/nr, nc/nr
	done := 0
	if simd && full > 0 && packBCopySIMD(dst, b, ldb, j0, p0, kc, q0, q1, full) {
		done = full
	}
	for q := q0; q < q1; q++ {
		row := b[(p0+q)*ldb+j0 : (p0+q)*ldb+j0+nc]
		for t := done; t < full; t++ {
			*(*[nr]float32)(dst[t*kc*nr+q*nr:]) = *(*[nr]float32)(row[t*nr:])
		}
		if full < tiles {
			d := dst[full*kc*nr+q*nr : full*kc*nr+q*nr+nr]
			n := copy(d, row[full*nr:])
			clear(d[n:])
		}
	}
}

// packBTransPanel packs columns [c0, c1) and rows [from, kc) of one panel
// of op(B) = Bᵀ: column c is row j+c of B, read contiguously and scattered
// with stride nr.
func packBTransPanel(d, b []float32, ldb, j, c0, c1, p0, from, kc int) {
	if from == kc {
		return
	}
	for c := c0; c < c1; c++ {
		src := b[(j+c)*ldb+p0+from : (j+c)*ldb+p0+kc]
		dd := d[from*nr+c:]
		for p, v := range src {
			dd[p*nr] = v
		}
	}
}
