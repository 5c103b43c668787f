//go:build openblas && cgo

package gemm

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"

	"ghlsim/backends/cpu/gemm/internal/openblas"
)

// BenchmarkOpenBLAS times OpenBLAS on the DeepHebb shapes, each right after
// ours on the same operands, with the same thread count (GOMAXPROCS). Run
// with OPENBLAS_NUM_THREADS equal to GOMAXPROCS.
func BenchmarkOpenBLAS(b *testing.B) {
	th := runtime.GOMAXPROCS(0)
	for _, s := range deepHebbShapes {
		e := New(th)
		b.Run(fmt.Sprintf("%s/ours/t%d", s.name, th), func(b *testing.B) { benchEngine(b, e, s) })
		b.Run(fmt.Sprintf("%s/openblas/t%d", s.name, th), func(b *testing.B) {
			a, bb, c, lda, ldb := s.operands()
			openblas.Sgemm(th, s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
			b.ResetTimer()
			for b.Loop() {
				openblas.Sgemm(th, s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
			}
			b.ReportMetric(s.flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// TestOpenBLASRatio checks that ours and OpenBLAS agree on every DeepHebb
// shape and logs GFLOP/s of both and the ratio ours/OpenBLAS, from the best
// of several runs alternated between the two (the machine is shared and
// noisy). Run with -v to see the table.
func TestOpenBLASRatio(t *testing.T) {
	if testing.Short() {
		t.Skip("slow comparison")
	}
	th := runtime.GOMAXPROCS(0)
	t.Logf("OpenBLAS %s, %d threads, ours%s", openblas.Config(), th, Features())
	e := New(th)
	var logRatio float64
	for _, s := range deepHebbShapes {
		a, b, c, lda, ldb := s.operands()
		ref := make([]float32, len(c))
		openblas.Sgemm(th, s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, ref, s.n)
		e.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n)
		for i := range c {
			if d := math.Abs(float64(c[i] - ref[i])); d > 1e-4*float64(s.k) {
				t.Fatalf("%s: C[%d] = %g, OpenBLAS %g", s.name, i, c[i], ref[i])
			}
		}
		var ours, theirs []float64
		for r := 0; r < reps(s); r++ {
			t0 := time.Now()
			e.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n)
			t1 := time.Now()
			openblas.Sgemm(th, s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, ref, s.n)
			t2 := time.Now()
			ours = append(ours, s.flops()/t1.Sub(t0).Seconds()/1e9)
			theirs = append(theirs, s.flops()/t2.Sub(t1).Seconds()/1e9)
		}
		o, r := slices.Max(ours), slices.Max(theirs)
		logRatio += math.Log(o / r)
		t.Logf("%-36s ours %6.1f GFLOP/s  OpenBLAS %6.1f GFLOP/s  ratio %.2f", s.name, o, r, o/r)
	}
	t.Logf("geometric-mean ratio ours/OpenBLAS: %.2f", math.Exp(logRatio/float64(len(deepHebbShapes))))
}

// reps is how many alternated runs a shape gets: about 1.5 s of ours.
func reps(s benchShape) int { return max(3, min(40, int(150e9/s.flops()))) }
