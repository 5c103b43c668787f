package synapse

import (
	"fmt"
	"sort"
	"strings"
	"sync"

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

var (
	rulesMu sync.Mutex
	rules   = map[string]ruleEntry{}
)

type ruleEntry struct {
	factory Factory
	summary string
}

// Register adds a rule under name with a one-line summary; it panics on a
// duplicate name.
func Register(name, summary string, f Factory) {
	rulesMu.Lock()
	defer rulesMu.Unlock()
	if _, dup := rules[name]; dup {
		panic("synapse: rule registered twice: " + name)
	}
	rules[name] = ruleEntry{f, summary}
}

// NewRule makes an instance of the named rule.
func NewRule(name string) (Rule, error) {
	rulesMu.Lock()
	e, ok := rules[name]
	rulesMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown plasticity rule %s (known: %s)", quote.Q(name), strings.Join(RuleNames(), ", "))
	}
	return e.factory(), nil
}

// RuleNames lists registered rules in sorted order.
func RuleNames() []string {
	rulesMu.Lock()
	defer rulesMu.Unlock()
	out := make([]string, 0, len(rules))
	for n := range rules {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// RuleSummary is the one-line description a rule was registered with.
func RuleSummary(name string) string {
	rulesMu.Lock()
	defer rulesMu.Unlock()
	return rules[name].summary
}

// applyBias trains a group's bias, if any, by the hyper-parameters' optimiser
// (biases carry no Hebbian term in any rule).
func applyBias(b backends.Backend, g *Group, h Hyper) {
	if g.Bias != nil {
		h.Optimizer.Step(b, g.Bias, h.LR, 0)
	}
}
