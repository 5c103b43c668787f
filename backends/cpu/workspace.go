package cpu

// workspace holds a Backend's scratch memory and its preallocated kernel
// tasks. Buffers only grow, so once every layer shape has been seen no call
// allocates; tasks live here (not on the stack) because the worker pool
// receives them as interface values, which would otherwise escape to the
// heap on every call.
type workspace struct {
	// scratch buffers
	colBuf    []float32 // im2col patches / patch gradients of one chunk
	leftBuf   []float32 // left operand of patchProduct for one chunk
	acc       []float32 // fused GEMM result [2K, C·kh·kw]
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
	winoU     []float32 // transformed kernels [16][K][C]
	winoV     []float32 // transformed input tiles / input-tile gradients [16][C][T]
	winoM     []float32 // products or transformed output-side tiles [16][rows][T]
	winoAcc   []float32 // accumulated weight-side products [16][m][C]
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
