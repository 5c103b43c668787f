// Package network assembles populations and synapse groups into a network
// and runs one training step as a fixed schedule of batched events
// (DESIGN.md): present → forward → eligibility → loss → credit → broadcast →
// plasticity → monitor. The schedule is built once by Build and replayed; no
// event allocates, and parallelism lives inside the backend's kernels.
//
// Architectures (DeepHebb, …) are builder functions over the same API, so a
// new network is a few lines of layer calls:
//
//	n := network.New(b, batch, seed)
//	x := n.Input(3, 32, 32)
//	h := n.Conv(x, network.ConvSpec{Name: "conv1", Out: 96, Kernel: 5, Pad: 2, TInv: 1})
//	h = n.Act(h, backends.ActParams{Kind: backends.ReLU})
//	…
//	err := n.Build(network.Rules{Hidden: "ghl", Readout: "bp", Modulator: "grad-sign"})
package network
