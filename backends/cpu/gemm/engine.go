package gemm

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Engine multiplies matrices on a fixed number of worker threads and owns the
// packing buffers, so steady-state calls do not allocate. An Engine is not
// safe for concurrent Sgemm calls; use one Engine per goroutine.
type Engine struct {
	s *state
}

// state is the Engine's body; helper goroutines reference it, not the Engine,
// so an unreachable Engine can stop them through a cleanup.
type state struct {
	threads int
	path    kernelPath // micro-kernel, tile and packers
	kern    microKernel
	simd    bool // pack with the assembly transposes
	tm, tn  int  // the kernel's tile: rows (multiple of mr) and columns
	team    team
	busy    atomic.Bool // a call is running (catches concurrent use)

	// The current call.
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	nt             int // threads used by this call

	sig     signal
	sched   schedule
	scratch []*scratch // per-thread buffers
}

// scratch is one thread's private packing buffer and edge tile.
type scratch struct {
	abuf []float32
	tile [tileMax]float32
	_    [64]byte // keep neighbouring threads' tiles on separate cache lines
}

// New returns an engine that uses the given number of threads (≥ 1).
func New(threads int) *Engine {
	s := &state{}
	s.sig.init()
	s.setPath(chosen)
	e := &Engine{s: s}
	e.SetThreads(threads)
	runtime.AddCleanup(e, func(s *state) { s.team.stop() }, s)
	return e
}

// Threads is the number of worker threads.
func (e *Engine) Threads() int { return e.s.threads }

// SetThreads changes the worker-thread count (values below 1 mean 1).
func (e *Engine) SetThreads(n int) {
	if n < 1 {
		n = 1
	}
	s := e.s
	if n != s.threads {
		s.team.stop()
		s.threads = n
	}
}

// setPath makes the engine run path p.
func (s *state) setPath(p kernelPath) {
	s.path, s.kern, s.simd, s.tm, s.tn = p, p.kern, p.simd, p.tm, p.tn
}

// ISA names the engine's GEMM path (KernelISA when it was created).
func (e *Engine) ISA() string { return e.s.path.isa }

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(A) is m×k (A is k×m when transA), op(B) is k×n (B is n×k when transB)
// and C is m×n with leading dimension ldc. beta = 0 ignores C's old contents
// (NaNs included); alpha = 0 or k = 0 only scales C, as in reference BLAS.
// It panics on negative sizes, short leading dimensions or slices too short
// for the described matrices, and if another Sgemm on e is running.
func (e *Engine) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scale(c, m, n, ldc, beta)
		return
	}
	s := e.s
	if !s.busy.CompareAndSwap(false, true) {
		panic("gemm: concurrent Sgemm calls on one Engine")
	}
	s.transA, s.transB = transA, transB
	s.m, s.n, s.k = m, n, k
	s.alpha, s.beta = alpha, beta
	s.a, s.b, s.c = a, b, c
	s.lda, s.ldb, s.ldc = lda, ldb, ldc
	s.nt = threadsFor(s.threads, m, n, k)
	s.reserve()
	if s.nt == 1 {
		s.work(0)
	} else {
		if s.team.size() != s.threads {
			s.team.stop()
			s.team.start(s.threads, s.work)
		}
		s.team.run(s.nt)
	}
	s.a, s.b, s.c = nil, nil, nil
	s.busy.Store(false)
	runtime.KeepAlive(e) // its cleanup stops the helpers
}

// threadsFor is how many threads a call uses: small products run on one
// thread, where waking helpers would cost more than it saves.
func threadsFor(threads, m, n, k int) int {
	const minWork = 1 << 18 // multiply-adds per thread
	w := float64(m) * float64(n) * float64(k) / minWork
	return max(1, min(threads, int(min(w, 1<<20))))
}

// grow returns buf resized to n, reallocating (32-byte aligned) only when its
// capacity is too small.
func grow(buf []float32, n int) []float32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	raw := make([]float32, n+8)
	off := int(-uintptr(unsafe.Pointer(&raw[0])) & 31 / 4)
	return raw[off : off+n]
}

// scale sets C = beta·C (beta = 0 writes zeros).
func scale(c []float32, m, n, ldc int, beta float32) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// checkArgs panics if the sizes or slices cannot describe the product.
func checkArgs(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	check := func(name string, rows, cols, l, ld int) {
		if ld < max(1, cols) {
			panic(fmt.Sprintf("gemm: ld%s=%d < %d columns", name, ld, cols))
		}
		if rows > 0 && cols > 0 && l < (rows-1)*ld+cols {
			panic(fmt.Sprintf("gemm: len(%s)=%d too short for %d×%d with ld %d", name, l, rows, cols, ld))
		}
	}
	if m > 0 && n > 0 && k > 0 {
		check("a", ar, ac, la, lda)
		check("b", br, bc, lb, ldb)
	}
	if m > 0 && n > 0 {
		check("c", m, n, lc, ldc)
	}
}
