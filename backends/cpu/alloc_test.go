package cpu

import (
	"fmt"
	"testing"

	"ghlsim/backends/cpu/gemm"
)

// naiveGemm is a serial, allocation-free stand-in for gemm.Engine, so that
// the allocation test measures this package's kernels alone.
type naiveGemm struct{}

func (naiveGemm) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				ai, bi := i*lda+p, p*ldb+j
				if transA {
					ai = p*lda + i
				}
				if transB {
					bi = j*ldb + p
				}
				s += a[ai] * b[bi]
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

// TestZeroAllocs runs a training step (conv forward and backward, fused and
// separate Oja-SWTA, pooling, batch norm, activations, loss and updates)
// and requires zero heap allocations per step after a warm-up step, with 1
// and 3 threads: with a stand-in GEMM (this package's kernels alone) and
// with the real gemm.Engine. The latter is skipped, with a note, while the
// engine by itself allocates (its naive placeholder does).
func TestZeroAllocs(t *testing.T) {
	engineAllocs := func(threads int) float64 {
		e := gemm.New(threads)
		a, c := make([]float32, 48*48), make([]float32, 48*48)
		mul := func() { e.Sgemm(false, true, 48, 48, 48, 1, a, 48, a, 48, 0, c, 48) }
		mul()
		return testing.AllocsPerRun(5, mul)
	}
	for _, threads := range []int{1, 3} {
		for _, real := range []bool{false, true} {
			for _, conv := range []ConvAlgorithm{ConvAuto, ConvWinograd} {
				t.Run(fmt.Sprintf("threads=%d/gemm.Engine=%v/conv=%s", threads, real, conv), func(t *testing.T) {
					if real {
						if n := engineAllocs(threads); n != 0 {
							t.Skipf("gemm.Engine itself allocates %.0f times per Sgemm", n)
						}
					}
					b := New(threads)
					defer b.Close()
					b.SetConvAlgorithm(conv)
					if !real {
						b.mm = naiveGemm{}
					}
					k := 5
					if conv == ConvWinograd {
						k = 3 // a geometry Winograd applies to
					}
					s := newStep(b, k)
					s.run() // warm-up: scratch buffers grow
					if n := testing.AllocsPerRun(3, s.run); n != 0 {
						t.Errorf("%.1f allocations per step, want 0", n)
					}
				})
			}
		}
	}
}
