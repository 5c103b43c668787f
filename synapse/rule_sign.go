package synapse

import "ghlsim/backends"

// signRule is the Table 5 ablation: the global sign alone, every synapse
// taking a full-size step (signSGD without momentum).
type signRule struct{}

func (signRule) Name() string { return "sign" }

func (signRule) Needs() Needs { return Needs{Gradient: true, Modulator: true} }

// Apply implements W ← W − η·(M + λW). Since M ∈ {−1, 0, 1}, |M|⊙M = M, so
// the fused modulated update with the modulator as its own magnitude is exact.
func (signRule) Apply(b backends.Backend, g *Group, h Hyper) {
	g.CheckModulator(h.Step)
	b.ModulatedUpdate(g.Weight.Value, g.Modulator, g.Modulator, 1, h.LR, h.WeightDecay)
	applyBias(b, g, h)
}
