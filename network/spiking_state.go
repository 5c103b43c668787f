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
