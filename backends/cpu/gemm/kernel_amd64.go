//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// kernelAVX2 is the 6×16 AVX2+FMA micro-kernel (kernel_amd64.s).
//
//go:noescape
func kernelAVX2(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// kernelAVX512 is the 12×32 AVX-512F micro-kernel (kernel_avx512_amd64.s).
// Its A operand is two consecutive packed 6-row panels (rows 6..11 start
// kc·mr floats after a).
//
//go:noescape
func kernelAVX512(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// hasAVX2FMA reports whether the CPU and OS support AVX2 and FMA.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// supportedPaths lists the paths this CPU runs, portable first. The
// AVX-512 path also packs with the AVX2 routines, so it needs both.
func supportedPaths() []kernelPath {
	ps := []kernelPath{genericPath}
	if hasAVX2FMA {
		ps = append(ps, kernelPath{isa: "avx2", features: " AVX2+FMA", kern: kernelAVX2, simd: true, tm: mr, tn: nr})
		if hasAVX512 {
			ps = append(ps, kernelPath{isa: "avx512", features: " AVX-512F", kern: kernelAVX512, simd: true, tm: 2 * mr, tn: 2 * nr})
		}
	}
	return ps
}
