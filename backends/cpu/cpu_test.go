package cpu_test

import (
	"fmt"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/backendtest"
	"ghlsim/backends/cpu"
)

// TestConformance runs the backend conformance suite with 1, 2 and 3 worker
// threads (3 splits work unevenly over 2 cores).
func TestConformance(t *testing.T) {
	for _, n := range []int{2, 1, 3} {
		t.Run(fmt.Sprintf("threads=%d", n), func(t *testing.T) {
			backendtest.Conformance(t, func() backends.Backend { return cpu.New(n) })
		})
	}
}

// TestConformanceConvAlgorithms runs the suite with every 3×3, stride-1,
// padded convolution forced through Winograd F(2×2, 3×3) (the conformance
// shapes are below ConvAuto's channel threshold) and with im2col everywhere.
func TestConformanceConvAlgorithms(t *testing.T) {
	for _, a := range []cpu.ConvAlgorithm{cpu.ConvWinograd, cpu.ConvIm2col} {
		for _, n := range []int{2, 1} {
			t.Run(fmt.Sprintf("%s/threads=%d", a, n), func(t *testing.T) {
				backendtest.Conformance(t, func() backends.Backend {
					b := cpu.New(n)
					b.SetConvAlgorithm(a)
					return b
				})
			})
		}
	}
}
