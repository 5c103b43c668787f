//go:build !amd64 || purego

package gemm

// selectKernel returns the portable micro-kernel: no assembly is built for
// this architecture or with the purego tag.
func selectKernel() (microKernel, string) { return kernelGeneric, "" }
