package network_test

import (
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/network"
)

// TestPoolDefaultStride: a PoolParams without a Stride means Stride =
// Kernel, and the op must run with that stride (it used to keep the zero
// and panic "stride 0" at the first training step).
func TestPoolDefaultStride(t *testing.T) {
	for _, kind := range []string{"max", "avg"} {
		t.Run(kind, func(t *testing.T) {
			n := network.New(cpu.New(1), 2, 1)
			x := n.Input(1, 8, 8)
			h := n.Conv(x, network.ConvSpec{Name: "conv1", Out: 2, Kernel: 3, Pad: 1})
			if kind == "max" {
				h = n.MaxPool(h, "pool", backends.PoolParams{Kernel: 2})
			} else {
				h = n.AvgPool(h, "pool", backends.PoolParams{Kernel: 2})
			}
			if got := h.Shape; got[2] != 4 || got[3] != 4 {
				t.Fatalf("pool output %v, want 4×4 planes", got)
			}
			h = n.Flatten(h, "flat")
			n.Dense(h, network.DenseSpec{Name: "fc", Out: 3, Role: network.Readout})
			if err := n.Build(network.Rules{Hidden: "ghl"}); err != nil {
				t.Fatal(err)
			}
			xs, ys := batch(1, 2, 64, 3)
			if _, err := n.TrainStep(xs, ys, network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
