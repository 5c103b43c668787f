package gemm

import "unsafe"

// microKernel multiplies a packed kc×mr A panel by a packed kc×nr B panel and
// stores alpha·AB + beta·C into the full mr×nr tile at c (row stride ldc);
// beta = 0 does not read C. Every element is accumulated in K order by one
// chain of multiply-adds, so a tile's result does not depend on its position.
type microKernel func(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// kernelGeneric is the portable micro-kernel. It walks the 6×16 tile in 2×4
// sub-blocks, small enough for the eight accumulators and six operands to
// stay in registers.
func kernelGeneric(kc int, a, b, c *float32, ldc int, alpha, beta float32) {
	ap := unsafe.Slice(a, kc*mr)
	bp := unsafe.Slice(b, kc*nr)
	cp := unsafe.Slice(c, (mr-1)*ldc+nr)
	for i := 0; i < mr; i += 2 {
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			o, q := i, j
			for p := 0; p < kc; p++ {
				x := (*[2]float32)(ap[o : o+2])
				y := (*[4]float32)(bp[q : q+4])
				a0, a1 := x[0], x[1]
				b0, b1, b2, b3 := y[0], y[1], y[2], y[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
				o += mr
				q += nr
			}
			storeRow(cp[i*ldc+j:i*ldc+j+4:i*ldc+j+4], c00, c01, c02, c03, alpha, beta)
			storeRow(cp[(i+1)*ldc+j:(i+1)*ldc+j+4:(i+1)*ldc+j+4], c10, c11, c12, c13, alpha, beta)
		}
	}
}

// storeRow writes alpha·acc + beta·dst into four elements of C.
func storeRow(d []float32, x0, x1, x2, x3, alpha, beta float32) {
	x0, x1, x2, x3 = alpha*x0, alpha*x1, alpha*x2, alpha*x3
	if beta != 0 {
		x0 += beta * d[0]
		x1 += beta * d[1]
		x2 += beta * d[2]
		x3 += beta * d[3]
	}
	d[0], d[1], d[2], d[3] = x0, x1, x2, x3
}
