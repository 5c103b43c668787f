package synapse

import "ghlsim/backends"

// rstdpRule is reward-modulated STDP, the classic three-factor rule
// (Mozafari et al. 2019, IEEE TNNLS; Izhikevich 2007): the eligibility is
// the STDP term of a presentation's spikes, each sample's term signed by its
// reward r_b > 0 (correct) or < 0 (wrong), balanced over the batch as Mozafari et al. do — STDP when rewarded, anti-STDP
// when punished — and normalised by its layer maximum as GHL's Hebbian term
// is. The spiking network computes that eligibility (Needs.RewardSTDP); the
// rule then ascends it exactly as hebb ascends the Oja term.
type rstdpRule struct{}

func (rstdpRule) Name() string { return "rstdp" }

func (rstdpRule) Needs() Needs { return Needs{Eligibility: true, RewardSTDP: true} }

// Apply implements W ← W + η·Ê − η·λ·W.
func (rstdpRule) Apply(b backends.Backend, g *Group, h Hyper) { hebbRule{}.Apply(b, g, h) }
