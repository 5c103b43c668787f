package gemm

// Register tile and cache blocking. The 6×16 tile keeps 12 YMM accumulators,
// two B vectors and a broadcast A value in the 16 AVX2 registers. Block sizes
// target one core of the build machine (AMD EPYC, 32 KiB L1d, 1 MiB L2,
// 32 MiB shared L3): a kc×NR B micro-panel (16 KiB) stays in L1, an mc×kc A
// block (≈250 KiB) in L2, and a kc×nc B block (≈4 MiB) in L3.
const (
	mr = 6    // rows of the micro-tile
	nr = 16   // columns of the micro-tile
	kC = 256  // largest K block
	mC = 240  // largest M block per thread (multiple of mr)
	nC = 4096 // largest N block (multiple of nr)
)

// blocks splits n into the fewest pieces of at most max, of near-equal size
// rounded up to a multiple of unit; it returns the piece size. It depends
// only on its arguments, which keeps the K partition independent of threads.
func blocks(n, max, unit int) int {
	pieces := (n + max - 1) / max
	size := (n + pieces - 1) / pieces
	return (size + unit - 1) / unit * unit
}
