package neuromod

import (
	"fmt"
	"strings"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

// Inputs is what a source may read to compute one group's modulator.
type Inputs struct {
	Step  int             // global step number, from 0
	Group string          // subscriber name, e.g. "conv1"
	Index int             // subscriber position on the channel (0 = first hidden layer)
	Grad  backends.Tensor // ∂L/∂W of the group from the credit phase, shape of W
	// PostGrad is the per-neuron credit Σ_{b,p} ∂L/∂u_k, shape [K] (the
	// would-be bias gradient), for neuron, layer and global granularity.
	PostGrad backends.Tensor
	// Seed is the run seed, for sources with random draws.
	Seed uint64
	// GlobalCredit is Σ over every subscriber of the channel of Σ_k
	// PostGrad[k], summed on the host in float64 in subscription order.
	// Channel.Broadcast fills it only when some subscribed source reads it
	// (GlobalCreditReader); it is 0 otherwise.
	GlobalCredit float64

	// Loss is the mean loss over the batch at this step (the softmax
	// cross-entropy TrainStep reports in StepStats.Loss; under data
	// parallelism the mean over every worker's batch).
	Loss float64
	// Correct is the number of correct argmax predictions in the batch
	// (StepStats.Correct; summed over workers under data parallelism).
	Correct int
	// Labels are the batch's class labels, one per sample (this worker's
	// shard under data parallelism). The slice belongs to the caller: read
	// it during Modulate, do not keep it or write to it.
	Labels []int32
	// Predictions are the argmax classes of the batch's logits, one per
	// sample in the order of Labels (sample b is correct when
	// Predictions[b] == Labels[b]); nil where the caller provides none.
	// Like Labels, valid during Modulate only.
	Predictions []int32
	// SampleLoss is each sample's cross-entropy loss in nats, in the order
	// of Labels (on one worker their mean is Loss); nil where the caller
	// provides none. Valid during Modulate only.
	SampleLoss []float32
	// TimeMS is the simulated time of the broadcast in ms, for sources
	// that live in simulated time; 0 outside simulated time (TrainStep on
	// batches).
	TimeMS float64
}

// Source computes the third factor for one subscribed group. A source
// instance belongs to one group and may keep state (delay buffers).
type Source interface {
	// Name is the spec that made the source, e.g. "grad-sign" or "flip:0.1".
	Name() string
	// Modulate writes M for this step into m (the shape of the group's W).
	Modulate(b backends.Backend, in Inputs, m backends.Tensor)
}

// Factory makes a source for one group with weights of shape w, from the
// parameter text after the name's colon ("" when there is none).
type Factory func(b backends.Backend, w backends.Shape, param string) (Source, error)

// WrapperFactory makes a wrapper around inner, the source that the rest of
// the spec made, for one group with weights of shape w, from the parameter
// text after the wrapper's colon ("" when there is none).
type WrapperFactory func(b backends.Backend, w backends.Shape, param string, inner Source) (Source, error)

// sourceEntry is a family: exactly one of factory and wrap is set. check,
// when set, validates the parameter text without a backend, so that Parse
// and the typed constructors refuse a bad parameter before anything is
// allocated (families a program registers have none: their factory checks).
type sourceEntry struct {
	name    string
	factory Factory
	wrap    WrapperFactory
	check   func(param string) error
	summary string
}

// Register adds a source family of a program's own under name, with a
// one-line summary, so that spec strings may name it — and compose it with
// the wrappers: "flip:0.2+surprise". It goes on an explicit extension list
// that lookups consult after builtinSources; the package itself registers
// nothing. Names must be non-empty, free of the spec punctuation ":@+" and
// spaces, and not taken; Register panics otherwise (a programmer error).
// It is safe to call from several goroutines. Where the API takes a value
// (network.Rules.Source), Custom passes a source without registering it.
func Register(name, summary string, f Factory) {
	register(sourceEntry{name: name, factory: f, summary: summary})
}

// RegisterWrapper adds a wrapper family (as flip, delay, every) of a
// program's own under name with a one-line summary; the same rules as
// Register apply.
func RegisterWrapper(name, summary string, f WrapperFactory) {
	register(sourceEntry{name: name, wrap: f, summary: summary})
}

func register(e sourceEntry) {
	if !validName(e.name) {
		panic(fmt.Sprintf("neuromod: source name %q must be non-empty without ':', '@', '+' or spaces", e.name))
	}
	if e.factory == nil && e.wrap == nil {
		panic("neuromod: source " + e.name + " registered with a nil factory")
	}
	sources.Add(e)
}

// validName reports whether name may name a family in a spec.
func validName(name string) bool { return name != "" && !strings.ContainsAny(name, ":@+ \t") }

// lookup returns the family called name.
func lookup(name string) (sourceEntry, bool) { return sources.Lookup(name) }

// New makes a source for a group with weight shape w from a spec in the
// grammar of the package documentation, e.g. "grad-sign", "flip:0.1",
// "grad-sign@neuron" or "delay:4+flip:0.1+fa-sign". Bad specs return an
// error that names the offending term and what it should look like.
func New(b backends.Backend, spec string, w backends.Shape) (Source, error) {
	p, err := parseSpec(spec)
	if err != nil {
		return nil, fmt.Errorf("modulator source %s: %w", quote.Q(spec), err)
	}
	s, err := p.build(b, w)
	if err != nil {
		return nil, fmt.Errorf("modulator source %s: %w", quote.Q(spec), err)
	}
	return s, nil
}

// Names lists the source and wrapper families (built-in and registered)
// in sorted order.
func Names() []string { return sources.Names() }

// IsWrapper reports whether name is a registered wrapper family (one that
// modifies another source's signal) rather than a base source.
func IsWrapper(name string) bool {
	e, ok := lookup(name)
	return ok && e.wrap != nil
}

// Summary is the one-line description of a source or wrapper family.
func Summary(name string) string {
	e, _ := lookup(name)
	return e.summary
}

// namesOf lists the registered families of one kind, sorted.
func namesOf(wrappers bool) []string {
	var out []string
	for _, n := range Names() {
		if IsWrapper(n) == wrappers {
			out = append(out, n)
		}
	}
	return out
}
