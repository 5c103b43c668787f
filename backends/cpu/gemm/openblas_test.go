//go:build openblas && cgo

package gemm

import (
	"fmt"
	"math"
	"os"
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
// shape and logs GFLOP/s of both (best and median of alternated runs) and
// the ratio ours/OpenBLAS. The runs alternate which library goes first,
// since the second one finds the first one's operands in the shared cache;
// the machine is shared and noisy, so compare ratios from one run only. Run
// with -v to see the table, and with OPENBLAS_THREAD_TIMEOUT=4: OpenBLAS's
// worker threads otherwise keep spinning for milliseconds after each call
// and take a core from whatever runs next, which halves our measured rate
// on the short conv1 products (medians 0.5–0.6× instead of 1.15–1.3×).
func TestOpenBLASRatio(t *testing.T) {
	if testing.Short() {
		t.Skip("slow comparison")
	}
	if os.Getenv("OPENBLAS_THREAD_TIMEOUT") == "" {
		t.Log("OPENBLAS_THREAD_TIMEOUT is unset: OpenBLAS threads spin after each call and slow the run that follows")
	}
	th := runtime.GOMAXPROCS(0)
	t.Logf("OpenBLAS %s, %d threads, ours%s", openblas.Config(), th, Features())
	t.Logf("PeakGFLOPS: 1 thread %.1f, %d threads %.1f", PeakGFLOPS(1, 200*time.Millisecond), th, PeakGFLOPS(th, 200*time.Millisecond))
	e := New(th)
	var logBest, logMed float64
	for _, s := range deepHebbShapes {
		a, b, c, lda, ldb := s.operands()
		ref := make([]float32, len(c))
		ours := func() { e.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n) }
		theirs := func() { openblas.Sgemm(th, s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, ref, s.n) }
		ours()
		theirs()
		for i := range c {
			if d := math.Abs(float64(c[i] - ref[i])); d > 1e-4*float64(s.k) {
				t.Fatalf("%s: C[%d] = %g, OpenBLAS %g", s.name, i, c[i], ref[i])
			}
		}
		var gOurs, gTheirs []float64
		timed := func(f func()) float64 {
			t0 := time.Now()
			f()
			return s.flops() / time.Since(t0).Seconds() / 1e9
		}
		for r := 0; r < reps(s); r++ {
			if r%2 == 0 {
				gOurs = append(gOurs, timed(ours))
				gTheirs = append(gTheirs, timed(theirs))
			} else {
				gTheirs = append(gTheirs, timed(theirs))
				gOurs = append(gOurs, timed(ours))
			}
		}
		slices.Sort(gOurs)
		slices.Sort(gTheirs)
		ob, tb, om, tm := gOurs[len(gOurs)-1], gTheirs[len(gTheirs)-1], gOurs[len(gOurs)/2], gTheirs[len(gTheirs)/2]
		logBest += math.Log(ob / tb)
		logMed += math.Log(om / tm)
		t.Logf("%-34s best: ours %6.1f OpenBLAS %6.1f ratio %.2f | median: ours %6.1f OpenBLAS %6.1f ratio %.2f",
			s.name, ob, tb, ob/tb, om, tm, om/tm)
	}
	n := float64(len(deepHebbShapes))
	t.Logf("geometric-mean ratio ours/OpenBLAS: best %.2f, median %.2f", math.Exp(logBest/n), math.Exp(logMed/n))
	t.Logf("PeakGFLOPS after: %d threads %.1f", th, PeakGFLOPS(th, 200*time.Millisecond))
}

// reps is how many alternated runs a shape gets: about 1.5 s of ours at
// 100 GFLOP/s, at least 4 and at most 100.
func reps(s benchShape) int { return max(4, min(100, int(150e9/s.flops()))) }
