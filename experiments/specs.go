package experiments

import "ghlsim/internal/registry"

// builtinSpecs is every experiment ghl run knows, in one list; each spec
// is defined in its file (specs_paper.go, specs_depth.go,
// specs_polarity.go, specs_spiking.go, distal.go). A program's own spec is
// added with RegisterSpec.
var builtinSpecs = []*Spec{
	table1,       // Table 1 — Hebbian baselines vs GHL vs BP
	table4,       // Table 4 — GHL with depth
	table5,       // Table 5 — GHL vs global sign only
	polarity,     // which property of the third factor makes GHL work
	spikingMNIST, // spiking-mnist: GHL in time on a spiking conv net
	polarityTime, // polarity-time: modulator latency against τ_e
	distalReward, // distal-reward: Izhikevich 2007
}

// specs is the registry: builtinSpecs, then a program's RegisterSpec calls.
var specs = registry.New("experiments: spec", func(s *Spec) string { return s.Name }, builtinSpecs)
