package gemm

import "sync"

// Engine multiplies matrices on a fixed number of worker threads and owns the
// packing buffers, so steady-state calls do not allocate.
type Engine struct {
	threads int
}

// New returns an engine that uses the given number of threads (≥ 1).
func New(threads int) *Engine {
	e := &Engine{}
	e.SetThreads(threads)
	return e
}

// Threads is the number of worker threads.
func (e *Engine) Threads() int { return e.threads }

// SetThreads changes the worker-thread count (values below 1 mean 1).
func (e *Engine) SetThreads(n int) {
	if n < 1 {
		n = 1
	}
	e.threads = n
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(A) is m×k (A is k×m when transA), op(B) is k×n (B is n×k when transB)
// and C is m×n with leading dimension ldc. beta = 0 ignores C's old contents
// (NaNs included).
func (e *Engine) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	rows := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ci := c[i*ldc : i*ldc+n]
			if beta == 0 {
				for j := range ci {
					ci[j] = 0
				}
			} else if beta != 1 {
				for j := range ci {
					ci[j] *= beta
				}
			}
			for p := 0; p < k; p++ {
				var av float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				av *= alpha
				if av == 0 {
					continue
				}
				if transB {
					for j := range ci {
						ci[j] += av * b[j*ldb+p]
					}
				} else {
					bp := b[p*ldb : p*ldb+n]
					for j, bv := range bp {
						ci[j] += av * bv
					}
				}
			}
		}
	}
	t := e.threads
	if t > m {
		t = m
	}
	if t <= 1 {
		rows(0, m)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < t; w++ {
		lo, hi := m*w/t, m*(w+1)/t
		wg.Add(1)
		go func() { defer wg.Done(); rows(lo, hi) }()
	}
	wg.Wait()
}

// Features names the instruction-set path in use, e.g. " AVX2+FMA", or ""
// for the portable Go kernel.
func Features() string { return "" }
