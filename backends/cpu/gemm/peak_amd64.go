//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// fmaLoopAVX2 runs n iterations of 12 independent 8-wide FMAs.
//
//go:noescape
func fmaLoopAVX2(n int)

// fmaLoopAVX512 runs n iterations of 12 independent 16-wide FMAs.
//
//go:noescape
func fmaLoopAVX512(n int)

// hasAVX512 reports AVX-512F (512-bit FMAs) with the OS saving ZMM state.
var hasAVX512 = cpu.X86.HasAVX512F

// PeakISA names the widest FMA the probe uses on this machine: "avx512"
// (16-wide), "avx2" (8-wide) or "generic" (scalar multiply-adds).
func PeakISA() string {
	switch {
	case hasAVX512:
		return "avx512"
	case hasAVX2FMA:
		return "avx2"
	}
	return "generic"
}

// fmaLoop runs n iterations of the peak loop with the widest FMA and
// returns FLOPs per iteration; the portable loop leaves its result in sink.
func fmaLoop(n int, sink *float32) float64 {
	switch {
	case hasAVX512:
		fmaLoopAVX512(n)
		return 12 * 16 * 2
	case hasAVX2FMA:
		fmaLoopAVX2(n)
		return 12 * 8 * 2
	}
	return fmaLoopGeneric(n, sink)
}
