package cpu

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"ghlsim/backends"
	"ghlsim/backends/cpu/gemm"
)

func init() {
	backends.Register("cpu", func(device string) (backends.Backend, error) {
		if device != "" {
			return nil, fmt.Errorf("the cpu backend takes no device (got %q): use --backend cpu", device)
		}
		return Open(runtime.GOMAXPROCS(0))
	})
}

// Backend is the pure-Go reference backend. A Backend runs one kernel at a
// time: like a device stream, it must not be used from several goroutines at
// once.
type Backend struct {
	threads int
	gemm    *gemm.Engine
	mm      matmul    // matrix products; b.gemm except in allocation tests
	workers *workers  // persistent worker goroutines for non-GEMM kernels
	ws      workspace // grow-only scratch buffers and preallocated tasks
	chunk   int       // most samples per chunk (0: as many as fit the budget); tests lower it
	budget  int       // float32s of per-chunk scratch (0: scratchCap); tests lower it
	conv    ConvAlgorithm
	cleanup runtime.Cleanup
}

// matmul is the GEMM entry point the kernels use (gemm.Engine's signature).
type matmul interface {
	Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
}

// New returns a cpu backend that runs kernels on the given number of
// threads, with the convolution algorithm GHLSIM_CPU_CONV names (ConvAuto
// when unset). It panics on an unknown GHLSIM_CPU_CONV or unusable
// GHLSIM_CPU_ISA value; Open returns those as errors instead.
func New(threads int) *Backend {
	b, err := Open(threads)
	if err != nil {
		panic("cpu: " + err.Error())
	}
	return b
}

// Open is New returning an unknown GHLSIM_CPU_CONV value, or a
// GHLSIM_CPU_ISA this CPU cannot run, as an error (the registered "cpu"
// backend opens through it, so ghl refuses both before anything runs).
func Open(threads int) (*Backend, error) {
	conv, err := convFromEnv()
	if err != nil {
		return nil, err
	}
	if err := gemm.ISAError(); err != nil {
		msg, _, _ := strings.Cut(err.Error(), "; using ")
		return nil, fmt.Errorf("%s: unset it or choose a path this CPU has", msg)
	}
	b := &Backend{gemm: gemm.New(threads), conv: conv}
	b.mm = b.gemm
	b.SetThreads(threads)
	return b, nil
}

// PeakGFLOPS implements backends.PeakProber: the host's FMA throughput on
// threads goroutines over about d (gemm.PeakGFLOPS).
func (b *Backend) PeakGFLOPS(threads int, d time.Duration) float64 {
	return gemm.PeakGFLOPS(threads, d)
}

// PeakISA implements backends.PeakProber (gemm.PeakISA).
func (b *Backend) PeakISA() string { return gemm.PeakISA() }

// KernelISA implements backends.PeakProber (gemm.KernelISA).
func (b *Backend) KernelISA() string { return gemm.KernelISA() }

// Name is "cpu".
func (b *Backend) Name() string { return "cpu" }

// Device describes the host processor and thread count, the GEMM path's
// extensions (gemm.Features) and, when GHLSIM_CPU_ISA could not be honoured,
// why (gemm.ISAError; the fastest supported path runs instead).
func (b *Backend) Device() string {
	d := fmt.Sprintf("cpu: %d threads, %s/%s%s, conv %s", b.threads, runtime.GOOS, runtime.GOARCH, gemm.Features(), b.conv)
	if err := gemm.ISAError(); err != nil {
		d += " (" + err.Error() + ")"
	}
	return d
}

// Threads is the worker-thread count.
func (b *Backend) Threads() int { return b.threads }

// SetThreads changes the worker-thread count (values below 1 mean 1).
func (b *Backend) SetThreads(n int) {
	if n < 1 {
		n = 1
	}
	b.threads = n
	b.gemm.SetThreads(n)
	b.setWorkers(n)
}

// Sync is a no-op: cpu kernels are synchronous.
func (b *Backend) Sync() {}

// Close stops the worker goroutines; the backend is unusable afterwards.
func (b *Backend) Close() error {
	b.setWorkers(0)
	return nil
}

// Alloc returns a zero-filled tensor.
func (b *Backend) Alloc(s backends.Shape) backends.Tensor {
	if !s.Valid() {
		panic(fmt.Sprintf("cpu: Alloc of invalid shape %v", s))
	}
	return &Tensor{shape: s.Clone(), data: make([]float32, s.Len()), owner: b}
}

// AllocIndices returns argmax storage for a pooled output of shape s.
func (b *Backend) AllocIndices(s backends.Shape) backends.Indices {
	return &Indices{shape: s.Clone(), idx: make([]int32, s.Len())}
}

// Reshape returns a view of t with shape s (same element count).
func (b *Backend) Reshape(t backends.Tensor, s backends.Shape) backends.Tensor {
	ct := tensorOf(t)
	if s.Len() != len(ct.data) {
		panic(fmt.Sprintf("cpu: cannot reshape %v to %v", ct.shape, s))
	}
	return &Tensor{shape: s.Clone(), data: ct.data, owner: b}
}

// Upload copies host data into dst.
func (b *Backend) Upload(dst backends.Tensor, src []float32) {
	d := tensorOf(dst)
	if len(src) != len(d.data) {
		panic(fmt.Sprintf("cpu: Upload of %d values into %v", len(src), d.shape))
	}
	copy(d.data, src)
}

// Download copies src into host memory.
func (b *Backend) Download(dst []float32, src backends.Tensor) {
	s := tensorOf(src)
	if len(dst) != len(s.data) {
		panic(fmt.Sprintf("cpu: Download of %v into %d values", s.shape, len(dst)))
	}
	copy(dst, s.data)
}

var _ backends.Backend = (*Backend)(nil)
