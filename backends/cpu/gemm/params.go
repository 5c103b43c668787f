package gemm

// Register tile and cache blocking. The 6×16 tile keeps 12 YMM accumulators,
// two B vectors and a broadcast A value in the 16 AVX2 registers; the
// AVX-512 kernel's 12×32 tile (2·mr × 2·nr) keeps 24 ZMM accumulators, two
// B vectors and six broadcast A values in the 32 ZMM registers. A is always
// packed in mr-row panels (a 12-row tile reads two), B in panels as wide as
// the tile. Block sizes
// target one core of the build machine (AMD EPYC Zen 4, 32 KiB L1d, 1 MiB
// L2, 32 MiB shared L3): a kc×nr B micro-panel (16 KiB) stays in L1, a chunk's
// mc×kc A block (≤ 240 KiB) in L2, and a kc×nc B block (≤ 4 MiB) in L3.
const (
	mr = 6    // rows of the micro-tile
	nr = 16   // columns of the micro-tile
	kC = 256  // K block (longer for small C, see kCMax)
	mC = 240  // most rows of A one chunk packs (multiple of mr)
	nC = 4096 // largest N block (multiple of every tile width)

	tileMax = 4 * mr * nr // most elements of any kernel's tile
)

// Products with a small C (m·nc) take longer K blocks, up to kCMax, so each
// step still has about stepWork multiply-adds to share between threads; the
// A and B blocks then still fit in L2 (the B micro-panel streams from L2).
const (
	kCMax    = 1024
	stepWork = 4 << 20
)

// Packed B blocks form a ring of up to maxRing buffers and ringBytes bytes
// (at least two), so threads can pack ahead of slower ones.
const (
	maxRing   = 4
	ringBytes = 8 << 20
)

// shortK is the K block below which a chunk walks its tiles along C rows.
const shortK = 128

// blocks splits n into the fewest pieces of at most max, of near-equal size
// rounded up to a multiple of unit; it returns the piece size. It depends
// only on its arguments, which keeps the K partition independent of threads.
func blocks(n, max, unit int) int {
	pieces := (n + max - 1) / max
	size := (n + pieces - 1) / pieces
	return (size + unit - 1) / unit * unit
}
