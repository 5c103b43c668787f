package cpu

import (
	"math"
	"testing"
)

// TestThreadInvariance runs the training step of step_test.go twice with 1,
// 2, 3 and 5 threads and requires bit-identical outputs every time: every
// kernel partitions its work independently of the thread count (and the
// GEMM splits only output tiles), so results depend on the seed alone. It
// does so for the im2col convolution and for Winograd.
func TestThreadInvariance(t *testing.T) {
	for _, conv := range []ConvAlgorithm{ConvAuto, ConvWinograd} {
		t.Run(conv.String(), func(t *testing.T) { threadInvariance(t, conv, 0) })
	}
}

// threadInvariance runs a small training step twice for 1, 2, 3 and 5
// threads with the given convolution algorithm and per-chunk scratch bound
// (float32s; 0 = the default) and requires bit-identical outputs.
func threadInvariance(t *testing.T, conv ConvAlgorithm, budget int) {
	var want [][]float32
	for _, threads := range []int{1, 2, 3, 5} {
		b := New(threads)
		b.budget = budget
		b.SetConvAlgorithm(conv)
		k := 5
		if conv == ConvWinograd {
			k = 3
		}
		s := newStep(b, k)
		s.run()
		s.run()
		for i, o := range s.outputs() {
			if want == nil || i >= len(want) {
				want = append(want, append([]float32(nil), o.data...))
				continue
			}
			for j, v := range o.data {
				if math.Float32bits(v) != math.Float32bits(want[i][j]) {
					t.Fatalf("threads=%d: output %d (%v) differs from threads=1 at [%d]: %g vs %g",
						threads, i, o.shape, j, v, want[i][j])
				}
			}
		}
		b.Close()
	}
}
