package network_test

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/network"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// Rules and sources as Go values instead of strings: GHL with a 10 %
// flipped per-neuron sign on every hidden group, except conv1, which is
// Hebbian only. The same network from strings would be Rules{Hidden:
// "ghl", Modulator: "flip:0.1+grad-sign@neuron", Groups: {"conv1": {Rule:
// "hebb"}}}, and it trains bit for bit the same.
func ExampleRules_values() {
	n := network.New(cpu.New(1), 4, 1)
	h := n.Input(1, 8, 8)
	h = n.Conv(h, network.ConvSpec{Name: "conv1", Out: 4, Kernel: 3, Pad: 1, TInv: 1})
	h = n.Act(h, "act1", backends.ActParams{Kind: backends.ReLU})
	h = n.Conv(h, network.ConvSpec{Name: "conv2", Out: 4, Kernel: 3, Pad: 1, TInv: 1})
	h = n.Act(h, "act2", backends.ActParams{Kind: backends.ReLU})
	h = n.Flatten(h, "flatten")
	n.Dense(h, network.DenseSpec{Name: "fc", Out: 3, Bias: true, Init: network.InitUniform, Role: network.Readout})
	err := n.Build(network.Rules{
		RuleValue: synapse.GHL(),
		Source:    neuromod.Flip(0.1, neuromod.GradSign(neuromod.PerNeuron)),
		Groups:    map[string]network.GroupRule{"conv1": {RuleValue: synapse.Hebb()}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range n.Groups {
		fmt.Println(g.Name, g.Rule.Name())
	}
	for _, s := range n.Channel.Subscriptions() {
		fmt.Println(s.Name, "reads", s.Source.Name())
	}
	xb, yb := batch(1, 4, 64, 3)
	st, err := n.TrainStep(xb, yb, network.Hyper{HiddenLR: 0.01, HiddenWD: 0.05, ReadoutLR: 0.01})
	fmt.Println(err == nil, st.Loss > 0)
	// Output:
	// conv1 hebb
	// conv2 ghl
	// fc bp
	// conv2 reads flip:0.1+grad-sign@neuron
	// true true
}
