package network_test

import (
	"fmt"

	"ghlsim/network"
	"ghlsim/synapse"
)

// A neuroscientist's first simulation: 200 Poisson inputs drive 10 LIF
// neurons through plastic synapses with 1–5 ms delays; record spikes and a
// few weights for one simulated second.
func ExampleSim() {
	sim, _ := network.NewSim(network.SimConfig{DT: 0.1, MaxDelayMS: 5, Seed: 1})
	inputs, _ := sim.AddPoisson("inputs", 200, 15) // 15 Hz each
	cells, _ := sim.AddLIF("cells", 10, network.DefaultLIF())
	stdp := synapse.STDPParams{TauPlusMS: 20, TauMinusMS: 20, APlus: 5, AMinus: -5.25, WMin: 0, WMax: 150}
	syn, err := sim.Connect(inputs, cells, network.ConnectSpec{Name: "in", Rule: "fixed-probability", P: 0.5,
		Weight: 100, DelayMS: 1, DelayMaxMS: 5, Plasticity: &stdp}) // weights in pA
	if err != nil {
		panic(err)
	}
	spikes, _ := sim.MonitorSpikes(cells)
	weights, _ := sim.MonitorState(syn, "w", []int{0, 1, 2}, 100) // every 100 ms
	if err := sim.RunFor(1000); err != nil {
		panic(err)
	}
	fmt.Printf("%d synapses, %d output spikes, %d weight samples\n", syn.Len(), len(spikes.Step), weights.Rows())
	// Output: 971 synapses, 96 output spikes, 10 weight samples
}
