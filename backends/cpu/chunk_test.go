package cpu

import (
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/backendtest"
)

// TestConformanceChunked runs the conformance suite with at most two
// samples per im2col chunk, so every convolution, Oja-SWTA and fused case
// with a batch above 2 spans several chunks (accumulated weight-side GEMMs,
// per-chunk output scatter, a final one-sample chunk).
func TestConformanceChunked(t *testing.T) {
	backendtest.Conformance(t, func() backends.Backend {
		b := New(2)
		b.chunk = 2
		return b
	})
}

// TestConformanceChunkedWinograd is TestConformanceChunked with every
// eligible convolution forced through Winograd (chunked tile transforms,
// weight-side products accumulated over chunks).
func TestConformanceChunkedWinograd(t *testing.T) {
	backendtest.Conformance(t, func() backends.Backend {
		b := New(2)
		b.chunk = 2
		b.SetConvAlgorithm(ConvWinograd)
		return b
	})
}
