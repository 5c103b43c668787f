package neuromod

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"ghlsim/backends"
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

var (
	sourcesMu sync.Mutex
	sources   = map[string]sourceEntry{}
)

type sourceEntry struct {
	factory Factory
	summary string
}

// Register adds a source family under name with a one-line summary.
func Register(name, summary string, f Factory) {
	sourcesMu.Lock()
	defer sourcesMu.Unlock()
	if _, dup := sources[name]; dup {
		panic("neuromod: source registered twice: " + name)
	}
	sources[name] = sourceEntry{f, summary}
}

// New makes a source from a spec "name" or "name:param" (e.g. "flip:0.1")
// for a group with weight shape w.
func New(b backends.Backend, spec string, w backends.Shape) (Source, error) {
	name, param, _ := strings.Cut(spec, ":")
	sourcesMu.Lock()
	e, ok := sources[name]
	sourcesMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown modulator source %q (known: %s)", spec, strings.Join(Names(), ", "))
	}
	s, err := e.factory(b, w, param)
	if err != nil {
		return nil, fmt.Errorf("modulator source %q: %w", spec, err)
	}
	return s, nil
}

// Names lists registered source families in sorted order.
func Names() []string {
	sourcesMu.Lock()
	defer sourcesMu.Unlock()
	out := make([]string, 0, len(sources))
	for n := range sources {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Summary is the one-line description of a source family.
func Summary(name string) string {
	sourcesMu.Lock()
	defer sourcesMu.Unlock()
	return sources[name].summary
}
