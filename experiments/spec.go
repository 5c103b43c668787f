package experiments

import (
	"fmt"
	"strings"

	"ghlsim/internal/quote"
)

// Spec is a named, versioned experiment: a table of cells (rows × columns),
// each a training config, run for several seeds. Specs are plain Go values;
// the expanded cells of a run are written to its directory as spec.json.
type Spec struct {
	Name    string // e.g. "table1"
	Version int    // bumped whenever a cell's meaning changes
	Title   string
	Metric  string // e.g. "test accuracy (%)"
	// Budgets describes each budget in words (smoke, cpu, full).
	Budgets map[string]string
	// Cells expands the spec for a budget into its cells (one seed each is
	// added by the runner). Budget-specific reductions live here.
	Cells func(budget string) ([]CellSpec, error)
	// Notes are printed under the table (protocol, deviations from the paper).
	Notes []string
}

// CellSpec is one table entry before seeds.
type CellSpec struct {
	Row    string      // e.g. "DeepHebb"
	Column string      // e.g. "GHL"
	Param  string      // swept parameter name for numeric rows (e.g. "flip")
	Value  float64     // swept parameter value
	Config TrainConfig `json:"Config,omitzero"` // the cell's training config (seed set by the runner)
	Paper  *float64    // the paper's number (percent), if any
	// Sim, when set, makes the cell a simulated-time run (distal-reward)
	// instead of a training run; Config is then unused.
	Sim *DistalConfig `json:",omitempty"`
	// Spiking, when set, makes the cell a spiking-network training run
	// (spiking-mnist, polarity-time); Config is then unused.
	Spiking *SpikingConfig `json:",omitempty"`
}

// rule is the plasticity rule the cell trains with.
func (c CellSpec) rule() string {
	if c.Spiking != nil {
		return c.Spiking.Rule
	}
	return c.Config.Rule
}

// ID is the cell's directory-safe identifier, e.g. "deephebb__ghl".
func (c CellSpec) ID() string {
	clean := func(s string) string {
		s = strings.ToLower(s)
		var b strings.Builder
		for _, r := range s {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '-':
				b.WriteRune(r)
			default:
				b.WriteRune('-')
			}
		}
		return strings.Trim(b.String(), "-")
	}
	return clean(c.Row) + "__" + clean(c.Column)
}

// RegisterSpec adds an experiment spec of a program's own, so that Lookup
// (and so ghl run and PrepareSweep) finds it after builtinSpecs; it panics
// on a nil spec or an empty or taken name. It is safe to call from several
// goroutines.
func RegisterSpec(s *Spec) {
	if s == nil {
		panic("experiments: RegisterSpec(nil)")
	}
	specs.Add(s)
}

// Lookup returns the named spec.
func Lookup(name string) (*Spec, error) {
	s, ok := specs.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown experiment %s (known: %s)", quote.Q(name), strings.Join(SpecNames(), ", "))
	}
	return s, nil
}

// SpecNames lists the known experiments in sorted order.
func SpecNames() []string { return specs.Names() }

// Budgets lists the budget names every spec understands.
var Budgets = []string{"smoke", "cpu", "full"}

func paper(v float64) *float64 { return &v }

// checkBudget rejects unknown budget names.
func checkBudget(b string) error {
	for _, k := range Budgets {
		if k == b {
			return nil
		}
	}
	return fmt.Errorf("unknown budget %s: use smoke, cpu or full", quote.Q(b))
}
