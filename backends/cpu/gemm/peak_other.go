//go:build !amd64 || purego

package gemm

// fmaLoop runs n iterations of the peak loop and returns FLOPs per iteration.
func fmaLoop(n int) float64 { return fmaLoopGeneric(n) }
