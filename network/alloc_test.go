package network_test

import (
	"testing"

	"ghlsim/backends/cpu"
	"ghlsim/network"
)

// TestTrainStepAllocatesNothing: after warm-up a whole training step —
// forward, eligibility, loss, credit, broadcast, plasticity, numeric guard —
// makes no heap allocation, for every rule and for a composed modulator.
func TestTrainStepAllocatesNothing(t *testing.T) {
	for _, c := range []struct{ rule, mod string }{{"ghl", ""}, {"bp", ""}, {"sign", ""}, {"hebb", ""}, {"ghl", "delay:2+flip:0.1"}, {"ghl", "fa-sign"}, {"ghl", "dfa-sign"}} {
		n := tinyNetMod(t, cpu.New(2), c.rule, c.mod, 1)
		x, y := batch(3, 4, 72, 3)
		h := network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}
		h.HiddenOpt.Kind, h.HiddenOpt.Momentum = "sgd", 0.9
		h.ReadoutOpt = h.HiddenOpt
		for i := 0; i < 3; i++ {
			if _, err := n.TrainStep(x, y, h); err != nil {
				t.Fatal(err)
			}
		}
		allocs := testing.AllocsPerRun(5, func() {
			if _, err := n.TrainStep(x, y, h); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s %s: %.1f allocations per step", c.rule, c.mod, allocs)
		}
	}
}

// TestDeepHebbStepAllocatesNothing is TestTrainStepAllocatesNothing on
// DeepHebb at width 0.25, whose layers take the cpu backend's fast paths
// (Winograd convolutions, AVX2 pooling and softmax kernels).
func TestDeepHebbStepAllocatesNothing(t *testing.T) {
	const B = 4
	for _, rule := range []string{"ghl", "bp"} {
		n := network.New(cpu.New(2), B, 1)
		if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 0.25}); err != nil {
			t.Fatal(err)
		}
		if err := n.Build(network.Rules{Hidden: rule}); err != nil {
			t.Fatal(err)
		}
		x, y := batch(5, B, 3*32*32, 10)
		h := network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}
		h.HiddenOpt.Kind, h.HiddenOpt.Momentum = "sgd", 0.9
		h.ReadoutOpt = h.HiddenOpt
		for i := 0; i < 2; i++ {
			if _, err := n.TrainStep(x, y, h); err != nil {
				t.Fatal(err)
			}
		}
		if allocs := testing.AllocsPerRun(3, func() {
			if _, err := n.TrainStep(x, y, h); err != nil {
				t.Fatal(err)
			}
		}); allocs != 0 {
			t.Errorf("%s: %.1f allocations per step", rule, allocs)
		}
	}
}
