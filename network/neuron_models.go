package network

// NeuronModel names a population model of the simulated-time engine and
// says what it is, for listings such as `ghl list`.
type NeuronModel struct {
	Name    string // what Neurons.Model returns, e.g. "lif"
	Summary string
}

// NeuronModels lists the population models a Sim can hold, in the order
// docs/SIMULATED_TIME.md describes them.
func NeuronModels() []NeuronModel {
	return []NeuronModel{
		{"lif", "leaky integrate-and-fire, exponential synaptic currents, refractory period (Sim.AddLIF; NEST iaf_psc_exp defaults)"},
		{"izhikevich", "Izhikevich (2003), regular- and fast-spiking parameter sets (Sim.AddIzhikevich)"},
		{"poisson", "Poisson spike source at given rates (Sim.AddPoisson)"},
		{"spike-source", "plays given (neuron, time) spikes (Sim.AddSpikeSource)"},
		{"encoder-rate", "image encoder: Poisson spikes at intensity × max rate (Sim.AddEncoder)"},
		{"encoder-ttfs", "image encoder: one spike per pixel, time to first spike (Sim.AddEncoder)"},
	}
}
