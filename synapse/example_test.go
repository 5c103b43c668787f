package synapse_test

import (
	"fmt"

	"ghlsim/backends/cpu"
	"ghlsim/synapse"
)

// A GHL update by hand: one 1×1 dense group with two synapses whose
// eligibility differs, both receiving a depressing modulator (+1).
func Example() {
	b := cpu.New(1)
	g, _ := synapse.NewGroup(b, synapse.Spec{Name: "fc", Kind: synapse.Dense, In: 2, Out: 1, TInv: 1})
	g.Rule, _ = synapse.NewRule("ghl")
	g.EnsurePlasticState(b)
	b.Upload(g.Weight.Value, []float32{0.5, 0.5})
	b.Upload(g.H, []float32{2, -1}) // |Ĥ| = 1 and 0.5 after the layer-max normalisation
	g.HMax = 2
	g.UpdateTrace(b)
	b.Fill(g.Modulator, 1) // sign(∂L/∂W) = +1: move both weights down
	g.ReceiveModulator(0)
	g.Rule.Apply(b, g, synapse.Hyper{LR: 0.1, WeightDecay: 0, Step: 0})
	fmt.Println(cpu.Data(g.Weight.Value))
	fmt.Printf("%+v\n", g.Synapse(b, 0, 1))
	// Output:
	// [0.4 0.45]
	// {Weight:0.45 Eligibility:-0.5 Modulator:1 DeltaW:0}
}
