package gemm

// fmaLoopGeneric runs n iterations of 8 independent scalar multiply-adds,
// the portable kernel's ceiling, stores their sum in sink (so the loop is
// not dead code) and returns FLOPs per iteration.
func fmaLoopGeneric(n int, sink *float32) float64 {
	x0, x1, x2, x3, x4, x5, x6, x7 := float32(1), float32(2), float32(3), float32(4), float32(5), float32(6), float32(7), float32(8)
	const m, c = 0.999, 0.001
	for i := 0; i < n; i++ {
		x0 = x0*m + c
		x1 = x1*m + c
		x2 = x2*m + c
		x3 = x3*m + c
		x4 = x4*m + c
		x5 = x5*m + c
		x6 = x6*m + c
		x7 = x7*m + c
	}
	*sink = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7
	return 8 * 2
}
