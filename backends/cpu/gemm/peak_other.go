//go:build !amd64 || purego

package gemm

// fmaLoop runs n iterations of the portable peak loop, leaving its result in
// sink, and returns FLOPs per iteration.
func fmaLoop(n int, sink *float32) float64 { return fmaLoopGeneric(n, sink) }

// PeakISA names the FMA the probe uses: "generic" on this build, whose only
// GEMM path is the portable one.
func PeakISA() string { return "generic" }

// peakISA is PeakISA for the GEMM path named kernel: "generic" on this build.
func peakISA(string) string { return "generic" }

// fmaLoopISA runs n iterations of the portable peak loop whatever isa says.
func fmaLoopISA(_ string, n int, sink *float32) float64 { return fmaLoopGeneric(n, sink) }
