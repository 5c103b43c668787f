//go:build amd64 && !purego

package gemm

// fmaLoopAVX2 runs n iterations of 12 independent 8-wide FMAs.
//
//go:noescape
func fmaLoopAVX2(n int)

// fmaLoop runs n iterations of the peak loop and returns FLOPs per
// iteration; the portable loop leaves its result in sink.
func fmaLoop(n int, sink *float32) float64 {
	if hasAVX2FMA {
		fmaLoopAVX2(n)
		return 12 * 8 * 2
	}
	return fmaLoopGeneric(n, sink)
}
