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
