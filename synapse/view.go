package synapse

import (
	"fmt"

	"ghlsim/backends"
)

// SynapseView is one synapse's state, read from the group's dense tensors.
type SynapseView struct {
	Weight      float32 // w_kj
	Eligibility float32 // normalised eligibility Ê_kj (|Ĥ_kj| under the paper's setting, signed)
	Modulator   float32 // the third factor M_kj last received
	DeltaW      float32 // the last change of w_kj (needs TrackDelta; else 0)
}

// Synapse returns the state of the synapse from pre-synaptic index pre to
// post-synaptic neuron post. For conv groups pre indexes the flattened
// (channel, row, col) kernel position, c·kh·kw + i·kw + j. It copies whole
// tensors to the host, so it is for inspection and tests, not inner loops.
func (g *Group) Synapse(b backends.Backend, post, pre int) SynapseView {
	fan := g.FanIn()
	if post < 0 || post >= g.Out || pre < 0 || pre >= fan {
		panic(fmt.Sprintf("synapse: group %s has %d×%d synapses; (%d, %d) is outside", g.Name, g.Out, fan, post, pre))
	}
	i := post*fan + pre
	read := func(t backends.Tensor) float32 {
		if t == nil {
			return 0
		}
		host := make([]float32, t.Shape().Len())
		b.Download(host, t)
		return host[i]
	}
	v := SynapseView{Weight: read(g.Weight.Value), Modulator: read(g.Modulator)}
	if g.Trace != nil {
		v.Eligibility = read(g.Trace) * g.TraceScale
	}
	if g.TrackDelta && g.Prev != nil {
		v.DeltaW = v.Weight - read(g.Prev)
	}
	return v
}
