package network

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"ghlsim/backends"
	"ghlsim/internal/quote"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// Rules chooses how the network's groups learn.
type Rules struct {
	// Hidden is the rule of hidden groups: ghl, sign, bp, hebb, softhebb, …
	Hidden string
	// RuleValue is the rule of hidden groups as a Go value, in place of
	// Hidden: synapse.GHL(), synapse.Hebb(), … or a synapse.RuleInfo of
	// your own (Name and New). Give Hidden or RuleValue, not both.
	RuleValue synapse.RuleInfo
	// Modulator is the source spec of the third factor for hidden rules that
	// read one (default "grad-sign", the paper).
	Modulator string
	// Source is the third factor as a Go value, in place of Modulator:
	// neuromod.Flip(0.1, neuromod.GradSign(neuromod.PerNeuron)) is
	// "flip:0.1+grad-sign@neuron", and neuromod.Custom passes a source of
	// your own. Its delays count steps (StepMS does not apply to it). Give
	// Modulator or Source, not both.
	Source neuromod.Spec
	// Decay is the eligibility-trace decay γ ∈ [0, 1) (0 = the paper).
	Decay float32
	// StepMS is the simulated time one training step stands for (one
	// presentation), so that Modulator may give delays in ms
	// (delay:200ms, every:50ms; neuromod.InSteps); 0 = steps only.
	StepMS float64
	// Steps is the number of steps the run will take, when known (> 0): a
	// modulator delay of that many steps or more is refused, since it would
	// deliver only zeros.
	Steps int
	// DelayMemory is the most host memory the modulator's delay lines may
	// hold, summed over the groups (0 = neuromod.DefaultDelayMemory, 1 GiB);
	// a longer delay is refused by Build before anything is allocated.
	DelayMemory int64
	// Groups overrides, per synapse group, what the fields above and the
	// step's Hyper give its role, keyed by the group's layer name (conv1,
	// conv2, …, the readout's name such as fc): "conv1 Hebbian-only, conv2
	// GHL, readout BP" is
	//
	//	Rules{Hidden: "ghl", Groups: map[string]GroupRule{"conv1": {Rule: "hebb"}}}
	//
	// or, with values, Rules{RuleValue: synapse.GHL(), Groups:
	// map[string]GroupRule{"conv1": {RuleValue: synapse.Hebb()}}}.
	//
	// A group without an entry learns exactly as without Groups. Build
	// refuses a key that names no synapse group, listing the known ones.
	Groups map[string]GroupRule
}

// GroupRule is one synapse group's entry in Rules.Groups. Its zero value
// changes nothing.
type GroupRule struct {
	// Rule is the group's plasticity rule (a synapse.RuleNames name: ghl,
	// hebb, sign, bp, softhebb, …); "" keeps Rules.Hidden. A readout group
	// learns by backprop only (ALGORITHM.md §3): "" or "bp".
	Rule string
	// RuleValue is the group's rule as a Go value (synapse.Hebb(), …), in
	// place of Rule; the zero value keeps the network's. Not together with
	// Rule; a readout's must be named bp.
	RuleValue synapse.RuleInfo
	// Modulator is the source spec of the group's third factor, as
	// Rules.Modulator (grad-sign, flip:0.1, delay:4+grad-sign@neuron, …);
	// "" keeps Rules.Modulator. Only for a rule that reads a modulator
	// (ghl, sign): a group whose rule reads none subscribes to no channel,
	// and a Modulator given for it is an error.
	Modulator string
	// Source is the group's third factor as a Go value (neuromod.Spec), in
	// place of Modulator and under the same conditions; the zero value
	// keeps the network's. Not together with Modulator.
	Source neuromod.Spec
	// LR, when set, is the group's learning rate at every step, replacing
	// its role's Hyper rate (HiddenLR or ReadoutLR). It is a fixed value: a
	// schedule applied to Hyper does not reach it (use LRScale for that).
	// Finite and ≥ 0.
	LR *float32
	// LRScale, when set, multiplies the role's Hyper rate at every step, so
	// a schedule applied to Hyper anneals the group too. Finite and ≥ 0;
	// not together with LR.
	LRScale *float32
	// WeightDecay, when set, is the group's coupled L2 coefficient λ,
	// replacing its role's (HiddenWD or ReadoutWD). Finite and ≥ 0.
	WeightDecay *float32
}

// Validate checks the entry's numbers, and that its rule and its source
// are each given at most once (as a string or as a value) and are valid
// values; the names are checked by Build, against the registries and the
// group's role.
func (g GroupRule) Validate() error {
	for _, f := range []struct {
		name string
		v    *float32
	}{{"LR", g.LR}, {"LRScale", g.LRScale}, {"WeightDecay", g.WeightDecay}} {
		if f.v != nil && !(*f.v >= 0 && !math.IsInf(float64(*f.v), 0)) {
			return fmt.Errorf("%s %g must be finite and ≥ 0 (or nil for the role's Hyper value)", f.name, *f.v)
		}
	}
	if g.LR != nil && g.LRScale != nil {
		return fmt.Errorf("LR and LRScale are both set: give a fixed LR or a scale of the role's rate, not both")
	}
	return checkValues("", g.Rule, g.RuleValue, g.Modulator, g.Source)
}

// checkValues refuses a rule or source given both as a string and as a
// value, and a bad value; field names the fields' struct ("Rules." or "").
func checkValues(field, rule string, ruleValue synapse.RuleInfo, mod string, src neuromod.Spec) error {
	ruleField := "Rule"
	if field != "" {
		ruleField = "Hidden"
	}
	if !ruleValue.IsZero() {
		if rule != "" {
			return fmt.Errorf("%s%s %s and %sRuleValue %s are both set: give the rule once", field, ruleField, quote.Q(rule), field, quote.Q(ruleValue.Name))
		}
		if err := ruleValue.Validate(); err != nil {
			return fmt.Errorf("%sRuleValue: %w", field, err)
		}
	}
	if !src.IsZero() {
		if mod != "" {
			return fmt.Errorf("%sModulator %s and %sSource %s are both set: give the third factor once", field, quote.Q(mod), field, quote.Q(src.String()))
		}
		if err := src.Validate(); err != nil {
			return fmt.Errorf("%sSource: %w", field, err)
		}
	}
	return nil
}

// groupHyper is a group's Rules.Groups override of its step
// hyper-parameters, copied at Build.
type groupHyper struct {
	setLR, setScale, setWD bool
	lr, scale, wd          float32
}

// hyperFor is the hyper-parameters group i applies at a step: h, its
// role's, with the group's Rules.Groups overrides.
func (n *Network) hyperFor(i int, h synapse.Hyper) synapse.Hyper {
	if i >= len(n.groupHyper) {
		return h
	}
	o := n.groupHyper[i]
	if o.setLR {
		h.LR = o.lr
	}
	if o.setScale {
		h.LR *= o.scale
	}
	if o.setWD {
		h.WeightDecay = o.wd
	}
	return h
}

// checkGroupRules validates r.Groups against the network's groups, in key
// order, before Build touches anything.
func (n *Network) checkGroupRules(r Rules) error {
	if len(r.Groups) == 0 {
		return nil
	}
	index := map[string]int{}
	names := make([]string, len(n.Groups))
	for i, g := range n.Groups {
		index[g.Name] = i
		names[i] = g.Name
	}
	keys := make([]string, 0, len(r.Groups))
	for k := range r.Groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		gr := r.Groups[k]
		i, ok := index[k]
		if !ok {
			return fmt.Errorf("Rules.Groups: %s is not a synapse group of this network (its groups: %s)", quote.Q(k), strings.Join(names, ", "))
		}
		if err := gr.Validate(); err != nil {
			return fmt.Errorf("Rules.Groups[%s]: %w", quote.Q(k), err)
		}
		if rn := ruleName(gr.Rule, gr.RuleValue); n.Roles[i] == Readout && rn != "" && rn != "bp" {
			return fmt.Errorf("Rules.Groups[%s]: %s is the readout, which learns by bp (ALGORITHM.md §3); drop Rule %s or give it \"bp\" (LR and WeightDecay may be set)", quote.Q(k), k, quote.Q(rn))
		}
		if gr.Rule != "" {
			if _, err := synapse.NewRule(gr.Rule); err != nil {
				return fmt.Errorf("Rules.Groups[%s]: %w", quote.Q(k), err)
			}
		}
	}
	return nil
}

// Build checks the graph, chooses each group's rule, allocates every tensor
// and fixes the event schedule. It reports the first builder error.
func (n *Network) Build(r Rules) error {
	if n.err != nil {
		return n.err
	}
	if n.built {
		return fmt.Errorf("network already built")
	}
	if n.InPop == nil || len(n.ops) == 0 {
		return fmt.Errorf("network has no input or no layers")
	}
	last := n.ops[len(n.ops)-1].output()
	if len(last.Shape) != 2 {
		return fmt.Errorf("the last layer %s must produce logits [B, classes], got %v", last.Name, last.Shape)
	}
	n.Logits = last
	if err := checkValues("Rules.", r.Hidden, r.RuleValue, r.Modulator, r.Source); err != nil {
		return err
	}
	if r.Modulator == "" && r.Source.IsZero() {
		r.Modulator = "grad-sign"
	}
	if r.Decay < 0 || r.Decay >= 1 {
		return fmt.Errorf("eligibility decay %g must be in [0, 1)", r.Decay)
	}
	delayLimit := r.DelayMemory
	if delayLimit <= 0 {
		delayLimit = neuromod.DefaultDelayMemory
	}
	var delayBytes int64
	n.Channel = neuromod.NewChannel()
	n.modInputsFn = n.modInputs
	if f, ok := n.B.(backends.HebbGradFuser); ok {
		n.fuser = f
	}
	if err := n.checkGroupRules(r); err != nil {
		return err
	}
	n.groupHyper = nil
	for i, g := range n.Groups {
		name, value := r.Hidden, r.RuleValue
		modulator, source := r.Modulator, r.Source
		if n.Roles[i] == Readout {
			name, value = "bp", synapse.RuleInfo{}
		}
		gr, override := r.Groups[g.Name]
		if gr.Rule != "" {
			name, value = gr.Rule, synapse.RuleInfo{}
		}
		if !gr.RuleValue.IsZero() {
			name, value = "", gr.RuleValue
		}
		groupMod := gr.Modulator != "" || !gr.Source.IsZero()
		if gr.Modulator != "" {
			modulator, source = gr.Modulator, neuromod.Spec{}
		}
		if !gr.Source.IsZero() {
			modulator, source = "", gr.Source
		}
		if gr.LR != nil || gr.LRScale != nil || gr.WeightDecay != nil {
			if n.groupHyper == nil {
				n.groupHyper = make([]groupHyper, len(n.Groups))
			}
			h := &n.groupHyper[i]
			if gr.LR != nil {
				h.setLR, h.lr = true, *gr.LR
			}
			if gr.LRScale != nil {
				h.setScale, h.scale = true, *gr.LRScale
			}
			if gr.WeightDecay != nil {
				h.setWD, h.wd = true, *gr.WeightDecay
			}
		}
		var rule synapse.Rule
		if !value.IsZero() {
			name, rule = value.Name, value.New()
		} else {
			var err error
			if rule, err = synapse.NewRule(name); err != nil {
				return err
			}
		}
		if rule.Needs().RewardSTDP {
			return fmt.Errorf("rule %s learns from spike timing and runs on spiking networks only (network.SpikingNet, ghl run spiking-mnist); group %s of this batched network has no spikes", name, g.Name)
		}
		if override && groupMod && !rule.Needs().Modulator {
			field, text := "Modulator", gr.Modulator
			if text == "" {
				field, text = "Source", gr.Source.String()
			}
			return fmt.Errorf("Rules.Groups[%s]: rule %s reads no modulator, so %s %s would be ignored: drop it, or choose a rule that reads one (ghl, sign)", quote.Q(g.Name), name, field, quote.Q(text))
		}
		g.Rule = rule
		g.Decay = r.Decay
		g.EnsurePlasticState(n.B)
		need := rule.Needs()
		o := n.synOf[g]
		if need.Modulator {
			src, err := n.newSource(modulator, source, r.StepMS, g.Weight.Value.Shape())
			if err != nil {
				return groupErr(override && groupMod, g.Name, err)
			}
			if b := neuromod.DelayBytesOf(src); b > math.MaxInt64-delayBytes {
				delayBytes = math.MaxInt64
			} else {
				delayBytes += b
			}
			if err := neuromod.CheckDelay(src, r.Steps, delayBytes, delayLimit); err != nil {
				return fmt.Errorf("modulator %w", err)
			}
			n.Channel.Subscribe(g.Name, g, src)
			if g.Bias == nil {
				o.postGrad = n.B.Alloc(backends.Shape{g.Out})
			}
		}
		o.needW = need.Gradient || need.Modulator
		o.fused = n.fuser != nil && need.Eligibility && o.needW && g.Kind == synapse.Conv
	}
	for _, p := range n.pops {
		if len(p.consumers) > 1 {
			for _, c := range p.consumers {
				if _, isFlat := c.(*flattenOp); isFlat {
					return fmt.Errorf("%s feeds a flatten and another layer; flatten must be its only consumer", p.Name)
				}
			}
		}
	}
	n.markGradients()
	n.allocate()
	if err := n.setupCredit(); err != nil {
		return err
	}
	n.allParams = n.Params()
	for _, o := range n.ops {
		n.bpParams = append(n.bpParams, o.params()...)
	}
	n.built = true
	return nil
}

// newSource makes one group's modulator source from a Spec value when one
// is given, else from the spec string (delays in ms converted by stepMS).
func (n *Network) newSource(spec string, value neuromod.Spec, stepMS float64, w backends.Shape) (neuromod.Source, error) {
	if !value.IsZero() {
		return value.New(n.B, w)
	}
	steps, err := neuromod.InSteps(spec, stepMS)
	if err != nil {
		return nil, fmt.Errorf("modulator: %w", err)
	}
	return neuromod.New(n.B, steps, w)
}

// ruleName is the name of a rule given as a string or a value.
func ruleName(name string, value synapse.RuleInfo) string {
	if !value.IsZero() {
		return value.Name
	}
	return name
}

// groupErr names the Rules.Groups entry an error came from, when it did.
func groupErr(fromGroup bool, group string, err error) error {
	if fromGroup {
		return fmt.Errorf("Rules.Groups[%s]: %w", quote.Q(group), err)
	}
	return err
}

// trainsParams reports whether an op has parameters that learn by gradient.
func (n *Network) trainsParams(o op) bool {
	if s, ok := o.(*synOp); ok {
		return s.needW && !(n.frozen && n.roleOf(s.g) == Hidden)
	}
	return len(o.params()) > 0
}

func (n *Network) roleOf(g *synapse.Group) Role {
	for i, h := range n.Groups {
		if h == g {
			return n.Roles[i]
		}
	}
	return Hidden
}

// markGradients decides which populations need ∂L/∂activity: those with a
// gradient-trained parameter at or upstream of their producer. The first
// layer's input never does, so no input gradient is computed for it.
func (n *Network) markGradients() {
	for _, p := range n.pops {
		p.needsGrad = false
	}
	for _, o := range n.ops {
		need := n.trainsParams(o)
		for _, in := range o.inputs() {
			need = need || in.needsGrad
		}
		o.output().needsGrad = need
	}
	// The accumulate table: walking backwards, the first op to write an
	// input's gradient overwrites it, later ones add to it.
	n.acc = make([][]bool, len(n.ops))
	written := map[*Population]bool{}
	for i := len(n.ops) - 1; i >= 0; i-- {
		ins := n.ops[i].inputs()
		n.acc[i] = make([]bool, len(ins))
		for j, in := range ins {
			n.acc[i][j] = written[in]
			written[in] = true
		}
	}
}

// allocate gives every population its tensors. Gradients are allocated for
// the unfrozen case so freezing later needs no allocation.
func (n *Network) allocate() {
	b := n.B
	for _, p := range n.pops {
		if _, ok := p.producer.(*flattenOp); ok {
			continue // allocated as views below, once the input has storage
		}
		p.Act = b.Alloc(p.Shape)
		if p.needsGrad {
			p.Grad = b.Alloc(p.Shape)
			if len(p.consumers) > 1 {
				p.scratch = b.Alloc(p.Shape)
			}
		}
	}
	for _, o := range n.ops {
		switch o := o.(type) {
		case *flattenOp:
			o.out.Act = b.Reshape(o.in.Act, o.out.Shape)
			if o.out.needsGrad {
				if o.in.Grad == nil {
					o.in.Grad = b.Alloc(o.in.Shape)
				}
				o.out.Grad = b.Reshape(o.in.Grad, o.out.Shape)
				if len(o.out.consumers) > 1 {
					o.out.scratch = b.Alloc(o.out.Shape)
				}
			}
		case *bnOp:
			if o.gamma != nil {
				o.dxScratch = b.Alloc(o.in.Shape)
			}
		}
	}
	// The logits always carry a gradient (the loss writes it).
	if n.Logits.Grad == nil {
		n.Logits.Grad = b.Alloc(n.Logits.Shape)
	}
}

// SetFrozen stops (true) or resumes (false) learning in hidden groups: a
// frozen network trains only readout and BN-affine parameters, and skips the
// credit phase below them (SoftHebb's linear-readout protocol).
func (n *Network) SetFrozen(frozen bool) {
	n.frozen = frozen
	n.markGradients()
}
