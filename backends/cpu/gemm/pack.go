package gemm

// Packed layouts. An A block of mc rows is ceil(mc/mr) panels of kc×mr
// values (panel q at q·kc·mr, element (r, p) at p·mr + r); a B block of nc
// columns is ceil(nc/w) panels of kc×w values (panel t at t·kc·w, element
// (p, c) at p·w + c), w the kernel's tile width (nr, or 2·nr for the
// AVX-512 kernel, whose 12-row tile reads two consecutive A panels). Rows or columns past the matrix edge are zero. The
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
// rows [p0, p0+kc) and columns [j0, j0+nc) into w-wide panels: column c of
// panel t is row j0+t·w+c of B. With simd set, the assembly transposes do
// what they can.
func packBTrans(dst, b []float32, ldb int, simd bool, w, j0, nc, p0, kc, t0, t1 int) {
	for t := t0; t < t1; t++ {
		d, cols := dst[t*kc*w:t*kc*w+kc*w], min(w, nc-t*w)
		rows, done := 0, 0
		if simd {
			rows, done = packBTransSIMD(d, b, ldb, w, j0+t*w, cols, p0, kc)
		}
		// Columns [0, done) are packed up to row rows: finish them, then
		// pack the other columns and zero the padding.
		packBTransPanel(d, b, ldb, w, j0+t*w, 0, done, p0, rows, kc)
		packBTransPanel(d, b, ldb, w, j0+t*w, done, cols, p0, 0, kc)
		for p := 0; p < kc && cols < w; p++ {
			clear(d[p*w+cols : p*w+w])
		}
	}
}

// packBRows packs rows [q0, q1) of every w-wide panel of the block of
// op(B) = B with rows [p0, p0+kc) and columns [j0, j0+nc): row p0+q of B is
// read once, left to right, and cut into the panels. With simd set, full
// panels use the assembly copy.
func packBRows(dst, b []float32, ldb int, simd bool, w, j0, nc, p0, kc, q0, q1 int) {
	tiles, full := (nc+w-1)/w, nc/w
	done := 0
	if simd && full > 0 && packBCopySIMD(dst, b, ldb, w, j0, p0, kc, q0, q1, full) {
		done = full
	}
	for q := q0; q < q1; q++ {
		row := b[(p0+q)*ldb+j0 : (p0+q)*ldb+j0+nc]
		for t := done; t < full; t++ {
			copy(dst[t*kc*w+q*w:t*kc*w+q*w+w], row[t*w:t*w+w])
		}
		if full < tiles {
			d := dst[full*kc*w+q*w : full*kc*w+q*w+w]
			n := copy(d, row[full*w:])
			clear(d[n:])
		}
	}
}

// packBTransPanel packs columns [c0, c1) and rows [from, kc) of one w-wide
// panel of op(B) = Bᵀ: column c is row j+c of B, read contiguously and
// scattered with stride w.
func packBTransPanel(d, b []float32, ldb, w, j, c0, c1, p0, from, kc int) {
	if from == kc {
		return
	}
	for c := c0; c < c1; c++ {
		src := b[(j+c)*ldb+p0+from : (j+c)*ldb+p0+kc]
		dd := d[from*w+c:]
		for p, v := range src {
			dd[p*w] = v
		}
	}
}
