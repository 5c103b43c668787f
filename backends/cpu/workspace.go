package cpu

// workspace holds a Backend's scratch memory and its preallocated kernel
// tasks. Buffers only grow, so once every layer shape has been seen no call
// allocates; tasks live here (not on the stack) because the worker pool
// receives them as interface values, which would otherwise escape to the
// heap on every call.
type workspace struct {
	// scratch buffers
	chunk     []float32 // one chunk's patches or input tiles, left operand, GEMM output or output-side tiles
	acc       []float32 // both sets of a small patchProduct [2K, C·kh·kw]
	rowIdx    []int32   // padded-row index table
	colIdx    []int32   // padded-column index table
	part      []float64 // per-sample Σ_p y·u
	s64       []float64 // Σ_{b,p} y·u per output channel
	smScr     []float32 // softmax per-position max and normaliser
	win       []int32   // softmax winners (anti-Hebbian)
	hebbPart  []float32 // per-row max|H|
	ewPartial []float32 // per-item max|x|
	actMean   []float64 // Triangle channel means
	actTMean  []float64 // Triangle backward means
	lossPart  []float64 // per-sample loss
	lossHit   []bool    // per-sample correct prediction
	winoRows  []int32   // Winograd tile row index table
	winoCols  []int32   // Winograd tile column index table
	winoU     []float32 // transformed kernels [16][K][C], or accumulated weight-side products [16][m][C]
	winoPad   []float32 // one padded plane per Winograd tile item
	poolKeys  []int32   // max-pool row-pass keys and positions per item

	// tasks
	ew      ewTask
	col     colTask
	lt      leftTask
	hebb    hebbTask
	csum    chanSumTask
	bias    biasTask
	unchunk unchunkTask
	pool    poolTask
	bn      bnTask
	act     actTask
	drop    dropoutTask
	loss    lossTask
	upd     updateTask
	wino    winoTask
}

// scratchCap is the default bound, in float32s (64 MiB), of a convolution's
// per-chunk scratch memory: its im2col patches or transformed input tiles,
// its left operand, GEMM output or transformed output-side tiles, all
// carved from one buffer (chunkScratch). Convolutions process their batch
// in chunks of as many samples as fit, so the workspace does not grow with
// the batch. On DeepHebb width 1 at batch 64 (2 threads) 64 MiB ran as fast
// as unbounded chunks; 32 or 48 MiB ran its third layer up to 7% slower.
const scratchCap = 1 << 24

// scratch is the per-chunk scratch bound in float32s: b.budget, else
// scratchCap.
func (b *Backend) scratch() int {
	if b.budget > 0 {
		return b.budget
	}
	return scratchCap
}

// samples is the number of samples per chunk of a batch of B when a chunk of
// n samples needs fixed + n·per float32s of per-chunk scratch: as few
// chunks as keep it within the bound, at most b.chunk samples each when set,
// of equal size but the last (so the GEMMs stay wide); at least one sample,
// however large.
func (b *Backend) samples(B, per, fixed int) int {
	n := max(1, min(B, (b.scratch()-fixed)/max(1, per)))
	if b.chunk > 0 {
		n = min(n, b.chunk)
	}
	chunks := (B + n - 1) / n
	return (B + chunks - 1) / chunks
}

// chunkScratch returns n float32s of per-chunk scratch, which the caller
// cuts into its buffers. The buffer reallocates to twice the request, or to
// the whole bound from half of it, so a network's later, slightly larger
// layers do not reallocate it: each reallocation leaves the old buffer as
// garbage, which stays resident until the next collection — with a
// network's tensors live, that may be many steps away.
func (b *Backend) chunkScratch(n int) []float32 {
	if cap(b.ws.chunk) < n {
		b.ws.chunk = make([]float32, max(n, min(b.scratch(), 2*n)))
	}
	return b.ws.chunk[:n]
}

// grow32 returns (*buf)[:n], reallocating only when the capacity is short.
func grow32(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	return (*buf)[:n]
}

// grow64 is grow32 for float64 buffers.
func grow64(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	return (*buf)[:n]
}

// growI32 is grow32 for int32 buffers.
func growI32(buf *[]int32, n int) []int32 {
	if cap(*buf) < n {
		*buf = make([]int32, n)
	}
	return (*buf)[:n]
}

// growBool is grow32 for bool buffers.
func growBool(buf *[]bool, n int) []bool {
	if cap(*buf) < n {
		*buf = make([]bool, n)
	}
	return (*buf)[:n]
}
