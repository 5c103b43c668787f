package network_test

import (
	"fmt"
	"runtime"
	"testing"

	"ghlsim/backends/cpu"
	"ghlsim/internal/rng"
	"ghlsim/network"
)

// BenchmarkDeepHebbStep times one whole DeepHebb training step (forward,
// eligibility, loss, credit, plasticity) at batch 64 on the cpu backend, the
// configuration `ghl bench` compares with PyTorch. Reports images/s and
// GFLOP/s counted by network.StepFLOPs; GHLSIM_CPU_CONV selects the
// convolution algorithm as for the registered backend. Profile with
// `go test -run X -bench DeepHebbStep -cpuprofile cpu.out ./network/`.
func BenchmarkDeepHebbStep(b *testing.B) {
	for _, width := range []float64{1, 0.25} {
		for _, rule := range []string{"ghl", "bp"} {
			b.Run(fmt.Sprintf("w%g/%s", width, rule), func(b *testing.B) {
				const batchSize = 64
				be, err := cpu.Open(runtime.NumCPU()) // GHLSIM_CPU_CONV applies
				if err != nil {
					b.Fatal(err)
				}
				n := network.New(be, batchSize, 1)
				if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: width}); err != nil {
					b.Fatal(err)
				}
				if err := n.Build(network.Rules{Hidden: rule}); err != nil {
					b.Fatal(err)
				}
				r := rng.Stream(1, "bench")
				x := make([]float32, batchSize*3*32*32)
				rng.Normal(r, x, 1)
				y := make([]int32, batchSize)
				for i := range y {
					y[i] = int32(r.IntN(10))
				}
				h := network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3}
				h.HiddenOpt.Kind, h.ReadoutOpt.Kind = "sgd", "sgd"
				if rule == "bp" {
					h.HiddenOpt.Momentum, h.ReadoutOpt.Momentum = 0.9, 0.9
				}
				for i := 0; i < 2; i++ {
					if _, err := n.TrainStep(x, y, h); err != nil {
						b.Fatal(err)
					}
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := n.TrainStep(x, y, h); err != nil {
						b.Fatal(err)
					}
				}
				s := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(batchSize/s, "img/s")
				b.ReportMetric(n.StepFLOPs()/s/1e9, "GFLOP/s")
			})
		}
	}
}
