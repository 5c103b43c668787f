package synapse

import (
	"fmt"
	"image/color"
	"slices"

	"ghlsim/internal/registry"
)

// builtinRules is every plasticity rule the package defines, in one list:
// its name, summary, factory, the training settings it runs with unless a
// config says otherwise, whether it learns in an unsupervised phase, and
// its colour in figures. NewRule, RuleNames and the constructors below
// (GHL, Sign, …) read this list; nothing else registers a built-in rule.
var builtinRules = []RuleInfo{
	{
		Name:    "ghl",
		Summary: "Global-guided Hebbian: W ← W − η(|Ĥ|⊙sign(∂L/∂W) + λW) (ALGORITHM.md §3)",
		New:     func() Rule { return ghlRule{} },
		// The paper's DeepHebb settings.
		Defaults: RuleDefaults{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3, Optimizer: "sgd", Schedule: "cosine"},
		Color:    color.RGBA{0xD5, 0x5E, 0x00, 0xff}, // Okabe–Ito vermillion
	},
	{
		Name:     "sign",
		Summary:  "sign-only ablation (paper Table 5): W ← W − η(M + λW), local magnitude replaced by 1",
		New:      func() Rule { return signRule{} },
		Defaults: RuleDefaults{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3, Optimizer: "sgd", Schedule: "cosine"},
		Color:    color.RGBA{0x56, 0xB4, 0xE9, 0xff}, // Okabe–Ito sky blue
	},
	{
		Name:     "hebb",
		Summary:  "local term only, no global signal: W ← W + η(Ĥ − λW)",
		New:      func() Rule { return hebbRule{} },
		Defaults: RuleDefaults{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3, Optimizer: "sgd", Schedule: "cosine"},
		Color:    color.RGBA{0xCC, 0x79, 0xA7, 0xff}, // Okabe–Ito reddish purple
	},
	{
		Name:    "bp",
		Summary: "end-to-end backprop: SGD (optional momentum) or Adam on ∂L/∂W",
		New:     func() Rule { return bpRule{} },
		// Standard backprop: one rate for every layer, SGD with momentum.
		Defaults: RuleDefaults{HiddenLR: 1e-2, HiddenWD: 5e-4, ReadoutLR: 1e-2, Momentum: 0.9, Optimizer: "sgd", Schedule: "cosine"},
		Color:    color.RGBA{0x00, 0x72, 0xB2, 0xff}, // Okabe–Ito blue
	},
	{
		Name:    "softhebb",
		Summary: "SoftHebb (Journé et al. 2023): anti-Hebbian soft-WTA, W_k ← W_k + η·|‖w_k‖−1|^0.5·Ĥ_k, unsupervised",
		New:     func() Rule { return &softHebbRule{} },
		// SoftHebb's protocol: one unsupervised epoch at batch 10 with
		// per-layer rates, then the readout by Adam, halved at 20/35/…/90 %.
		Defaults: RuleDefaults{ReadoutLR: 1e-3, Optimizer: "adam", Schedule: "steps",
			HebbianEpochs: 1, HebbianBatch: 10, HebbianLRs: []float64{0.08, 0.005, 0.01}},
		Unsupervised: true,
		Color:        color.RGBA{0x00, 0x9E, 0x73, 0xff}, // Okabe–Ito bluish green
	},
	{
		Name:    "swta-fh",
		Summary: "SWTA-FH (Lagani et al., FastHebb): softmax (T = 0.02) over cosine similarity, Δw_i = Σ_p c_ip·r_ip·(x_p − w_i), unsupervised",
		New:     func() Rule { return &swtaFHRule{} },
		// FastHebb's protocol (ALGORITHM.md §4): 20 unsupervised epochs,
		// then an SGD classifier on frozen features. The reference's Hebbian
		// rate and classifier settings are not published; ours are in the
		// README.
		Defaults: RuleDefaults{ReadoutLR: 1e-2, Momentum: 0.9, Optimizer: "sgd", Schedule: "cosine",
			HebbianEpochs: 20, HebbianBatch: 64, HebbianLRs: []float64{0.01}},
		Unsupervised: true,
		Color:        color.RGBA{0xE6, 0x9F, 0x00, 0xff}, // Okabe–Ito orange
	},
	{
		Name:    "hpca-fh",
		Summary: "HPCA-FH (Lagani et al., FastHebb): Sanger-style Hebbian PCA, y = ReLU(w·x), Δw_i = mean_p y_i(x_p − Σ_{k≤i} y_k w_k), unsupervised",
		New:     func() Rule { return &hpcaFHRule{} },
		Defaults: RuleDefaults{ReadoutLR: 1e-2, Momentum: 0.9, Optimizer: "sgd", Schedule: "cosine",
			HebbianEpochs: 20, HebbianBatch: 64, HebbianLRs: []float64{0.01}},
		Unsupervised: true,
		Color:        color.RGBA{0x00, 0x00, 0x00, 0xff}, // Okabe–Ito black
	},
	{
		Name:     "rstdp",
		Summary:  "reward-modulated STDP (Mozafari et al. 2019), spiking networks only: W ← W + η(Ê − λW), E = Σ_b r_b·(post⊗pre-trace − A₋/A₊·post-trace⊗pre)",
		New:      func() Rule { return rstdpRule{} },
		Defaults: RuleDefaults{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3, Optimizer: "sgd", Schedule: "cosine"},
		// No colour of its own: figures give it one by hashing its name.
	},
}

// GHL is the paper's rule, Global-guided Hebbian learning:
// W ← W − η(|Ĥ| ⊙ M + λW) with M the broadcast third factor.
func GHL() RuleInfo { return builtinRule("ghl") }

// Sign is the Table 5 ablation: W ← W − η(M + λW), GHL without the local
// magnitude.
func Sign() RuleInfo { return builtinRule("sign") }

// Hebb is the local term alone, no third factor: W ← W + η(Ĥ − λW).
func Hebb() RuleInfo { return builtinRule("hebb") }

// BP is end-to-end backprop: an optimiser step on ∂L/∂W.
func BP() RuleInfo { return builtinRule("bp") }

// SoftHebb is SoftHebb's anti-Hebbian soft-WTA rule (unsupervised).
func SoftHebb() RuleInfo { return builtinRule("softhebb") }

// SWTAFH is FastHebb's SWTA-FH rule (unsupervised).
func SWTAFH() RuleInfo { return builtinRule("swta-fh") }

// HPCAFH is FastHebb's HPCA-FH rule (unsupervised).
func HPCAFH() RuleInfo { return builtinRule("hpca-fh") }

// RSTDP is reward-modulated STDP, for spiking networks only
// (network.SpikingNet).
func RSTDP() RuleInfo { return builtinRule("rstdp") }

// builtinRule is the built-in entry called name; the constructors above
// call it with names TestBuiltinRulesListedOnce checks.
func builtinRule(name string) RuleInfo {
	for _, r := range builtinRules {
		if r.Name == name {
			return r.clone()
		}
	}
	panic("synapse: no built-in rule " + name)
}

// RuleInfo is a plasticity rule as a Go value: what NewRule makes from a
// name, and what a script passes instead of a name (network.Rules.RuleValue,
// network.GroupRule.RuleValue). The built-in rules' values come from GHL,
// Sign, Hebb, …; a rule of your own is a RuleInfo you write, with at least
// Name and New.
type RuleInfo struct {
	// Name is the rule's name, as Rule.Name reports it and as configs and
	// checkpoints record it: lower case, e.g. "ghl".
	Name string
	// Summary is one line for `ghl list`.
	Summary string
	// New makes a fresh rule instance for one group (instances may keep
	// per-group scratch state, so every group gets its own).
	New Factory
	// Defaults are the training settings runs of this rule take unless
	// their config gives others.
	Defaults RuleDefaults
	// Unsupervised: the hidden groups learn in an unsupervised phase
	// (Defaults.HebbianEpochs), then the readout learns on the frozen
	// features; otherwise hidden groups and readout learn together.
	Unsupervised bool
	// Color is the rule's colour in every figure (plots.RuleColor); the
	// zero value (alpha 0) leaves the choice to the plots, which hash the
	// name into a colour-blind-safe palette.
	Color color.RGBA
}

// RuleDefaults are a rule's training settings: the values
// experiments.TrainConfig.RuleDefaults fills into a config that leaves
// them unset, and config.json then records. They live with the rule, in
// its builtinRules entry, so that adding a rule touches one place.
type RuleDefaults struct {
	// HiddenLR is η of the hidden groups at step 0 (ALGORITHM.md §3); 0
	// for rules whose hidden groups learn only in an unsupervised phase.
	HiddenLR float64
	// HiddenWD is λ of the hidden groups (coupled L2).
	HiddenWD float64
	// ReadoutLR is the classifier's (and BN affine parameters') learning
	// rate at step 0.
	ReadoutLR float64
	// Momentum of SGD for gradient-trained tensors (0 = plain SGD, the
	// paper's GHL runs).
	Momentum float64
	// Optimizer of gradient-trained tensors: "sgd" or "adam".
	Optimizer string
	// Schedule of the learning rates: "cosine" (annealed to 0, the paper),
	// "constant", or "steps" (halved at 20/35/50/60/70/80/90 %).
	Schedule string
	// HebbianEpochs, HebbianBatch and HebbianLRs are the unsupervised
	// phase of an Unsupervised rule: its length in epochs, its batch size
	// and the hidden groups' learning rates, one per layer (the last one
	// repeated for deeper layers).
	HebbianEpochs int
	HebbianBatch  int
	HebbianLRs    []float64
}

// clone copies r so that a caller cannot change the built-in list through
// the slice it holds.
func (r RuleInfo) clone() RuleInfo {
	r.Defaults.HebbianLRs = slices.Clone(r.Defaults.HebbianLRs)
	return r
}

// Validate reports a RuleInfo that cannot make rules: an empty name or
// a nil New.
func (r RuleInfo) Validate() error {
	if r.Name == "" {
		return fmt.Errorf("rule has no Name")
	}
	if r.New == nil {
		return fmt.Errorf("rule %s has no New (the factory that makes one instance per group)", r.Name)
	}
	return nil
}

// IsZero reports whether r is the zero RuleInfo (no rule given).
func (r RuleInfo) IsZero() bool { return r.Name == "" && r.New == nil && r.Summary == "" }

// rules is the registry: builtinRules, then the rules a program added
// with Register.
var rules = registry.New("synapse: rule", func(r RuleInfo) string { return r.Name }, builtinRules)
