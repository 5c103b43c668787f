package neuromod

import "ghlsim/internal/registry"

// builtinSources is every source and wrapper family of the package, in one
// list: the spec grammar (New, Parse), Names and Summary read it, and the
// typed constructors (GradSign, Flip, …) build on its entries. A program's
// own families come after it (Register, RegisterWrapper) or are passed as
// values (Custom).
var builtinSources = []sourceEntry{
	{name: "grad-sign", summary: "the paper's third factor: M = sign(∂L/∂W) per synapse, from backprop (ALGORITHM.md §2); takes @neuron/@layer/@global",
		factory: creditSignFactory("grad-sign", BP), check: noParamCheck("grad-sign")},
	{name: "fa-sign", summary: "M = sign(∂L/∂W) with the gradient from feedback alignment (fixed random backward weights); takes @neuron/@layer/@global",
		factory: creditSignFactory("fa-sign", FA), check: noParamCheck("fa-sign")},
	{name: "dfa-sign", summary: "M = sign(∂L/∂W) with the gradient from direct feedback alignment (output error projected to each layer); takes @neuron/@layer/@global",
		factory: creditSignFactory("dfa-sign", DFA), check: noParamCheck("dfa-sign")},
	{name: "random", summary: "control: M = ±1 drawn independently per synapse and step with P(+1) = ½, reproducible from (seed, step, group)",
		factory: newRandom, check: noParamCheck("random")},
	{name: "constant", summary: "control: M = v on every synapse (default +1: W ← W − η|Ĥ|, pure depression; constant:-1 is pure potentiation)",
		factory: newConstant, check: checkWith(parseConstant)},
	{name: "flip", summary: "wrapper flip:p: negates each synapse's modulator independently with probability p ∈ [0, 1] per step (flip:0 = unchanged, flip:1 = negated)",
		wrap: newFlip, check: checkWith(parseFlip)},
	{name: "delay", summary: "wrapper delay:k: delivers the modulator computed k steps earlier (0, no plastic change, until k steps have run); holds k bytes per synapse (host memory)",
		wrap: newDelay, check: checkWith(parseDelay)},
	{name: "every", summary: "wrapper every:k: delivers the modulator only at steps with step % k == 0 and 0 (no plastic change, weight decay only) otherwise",
		wrap: newEvery, check: checkWith(parseEvery)},
}

// sources is the registry: builtinSources, then a program's Register and
// RegisterWrapper calls.
var sources = registry.New("neuromod: source", func(e sourceEntry) string { return e.name }, builtinSources)

// noParamCheck is the parameter check of a family that takes none.
func noParamCheck(name string) func(string) error {
	return func(param string) error { return noParam(name, param) }
}

// checkWith turns a parameter parser into a parameter check.
func checkWith[T any](parse func(string) (T, error)) func(string) error {
	return func(param string) error {
		_, err := parse(param)
		return err
	}
}
