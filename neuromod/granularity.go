package neuromod

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

// Granularity is how many independent modulator values a gradient-based
// source delivers: one per synapse (the paper), per post-synaptic neuron,
// per layer, or one for the whole network. The package documentation
// defines each exactly.
type Granularity int

const (
	// PerSynapse (@synapse, the default): M_kj = sign(∂L/∂W_kj).
	PerSynapse Granularity = iota
	// PerNeuron (@neuron): M_kj = sign(PostGrad[k]) on every synapse of
	// row k of W.
	PerNeuron
	// PerLayer (@layer): M_kj = sign(Σ_k PostGrad[k]) on every synapse of
	// the group.
	PerLayer
	// Global (@global): M_kj = sign(Inputs.GlobalCredit), the credit summed
	// over every group on the channel, on every synapse of the group.
	Global
)

// granularityNames are the spellings after '@', indexed by Granularity.
var granularityNames = [...]string{"synapse", "neuron", "layer", "global"}

// String is the spelling after '@' in a spec: "synapse", "neuron", "layer"
// or "global".
func (g Granularity) String() string {
	if g >= 0 && int(g) < len(granularityNames) {
		return granularityNames[g]
	}
	return fmt.Sprintf("granularity(%d)", int(g))
}

// ParseGranularity reads the text after '@' in a spec.
func ParseGranularity(s string) (Granularity, error) {
	for i, n := range granularityNames {
		if s == n {
			return Granularity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown granularity %s (want synapse, neuron, layer or global)", quote.Q(s))
}

// Granular is implemented by gradient-based sources that can deliver their
// signal at a coarser granularity than one value per synapse.
type Granular interface {
	Source
	// AtGranularity returns the source's coarse-grained form for a group
	// with weights of shape w (g is never PerSynapse).
	AtGranularity(b backends.Backend, w backends.Shape, g Granularity) (Source, error)
}

// GlobalCreditReader is implemented by sources that read
// Inputs.GlobalCredit (granularity @global). The channel downloads every
// subscriber's PostGrad to sum it only when one of its sources reads it.
type GlobalCreditReader interface {
	// ReadsGlobalCredit reports whether Modulate reads Inputs.GlobalCredit.
	ReadsGlobalCredit() bool
}

// ReadsGlobalCredit is s.ReadsGlobalCredit() when s is a
// GlobalCreditReader and false otherwise.
func ReadsGlobalCredit(s Source) bool {
	if g, ok := s.(GlobalCreditReader); ok {
		return g.ReadsGlobalCredit()
	}
	return false
}
