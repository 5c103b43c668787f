package synapse_test

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/synapse"
)

// A rule as a Go value: GHL() is the registry's entry for "ghl" — what it
// reads, and the training defaults it declares (experiments fills them
// into a config that leaves them unset).
func ExampleGHL() {
	r := synapse.GHL()
	d := r.Defaults
	fmt.Println(r.Name, "needs", fmt.Sprintf("%+v", r.New().Needs()))
	fmt.Println("hidden lr", d.HiddenLR, "wd", d.HiddenWD, "readout lr", d.ReadoutLR, d.Optimizer, d.Schedule)
	// Output:
	// ghl needs {Eligibility:true Gradient:true Modulator:true AntiHebbian:false RewardSTDP:false}
	// hidden lr 0.01 wd 0.05 readout lr 0.005 sgd cosine
}

// Every built-in rule is one entry of one list; Rules returns it in its
// written order, each entry with its defaults.
func ExampleRules() {
	for _, r := range synapse.Rules() {
		d := r.Defaults
		fmt.Printf("%-8s unsupervised %-5v hidden lr %-5g readout lr %-5g momentum %g %s\n", r.Name, r.Unsupervised, d.HiddenLR, d.ReadoutLR, d.Momentum, d.Optimizer)
	}
	// Output:
	// ghl      unsupervised false hidden lr 0.01  readout lr 0.005 momentum 0 sgd
	// sign     unsupervised false hidden lr 0.01  readout lr 0.005 momentum 0 sgd
	// hebb     unsupervised false hidden lr 0.01  readout lr 0.005 momentum 0 sgd
	// bp       unsupervised false hidden lr 0.01  readout lr 0.01  momentum 0.9 sgd
	// softhebb unsupervised true  hidden lr 0     readout lr 0.001 momentum 0 adam
	// swta-fh  unsupervised true  hidden lr 0     readout lr 0.01  momentum 0.9 sgd
	// hpca-fh  unsupervised true  hidden lr 0     readout lr 0.01  momentum 0.9 sgd
	// rstdp    unsupervised false hidden lr 0.01  readout lr 0.005 momentum 0 sgd
}

// antiHebb is a script's own rule: it descends the local term,
// W ← W − η·Ĥ (no third factor).
type antiHebb struct{}

func (antiHebb) Name() string         { return "anti-hebb" }
func (antiHebb) Needs() synapse.Needs { return synapse.Needs{Eligibility: true} }
func (antiHebb) Apply(b backends.Backend, g *synapse.Group, h synapse.Hyper) {
	b.AXPY(g.Weight.Value, -h.LR*g.TraceScale, g.Trace)
}

// A rule of your own is a RuleInfo value — a name and a factory — passed
// where the API takes a rule (network.Rules.RuleValue); no registry.
func ExampleRuleInfo() {
	mine := synapse.RuleInfo{Name: "anti-hebb", Summary: "W ← W − ηĤ", New: func() synapse.Rule { return antiHebb{} }}
	if err := mine.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	b := cpu.New(1)
	g, _ := synapse.NewGroup(b, synapse.Spec{Name: "fc", Kind: synapse.Dense, In: 2, Out: 1, TInv: 1})
	g.Rule = mine.New()
	g.EnsurePlasticState(b)
	b.Upload(g.Weight.Value, []float32{0.5, 0.5})
	b.Upload(g.H, []float32{2, -1}) // Ĥ = 1 and −0.5 after the layer-max normalisation
	g.HMax = 2
	g.UpdateTrace(b)
	g.Rule.Apply(b, g, synapse.Hyper{LR: 0.1})
	fmt.Println(g.Rule.Name(), cpu.Data(g.Weight.Value))
	fmt.Println(synapse.RuleInfo{Name: "half-done"}.Validate())
	// Output:
	// anti-hebb [0.4 0.55]
	// rule half-done has no New (the factory that makes one instance per group)
}
