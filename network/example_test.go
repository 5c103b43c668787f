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
