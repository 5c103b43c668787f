package network

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/synapse"
)

// StateTensors lists every tensor SpikingNet's next presentation depends
// on, in a stable order: the groups' parameters (conv1, conv2, readout),
// the conv layers' eligibilities, optimiser moments that exist so far, and
// the modulator sources' state. Membrane potentials do not persist: each
// presentation starts from rest.
func (n *SpikingNet) StateTensors() []NamedTensor {
	var out, opt []NamedTensor
	for _, g := range n.Groups {
		for _, p := range g.Params() {
			out = append(out, NamedTensor{p.Name, KindWeight, p.Value})
			if p.Moment1 != nil {
				opt = append(opt, NamedTensor{p.Name + ".moment1", KindOptimizer, p.Moment1})
			}
			if p.Moment2 != nil {
				opt = append(opt, NamedTensor{p.Name + ".moment2", KindOptimizer, p.Moment2})
			}
		}
	}
	for l := 0; l < 2; l++ {
		out = append(out, NamedTensor{n.Groups[l].Name + ".eligibility", KindEligibility, n.elig[l]})
	}
	out = append(out, opt...)
	return append(out, channelState(n.Channel)...)
}

// Params lists the trainable parameters (conv1, conv2, readout; weight then bias).
func (n *SpikingNet) Params() []*synapse.Param {
	var out []*synapse.Param
	for _, g := range n.Groups {
		out = append(out, g.Params()...)
	}
	return out
}

func (n *SpikingNet) backend() backends.Backend { return n.B }

func (n *SpikingNet) hostState() []namedBytes { return channelHostState(n.Channel) }

// Step is the number of presentations trained so far.
func (n *SpikingNet) Step() int { return n.step }

// SaveState downloads the state tensors of the selected kinds (all when
// none are given) to the host, with the names of StateTensors.
func (n *SpikingNet) SaveState(kinds ...TensorKind) map[string]HostTensor {
	return saveState(n, kinds)
}

// LoadState uploads host tensors by name, as Network.LoadState does.
func (n *SpikingNet) LoadState(state map[string]HostTensor, partial bool, kinds ...TensorKind) error {
	return loadState(n, state, partial, kinds)
}

// WriteCheckpoint saves the full state, the step and the trainer's
// metadata to path atomically, in Network's checkpoint format.
func (n *SpikingNet) WriteCheckpoint(path string, meta map[string]string) error {
	return writeCheckpoint(path, n.SaveState(), n.step, meta)
}

// RestoreCheckpoint loads a checkpoint's tensors and step; training then
// continues bit-identically to the run that wrote it.
func (n *SpikingNet) RestoreCheckpoint(c *Checkpoint) error {
	if err := n.LoadState(c.Tensors, false); err != nil {
		return fmt.Errorf("checkpoint does not fit this spiking network: %w", err)
	}
	n.step = c.Step
	return nil
}

// SynapticEvents counts the synaptic events of the last presentation: for
// each conv layer and step, the non-zero presynaptic inputs (input spikes;
// for conv2 the pooled spike counts of conv1) times the synapses each
// drives, out-channels × kernel taps (the interior fan-out; inputs at the
// border drive fewer). It downloads the presentation's inputs, so call it
// outside timed code.
func (n *SpikingNet) SynapticEvents() int64 {
	var events int64
	var host []float32
	for l := 0; l < 2; l++ {
		g := n.Groups[l]
		fan := int64(g.Out * g.Kernel * g.Kernel)
		for _, x := range n.in[l] {
			if len(host) < x.Shape().Len() {
				host = make([]float32, x.Shape().Len())
			}
			h := host[:x.Shape().Len()]
			n.B.Download(h, x)
			for _, v := range h {
				if v != 0 {
					events += fan
				}
			}
		}
	}
	return events
}

// SynapseBytes is the memory the conv layers keep per synapse (weight):
// the weight, its gradient, the Hebbian term, the eligibility, the
// gradient scratch, the modulator and optimiser state where the rule has
// them, and the modulator's delay line; and the number of such synapses.
func (n *SpikingNet) SynapseBytes() (bytesPerSynapse float64, synapses int64) {
	var total int64
	for l := 0; l < 2; l++ {
		g := n.Groups[l]
		w := int64(g.Weight.Value.Shape().Len())
		synapses += w
		for _, t := range []backends.Tensor{g.Weight.Value, g.Weight.Grad, g.H, n.elig[l], n.gtmp[l], g.Modulator, g.Weight.Moment1, g.Weight.Moment2} {
			if t != nil {
				total += 4 * int64(t.Shape().Len())
			}
		}
		if g.Trace != nil && g.Trace != g.H {
			total += 4 * w
		}
	}
	for _, hb := range n.hostState() {
		total += int64(len(hb.B))
	}
	return float64(total) / float64(synapses), synapses
}
