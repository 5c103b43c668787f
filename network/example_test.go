package network_test

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/network"
)

// Building a small network, training it for one GHL step and reading what
// the modulator did to its hidden synapses.
func Example() {
	n := network.New(cpu.New(1), 4, 1)
	x := n.Input(1, 8, 8)
	h := n.BatchNorm(x, "bn1", false)
	h = n.Conv(h, network.ConvSpec{Name: "conv1", Out: 4, Kernel: 3, Pad: 1, TInv: 1})
	h = n.Act(h, "act1", backends.ActParams{Kind: backends.ReLU})
	h = n.MaxPool(h, "pool1", backends.PoolParams{Kernel: 2, Stride: 2})
	h = n.Flatten(h, "flatten")
	n.Dense(h, network.DenseSpec{Name: "fc", Out: 3, Bias: true, Init: network.InitUniform, Role: network.Readout})
	if err := n.Build(network.Rules{Hidden: "ghl", Modulator: "grad-sign"}); err != nil {
		fmt.Println(err)
		return
	}
	xb, yb := batch(1, 4, 64, 3)
	tel := &network.Telemetry{Stride: 1}
	if _, err := n.TrainStep(xb, yb, network.Hyper{HiddenLR: 0.01, HiddenWD: 0.05, ReadoutLR: 0.01}, tel); err != nil {
		fmt.Println(err)
		return
	}
	r := tel.Records[0]
	fmt.Println(n.Step(), len(n.Groups), r.Layer, r.SignAgreement)
	fmt.Println(r.Potentiated+r.Depressed+r.Unchanged == 1)
	// Output:
	// 1 2 conv1 1
	// true
}

// A new network is a few lines of layer calls: this is the DeepHebb-style
// first block (BN, a 5×5 conv of 96 soft-WTA units, ReLU, 2×2 max pooling)
// with a dense readout, built for GHL hidden layers and a BP readout. The
// package documentation points here instead of carrying a prose copy.
func ExampleNetwork_Build() {
	b := cpu.New(1)
	n := network.New(b, 8, 1) // batch 8, seed 1
	x := n.Input(3, 32, 32)
	h := n.BatchNorm(x, "bn1", false)
	h = n.Conv(h, network.ConvSpec{Name: "conv1", Out: 96, Kernel: 5, Pad: 2, TInv: 1})
	h = n.Act(h, "act1", backends.ActParams{Kind: backends.ReLU})
	h = n.MaxPool(h, "pool1", backends.PoolParams{Kernel: 2}) // stride defaults to the kernel
	h = n.Flatten(h, "flatten")
	h = n.Dropout(h, "dropout", 0.5)
	n.Dense(h, network.DenseSpec{Name: "fc", Out: 10, Bias: true, Init: network.InitUniform, Role: network.Readout})
	if err := n.Build(network.Rules{Hidden: "ghl", Modulator: "grad-sign"}); err != nil {
		fmt.Println(err)
		return
	}
	for i, g := range n.Groups {
		fmt.Println(g.Name, g.Weight.Value.Shape(), "rule", g.Rule.Name(), "readout", n.Roles[i] == network.Readout)
	}
	fmt.Println("logits", n.Logits.Shape)
	// Output:
	// conv1 [96×3×5×5] rule ghl readout false
	// fc [10×24576] rule bp readout true
	// logits [8×10]
}
