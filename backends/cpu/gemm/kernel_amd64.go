//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// kernelAVX2 is the 6×16 AVX2+FMA micro-kernel (kernel_amd64.s).
//
//go:noescape
func kernelAVX2(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// hasAVX2FMA reports whether the CPU and OS support AVX2 and FMA.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// selectKernel returns the fastest micro-kernel this CPU runs and its name.
func selectKernel() (microKernel, string) {
	if hasAVX2FMA {
		return kernelAVX2, " AVX2+FMA"
	}
	return kernelGeneric, ""
}
