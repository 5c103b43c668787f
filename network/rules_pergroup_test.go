package network_test

import (
	"slices"
	"strings"
	"testing"

	"ghlsim/backends/cpu"
	"ghlsim/network"
)

// pgDeepHebb is DeepHebb at width 0.125 (12/48/192 channels) for 3×32×32
// inputs and 10 classes, built with r, batch 2, seed 1.
func pgDeepHebb(t testing.TB, r network.Rules) *network.Network {
	t.Helper()
	n := network.New(cpu.New(1), 2, 1)
	if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 0.125}); err != nil {
		t.Fatal(err)
	}
	if err := n.Build(r); err != nil {
		t.Fatal(err)
	}
	return n
}

// pgStep trains n one step on a fixed batch and returns its weights.
func pgStep(t testing.TB, n *network.Network, h network.Hyper) map[string]network.HostTensor {
	t.Helper()
	x, y := batch(3, 2, 3*32*32, 10)
	if _, err := n.TrainStep(x, y, h); err != nil {
		t.Fatal(err)
	}
	return n.SaveState(network.KindWeight)
}

var pgHyper = network.Hyper{HiddenLR: 0.01, HiddenWD: 0.05, ReadoutLR: 0.005}

// TestPerGroupRules: "conv1 Hebbian-only, conv2 GHL, the rest default"
// gives conv1 exactly the step of a hebb-only network, conv2 and conv3
// exactly that of a ghl network, and the readout its bp step; conv1 does
// not subscribe to the modulator channel and its rule is hebb.
func TestPerGroupRules(t *testing.T) {
	mixed := pgDeepHebb(t, network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{
		"conv1": {Rule: "hebb"}, "conv2": {Rule: "ghl"},
	}})
	var rules, subs []string
	for _, g := range mixed.Groups {
		rules = append(rules, g.Name+":"+g.Rule.Name())
	}
	for _, s := range mixed.Channel.Subscriptions() {
		subs = append(subs, s.Name)
	}
	if want := []string{"conv1:hebb", "conv2:ghl", "conv3:ghl", "fc:bp"}; !slices.Equal(rules, want) {
		t.Errorf("rules %v, want %v", rules, want)
	}
	if want := []string{"conv2", "conv3"}; !slices.Equal(subs, want) {
		t.Errorf("channel subscribers %v, want %v (a hebb group reads no modulator)", subs, want)
	}
	init := mixed.SaveState(network.KindWeight)
	got := pgStep(t, mixed, pgHyper)
	hebb := pgStep(t, pgDeepHebb(t, network.Rules{Hidden: "hebb"}), pgHyper)
	ghl := pgStep(t, pgDeepHebb(t, network.Rules{Hidden: "ghl"}), pgHyper)
	for _, c := range []struct {
		name string
		want map[string]network.HostTensor
	}{{"conv1.weight", hebb}, {"conv2.weight", ghl}, {"conv3.weight", ghl}, {"fc.weight", ghl}, {"fc.bias", ghl}} {
		if slices.Equal(got[c.name].Data, init[c.name].Data) {
			t.Errorf("%s did not change in one step", c.name)
		}
		if !slices.Equal(got[c.name].Data, c.want[c.name].Data) {
			t.Errorf("%s differs from the single-rule network's", c.name)
		}
	}
	if slices.Equal(hebb["conv1.weight"].Data, ghl["conv1.weight"].Data) {
		t.Error("hebb and ghl gave conv1 the same step: the comparison proves nothing")
	}
}

// TestPerGroupRulesUnchangedWithoutEntries: an empty Groups map (or entries
// for other groups only) leaves a group's step bit-identical.
func TestPerGroupRulesUnchangedWithoutEntries(t *testing.T) {
	plain := pgStep(t, pgDeepHebb(t, network.Rules{Hidden: "ghl"}), pgHyper)
	empty := pgStep(t, pgDeepHebb(t, network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{}}), pgHyper)
	zero := pgStep(t, pgDeepHebb(t, network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{"conv2": {}}}), pgHyper)
	for name := range plain {
		if !slices.Equal(plain[name].Data, empty[name].Data) || !slices.Equal(plain[name].Data, zero[name].Data) {
			t.Errorf("%s changed with an empty or zero Groups entry", name)
		}
	}
}

// TestPerGroupHyper: a group's LR replaces its role's rate, LRScale scales
// it, WeightDecay replaces its role's λ (hidden and readout alike), LR 0
// freezes a group, and other groups keep the role's values.
func TestPerGroupHyper(t *testing.T) {
	at := func(h network.Hyper) map[string]network.HostTensor {
		return pgStep(t, pgDeepHebb(t, network.Rules{Hidden: "ghl"}), h)
	}
	ref := at(pgHyper)
	slow := pgHyper
	slow.HiddenLR = 0.005
	refSlow := at(slow)
	decayed := pgHyper
	decayed.HiddenWD, decayed.ReadoutWD = 0.2, 0.1
	refDecayed := at(decayed)

	init := pgDeepHebb(t, network.Rules{Hidden: "ghl"}).SaveState(network.KindWeight)
	got := pgStep(t, pgDeepHebb(t, network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{
		"conv1": {LR: new(float32(0))},
		"conv2": {LR: new(float32(0.005))},
		"conv3": {LRScale: new(float32(0.5)), WeightDecay: new(float32(0.2))},
		"fc":    {Rule: "bp", WeightDecay: new(float32(0.1))},
	}}), pgHyper)
	for _, c := range []struct {
		name string
		want map[string]network.HostTensor
	}{{"conv1.weight", init}, {"conv2.weight", refSlow}} {
		if !slices.Equal(got[c.name].Data, c.want[c.name].Data) {
			t.Errorf("%s: per-group LR not applied", c.name)
		}
	}
	// conv3: LR 0.01 × 0.5 with λ 0.2 — compare against a network whose
	// hidden rate is 0.005 and λ 0.2.
	both := pgHyper
	both.HiddenLR, both.HiddenWD = 0.005, 0.2
	if refBoth := at(both); !slices.Equal(got["conv3.weight"].Data, refBoth["conv3.weight"].Data) {
		t.Error("conv3: LRScale and WeightDecay not applied")
	}
	if !slices.Equal(got["fc.weight"].Data, refDecayed["fc.weight"].Data) {
		t.Error("fc: readout WeightDecay not applied")
	}
	if slices.Equal(ref["conv2.weight"].Data, refSlow["conv2.weight"].Data) {
		t.Error("the learning rate does not change conv2's step: the comparison proves nothing")
	}
}

// TestPerGroupRulesErrors: every bad entry is refused by Build with a
// message naming the entry, the problem and the fix.
func TestPerGroupRulesErrors(t *testing.T) {
	for _, c := range []struct {
		groups map[string]network.GroupRule
		want   []string
	}{
		{map[string]network.GroupRule{"conv9": {Rule: "hebb"}}, []string{`"conv9" is not a synapse group`, "conv1, conv2, conv3, fc"}},
		{map[string]network.GroupRule{"bn1": {Rule: "hebb"}}, []string{`"bn1" is not a synapse group`}},
		{map[string]network.GroupRule{"conv1": {Rule: "hebbb"}}, []string{`Rules.Groups["conv1"]`, `unknown plasticity rule "hebbb"`, "ghl", "hebb"}},
		{map[string]network.GroupRule{"fc": {Rule: "ghl"}}, []string{`Rules.Groups["fc"]`, "readout", "bp"}},
		{map[string]network.GroupRule{"conv1": {Rule: "hebb", Modulator: "flip:0.1"}}, []string{`Rules.Groups["conv1"]`, "reads no modulator"}},
		{map[string]network.GroupRule{"conv2": {Modulator: "grad-sine"}}, []string{`Rules.Groups["conv2"]`, `unknown source "grad-sine"`}},
		{map[string]network.GroupRule{"conv2": {LR: new(float32(-1))}}, []string{`Rules.Groups["conv2"]`, "LR -1 must be finite and ≥ 0"}},
		{map[string]network.GroupRule{"conv2": {LR: new(float32(1)), LRScale: new(float32(1))}}, []string{"LR and LRScale are both set"}},
	} {
		n := network.New(cpu.New(1), 2, 1)
		if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 0.125}); err != nil {
			t.Fatal(err)
		}
		err := n.Build(network.Rules{Hidden: "ghl", Groups: c.groups})
		if err == nil {
			t.Errorf("%v: Build accepted it", c.groups)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not say %q", c.groups, err, w)
			}
		}
	}
}

// TestPerGroupStepAllocatesNothing: the per-group overrides cost no
// allocation per step.
func TestPerGroupStepAllocatesNothing(t *testing.T) {
	n := pgDeepHebb(t, network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{
		"conv1": {Rule: "hebb", LR: new(float32(0.02))}, "conv3": {Rule: "sign", Modulator: "flip:0.1"},
	}})
	x, y := batch(5, 2, 3*32*32, 10)
	for range 2 {
		if _, err := n.TrainStep(x, y, pgHyper); err != nil {
			t.Fatal(err)
		}
	}
	if allocs := testing.AllocsPerRun(3, func() {
		if _, err := n.TrainStep(x, y, pgHyper); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("%.1f allocations per step", allocs)
	}
}
