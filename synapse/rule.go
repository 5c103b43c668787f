package synapse

import (
	"fmt"
	"strings"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

// Needs says which phases of the step schedule a rule depends on.
type Needs struct {
	Eligibility bool // the Oja-SWTA term (eligibility phase)
	Gradient    bool // ∂L/∂W (credit phase)
	Modulator   bool // a third factor on the neuromodulator channel (broadcast phase)
	AntiHebbian bool // the eligibility gives non-winning neurons −y (SoftHebb)
	// RewardSTDP: the eligibility is the reward-signed STDP term of a
	// spiking network's presentation (rstdp), not the Oja-SWTA term; only
	// network.SpikingNet computes it.
	RewardSTDP bool
}

// Hyper carries the per-step hyper-parameters a rule applies.
type Hyper struct {
	LR          float32   // learning rate η_t at this step (after the schedule)
	WeightDecay float32   // coupled L2 coefficient λ
	Step        int       // global step number, from 0
	Optimizer   Optimizer // optimiser for gradient-trained tensors (bp rule, biases)
}

// Rule turns a group's eligibility, modulator and gradient into a weight
// change. A rule instance belongs to one group and may keep scratch state.
type Rule interface {
	// Name is the registry name, e.g. "ghl".
	Name() string
	// Needs lists the phases the rule reads.
	Needs() Needs
	// Apply updates g's weights for one step.
	Apply(b backends.Backend, g *Group, h Hyper)
}

// Factory makes a fresh rule instance for one group.
type Factory func() Rule

// Register adds a rule of a program's own under name, with a one-line
// summary, so that NewRule (and so name-based configs) finds it after the
// built-in rules of builtinRules; it panics on an empty name or a name
// already taken. A registered rule takes the defaults of ghl in
// experiments. Prefer passing the rule as a value where the API takes one
// (network.Rules.RuleValue: RuleInfo{Name: name, New: f}); Register is for
// name-based paths, and is safe to call from several goroutines.
func Register(name, summary string, f Factory) {
	if f == nil {
		panic("synapse: Register(" + name + "): nil factory")
	}
	rules.Add(RuleInfo{Name: name, Summary: summary, New: f})
}

// Rules lists every rule NewRule knows: the built-in ones in their
// written order, then those a program registered.
func Rules() []RuleInfo {
	all := rules.All()
	for i := range all {
		all[i] = all[i].clone()
	}
	return all
}

// LookupRule returns the rule called name.
func LookupRule(name string) (RuleInfo, bool) {
	r, ok := rules.Lookup(name)
	return r.clone(), ok
}

// NewRule makes an instance of the named rule.
func NewRule(name string) (Rule, error) {
	r, ok := rules.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown plasticity rule %s (known: %s)", quote.Q(name), strings.Join(RuleNames(), ", "))
	}
	return r.New(), nil
}

// RuleNames lists the known rules in sorted order.
func RuleNames() []string { return rules.Names() }

// RuleSummary is the one-line description of the named rule ("" for an
// unknown name).
func RuleSummary(name string) string {
	r, _ := rules.Lookup(name)
	return r.Summary
}

// applyBias trains a group's bias, if any, by the hyper-parameters' optimiser
// (biases carry no Hebbian term in any rule).
func applyBias(b backends.Backend, g *Group, h Hyper) {
	if g.Bias != nil {
		h.Optimizer.Step(b, g.Bias, h.LR, 0)
	}
}
