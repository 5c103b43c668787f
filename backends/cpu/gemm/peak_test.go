package gemm

import (
	"testing"
	"time"
)

func TestPeakGFLOPS(t *testing.T) {
	p1 := PeakGFLOPS(1, 50*time.Millisecond)
	if !(p1 > 0.1) {
		t.Fatalf("PeakGFLOPS(1) = %v", p1)
	}
	pg := float64(fmaLoopGeneric(1)) // FLOPs per iteration of the portable loop
	if pg != 16 {
		t.Fatalf("portable peak loop reports %v FLOPs per iteration", pg)
	}
	t.Logf("PeakGFLOPS(1) = %.1f", p1)
}

// BenchmarkPeak reports the FMA peak on one thread and on GOMAXPROCS.
func BenchmarkPeak(b *testing.B) {
	for _, th := range threadCounts() {
		b.Run("t"+string(rune('0'+th)), func(b *testing.B) {
			var g float64
			for b.Loop() {
				g = PeakGFLOPS(th, 200*time.Millisecond)
			}
			b.ReportMetric(g, "GFLOP/s")
		})
	}
}
