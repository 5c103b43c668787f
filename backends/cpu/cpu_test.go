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
