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

// PeakISA names the FMA the probe uses: the widest the GEMM path in use
// (KernelISA) may execute, so "avx512" (16-wide) only where the AVX-512
// path runs, "avx2" (8-wide) on the AVX2 path — also on an AVX-512 machine
// when GHLSIM_CPU_ISA=avx2 restricts the kernels — and "generic" (scalar
// multiply-adds) on the portable path.
func PeakISA() string { return peakISA(KernelISA()) }

// peakISA is PeakISA for the GEMM path named kernel, no wider than the CPU.
func peakISA(kernel string) string {
	switch {
	case kernel == "avx512" && hasAVX512 && hasAVX2FMA:
		return "avx512"
	case (kernel == "avx512" || kernel == "avx2") && hasAVX2FMA:
		return "avx2"
	}
	return "generic"
}

// fmaLoop runs n iterations of the peak loop of PeakISA and returns FLOPs
// per iteration; the portable loop leaves its result in sink.
func fmaLoop(n int, sink *float32) float64 { return fmaLoopISA(PeakISA(), n, sink) }

// fmaLoopISA runs n iterations of the peak loop of isa (a peakISA result).
func fmaLoopISA(isa string, n int, sink *float32) float64 {
	switch isa {
	case "avx512":
		fmaLoopAVX512(n)
		return 12 * 16 * 2
	case "avx2":
		fmaLoopAVX2(n)
		return 12 * 8 * 2
	}
	return fmaLoopGeneric(n, sink)
}
