package network_test

import (
	"slices"
	"strings"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/network"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// valuesSteps trains n three steps on fixed batches and returns its
// weights and buffers.
func valuesSteps(t *testing.T, n *network.Network) map[string]network.HostTensor {
	t.Helper()
	for k := range 3 {
		x, y := batch(uint64(20+k), 2, 3*32*32, 10)
		if _, err := n.TrainStep(x, y, pgHyper); err != nil {
			t.Fatal(err)
		}
	}
	return n.SaveState(network.KindWeight, network.KindBuffer)
}

// sameState fails unless a and b hold the same tensors bit for bit.
func sameState(t *testing.T, what string, a, b map[string]network.HostTensor) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d tensors against %d", what, len(a), len(b))
	}
	for name, ta := range a {
		if !slices.Equal(ta.Data, b[name].Data) {
			t.Errorf("%s: %s differs between values and strings", what, name)
		}
	}
}

// TestRulesFromValuesMatchStrings: a network built from Go values —
// synapse.GHL() with neuromod.Flip(0.1, neuromod.GradSign(PerNeuron)), and
// a per-group mix of synapse.Hebb() and GHL with a flipped sign on one
// group — trains bit for bit as the one built from the equivalent strings,
// subscribing the same groups to the same sources.
func TestRulesFromValuesMatchStrings(t *testing.T) {
	for _, c := range []struct {
		name             string
		strings, values  network.Rules
		subscribers      []string
		sourceOfConv2    string
		differsFromPlain bool
	}{
		{
			name:          "ghl, flip:0.1+grad-sign@neuron",
			strings:       network.Rules{Hidden: "ghl", Modulator: "flip:0.1+grad-sign@neuron"},
			values:        network.Rules{RuleValue: synapse.GHL(), Source: neuromod.Flip(0.1, neuromod.GradSign(neuromod.PerNeuron))},
			subscribers:   []string{"conv1", "conv2", "conv3"},
			sourceOfConv2: "flip:0.1+grad-sign@neuron",
		},
		{
			name: "conv1 hebb, conv2 ghl with flip:0.2, conv3 ghl",
			strings: network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{
				"conv1": {Rule: "hebb"}, "conv2": {Modulator: "flip:0.2"}, "fc": {Rule: "bp"},
			}},
			values: network.Rules{RuleValue: synapse.GHL(), Groups: map[string]network.GroupRule{
				"conv1": {RuleValue: synapse.Hebb()}, "conv2": {Source: neuromod.Flip(0.2, neuromod.GradSign(neuromod.PerSynapse))}, "fc": {RuleValue: synapse.BP()},
			}},
			subscribers:   []string{"conv2", "conv3"},
			sourceOfConv2: "flip:0.2+grad-sign",
		},
	} {
		fromStrings := pgDeepHebb(t, c.strings)
		fromValues := pgDeepHebb(t, c.values)
		for _, n := range []*network.Network{fromStrings, fromValues} {
			var subs []string
			for _, s := range n.Channel.Subscriptions() {
				subs = append(subs, s.Name)
				if s.Name == "conv2" && s.Source.Name() != c.sourceOfConv2 {
					t.Errorf("%s: conv2's source is %s, want %s", c.name, s.Source.Name(), c.sourceOfConv2)
				}
			}
			if !slices.Equal(subs, c.subscribers) {
				t.Errorf("%s: subscribers %v, want %v", c.name, subs, c.subscribers)
			}
		}
		for i, g := range fromValues.Groups {
			if g.Rule.Name() != fromStrings.Groups[i].Rule.Name() {
				t.Errorf("%s: %s learns by %s from values, %s from strings", c.name, g.Name, g.Rule.Name(), fromStrings.Groups[i].Rule.Name())
			}
		}
		sameState(t, c.name, valuesSteps(t, fromValues), valuesSteps(t, fromStrings))
	}
	// The comparison has teeth: the flipped sign changes the weights.
	plain := valuesSteps(t, pgDeepHebb(t, network.Rules{RuleValue: synapse.GHL()}))
	flipped := valuesSteps(t, pgDeepHebb(t, network.Rules{RuleValue: synapse.GHL(), Source: neuromod.Flip(0.1, neuromod.GradSign(neuromod.PerNeuron))}))
	if slices.Equal(plain["conv2.weight"].Data, flipped["conv2.weight"].Data) {
		t.Error("flip:0.1+grad-sign@neuron trained conv2 as grad-sign does: the comparison proves nothing")
	}
}

// countingRule is a script's own rule given as a value: hebb's update, and
// a count of its Apply calls.
type countingRule struct {
	synapse.Rule
	applied *int
}

func (r countingRule) Name() string { return "counting-hebb" }
func (r countingRule) Apply(b backends.Backend, g *synapse.Group, h synapse.Hyper) {
	*r.applied++
	r.Rule.Apply(b, g, h)
}

// TestRuleValueOfYourOwn: a synapse.RuleInfo a script writes (no
// registry) trains its groups, one instance per group.
func TestRuleValueOfYourOwn(t *testing.T) {
	applied := 0
	mine := synapse.RuleInfo{Name: "counting-hebb", New: func() synapse.Rule {
		return countingRule{Rule: synapse.Hebb().New(), applied: &applied}
	}}
	n := pgDeepHebb(t, network.Rules{RuleValue: mine})
	valuesSteps(t, n)
	if applied != 3*3 {
		t.Errorf("the rule was applied %d times, want 3 steps × 3 hidden groups", applied)
	}
	if n.Groups[0].Rule.Name() != "counting-hebb" || len(n.Channel.Subscriptions()) != 0 {
		t.Errorf("conv1 learns by %s, %d subscribers", n.Groups[0].Rule.Name(), len(n.Channel.Subscriptions()))
	}
}

// TestRulesValuesErrors: a rule or source given twice, a bad value, a
// value where the role forbids one: Build refuses each, saying which.
func TestRulesValuesErrors(t *testing.T) {
	for _, c := range []struct {
		rules network.Rules
		want  []string
	}{
		{network.Rules{Hidden: "ghl", RuleValue: synapse.GHL()}, []string{`Rules.Hidden "ghl" and Rules.RuleValue "ghl" are both set`}},
		{network.Rules{Hidden: "ghl", Modulator: "grad-sign", Source: neuromod.Random()}, []string{`Rules.Modulator "grad-sign" and Rules.Source "random" are both set`}},
		{network.Rules{Hidden: "ghl", Source: neuromod.Flip(1.5, neuromod.GradSign(neuromod.PerSynapse))}, []string{"Rules.Source", "flip: p = 1.5 is outside [0, 1]"}},
		{network.Rules{RuleValue: synapse.RuleInfo{Name: "mine"}}, []string{"Rules.RuleValue", "rule mine has no New"}},
		{network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{"conv1": {Rule: "hebb", RuleValue: synapse.Hebb()}}}, []string{`Rules.Groups["conv1"]`, "both set"}},
		{network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{"conv1": {RuleValue: synapse.Hebb(), Source: neuromod.Random()}}}, []string{`Rules.Groups["conv1"]`, "reads no modulator", `Source "random"`}},
		{network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{"fc": {RuleValue: synapse.GHL()}}}, []string{`Rules.Groups["fc"]`, "readout", "bp"}},
		{network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{"conv2": {Source: neuromod.Delay(-1, neuromod.Random())}}}, []string{`Rules.Groups["conv2"]`, "k = -1 must be ≥ 0"}},
		{network.Rules{RuleValue: synapse.RSTDP()}, []string{"rstdp", "spiking networks only"}},
	} {
		n := network.New(cpu.New(1), 2, 1)
		if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 0.125}); err != nil {
			t.Fatal(err)
		}
		err := n.Build(c.rules)
		if err == nil {
			t.Errorf("%+v: Build accepted it", c.rules)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
	}
}
