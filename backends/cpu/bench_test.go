package cpu_test

import (
	"runtime"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/backendtest"
	"ghlsim/backends/cpu"
)

// BenchmarkOps runs the shared layer benchmarks on all cores
// (go test -bench . -run ^$ ./backends/cpu).
func BenchmarkOps(b *testing.B) {
	backendtest.Benchmarks(b, func() backends.Backend { return cpu.New(runtime.GOMAXPROCS(0)) })
}
