//go:build !amd64 || purego

package gemm

// fmaLoop runs n iterations of the portable peak loop, leaving its result in
// sink, and returns FLOPs per iteration.
func fmaLoop(n int, sink *float32) float64 { return fmaLoopGeneric(n, sink) }

// PeakISA names the widest FMA the probe uses: "generic" on this build.
func PeakISA() string { return "generic" }
