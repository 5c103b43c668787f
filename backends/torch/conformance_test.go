package torch

import (
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/backendtest"
)

// TestConformanceCPU runs the shared backend conformance suite on torch:cpu.
func TestConformanceCPU(t *testing.T) {
	openOrSkip(t, "torch:cpu") // skip (or fail under GHLSIM_REQUIRE_TORCH=1) without the shim
	backendtest.Conformance(t, func() backends.Backend { return mustOpen(t, "torch:cpu") })
}

// TestConformanceCUDA runs the suite on torch:cuda:0 when a GPU is present.
func TestConformanceCUDA(t *testing.T) {
	openOrSkip(t, cudaName)
	backendtest.Conformance(t, func() backends.Backend { return mustOpen(t, cudaName) })
}

func mustOpen(t *testing.T, name string) backends.Backend {
	bk, err := New(name[len("torch:"):])
	if err != nil {
		t.Fatal(err)
	}
	return bk
}

// BenchmarkOps runs the shared per-op benchmarks on torch:cpu and, when a
// GPU is present, torch:cuda:0 (e.g. -bench 'Ops/cpu/ConvForward/Large').
func BenchmarkOps(b *testing.B) {
	for _, dev := range []string{"torch:cpu", cudaName} {
		b.Run(dev[len("torch:"):], func(b *testing.B) {
			openOrSkip(b, dev)
			backendtest.Benchmarks(b, func() backends.Backend {
				bk, err := New(dev[len("torch:"):])
				if err != nil {
					b.Fatal(err)
				}
				return bk
			})
		})
	}
}
