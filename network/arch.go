package network

import (
	"fmt"
	"math"
	"strings"

	"ghlsim/internal/quote"
)

// ArchOptions parameterise an architecture builder.
type ArchOptions struct {
	C, H, W int     // input shape
	Classes int     // output classes
	Width   float64 // channel multiplier (1 = the paper's widths)
	// SoftHebb selects the SoftHebb flavour where an architecture has one
	// (Triangle activations, reflect padding, SoftHebb init).
	SoftHebb bool
	// Dropout is the dropout rate before the classifier in [0, 1) for
	// architectures that have one (deephebb, fasthebb); nil takes the
	// architecture's default, DefaultDropout (0 disables dropout).
	Dropout *float64
}

// DefaultDropout is the dropout rate DeepHebb and FastHebb use before their
// classifier unless ArchOptions.Dropout says otherwise (the references' 0.5).
const DefaultDropout = 0.5

// dropout is the rate to build: o.Dropout, or the default when unset.
func (o ArchOptions) dropout() float32 {
	if o.Dropout == nil {
		return DefaultDropout
	}
	return float32(*o.Dropout)
}

// Validate checks the options.
func (o ArchOptions) Validate() error {
	if o.C <= 0 || o.H <= 0 || o.W <= 0 {
		return fmt.Errorf("input shape %d×%d×%d is impossible", o.C, o.H, o.W)
	}
	if o.Classes < 2 {
		return fmt.Errorf("classes %d must be at least 2", o.Classes)
	}
	if !(o.Width > 0) || math.IsInf(o.Width, 0) {
		return fmt.Errorf("width multiplier %g must be positive", o.Width)
	}
	if o.Dropout != nil && !(*o.Dropout >= 0 && *o.Dropout < 1) {
		return fmt.Errorf("dropout rate %g must be in [0, 1)", *o.Dropout)
	}
	return nil
}

// channels scales a paper channel count by the width multiplier, erroring
// when it rounds to zero.
func (o ArchOptions) channels(layer string, paper int) (int, error) {
	c := int(math.Round(float64(paper) * o.Width))
	if c < 1 {
		return 0, fmt.Errorf("width %g gives %s %d×%g = 0 channels: use a width ≥ %.3g", o.Width, layer, paper, o.Width, 0.5/float64(paper))
	}
	return c, nil
}

// Builder adds an architecture's layers to an empty network.
type Builder func(n *Network, o ArchOptions) error

// RegisterArch adds an architecture of a program's own under name, so
// that BuildArch (and so name-based configs) finds it after builtinArchs;
// it panics on an empty or taken name. Calling the Builder directly needs
// no registration.
func RegisterArch(name, summary string, b Builder) {
	if b == nil {
		panic("network: RegisterArch(" + name + "): nil builder")
	}
	archs.Add(archEntry{name, summary, b})
}

// ArchNames lists the known architectures in sorted order.
func ArchNames() []string { return archs.Names() }

// ArchSummary describes an architecture in one line.
func ArchSummary(name string) string {
	a, _ := archs.Lookup(name)
	return a.summary
}

// BuildArch adds the named architecture to n.
func BuildArch(n *Network, name string, o ArchOptions) error {
	a, ok := archs.Lookup(name)
	if !ok {
		return fmt.Errorf("unknown architecture %s (known: %s)", quote.Q(name), strings.Join(ArchNames(), ", "))
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if err := a.build(n, o); err != nil {
		return err
	}
	return n.Err()
}
