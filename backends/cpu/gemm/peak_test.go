package gemm

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// TestPeakGFLOPS checks that the probe runs for about d and reports a
// positive rate, and that the portable loop does its work.
func TestPeakGFLOPS(t *testing.T) {
	const d = 50 * time.Millisecond
	t0 := time.Now()
	p1 := PeakGFLOPS(1, d)
	if el := time.Since(t0); el < d || el > d+time.Second {
		t.Fatalf("PeakGFLOPS(1, %v) took %v", d, el)
	}
	if !(p1 > 0.1) {
		t.Fatalf("PeakGFLOPS(1) = %v", p1)
	}
	if p2 := PeakGFLOPS(2, d); !(p2 > 0.1) {
		t.Fatalf("PeakGFLOPS(2) = %v", p2)
	}
	var sink float32
	if pg := fmaLoopGeneric(1000, &sink); pg != 16 || !(sink > 0) {
		t.Fatalf("portable peak loop: %v FLOPs per iteration, result %v", pg, sink)
	}
	t.Logf("PeakGFLOPS(1) = %.1f", p1)
}

// BenchmarkPeak reports the FMA peak on one thread and on GOMAXPROCS.
func BenchmarkPeak(b *testing.B) {
	for _, th := range threadCounts() {
		b.Run(fmt.Sprintf("t%d", th), func(b *testing.B) {
			var g float64
			for b.Loop() {
				g = PeakGFLOPS(th, 200*time.Millisecond)
			}
			b.ReportMetric(g, "GFLOP/s")
		})
	}
}

// The probe is as wide as the GEMM path in use (the widest the machine has
// unless GHLSIM_CPU_ISA restricts it): on an AVX-512 machine the 16-wide
// loop does twice the FLOPs per iteration of the 8-wide one, so the probed
// peak is not an AVX2 figure there (where PyTorch's oneDNN ran above the
// old probe's "peak").
func TestPeakMatchesPathWidth(t *testing.T) {
	isa, kern := PeakISA(), KernelISA()
	t.Logf("probe ISA %s, GEMM kernel ISA %s", isa, kern)
	var sink float32
	want := map[string]float64{"avx512": 384, "avx2": 192, "generic": 16}[isa]
	if got := fmaLoop(100, &sink); got != want {
		t.Fatalf("probe ISA %s does %v FLOPs per iteration, want %v", isa, got, want)
	}
	// Unless GHLSIM_CPU_ISA forces a path, the kernel is as wide as the
	// probe: the AVX-512 kernel runs where the AVX-512 probe does.
	if os.Getenv(ISAEnv) == "" && kern != isa {
		t.Fatalf("probe %s but kernel %s", isa, kern)
	}
}
