package network

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/internal/rng"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// Role says which parameter group a synapse group belongs to.
type Role int

const (
	// Hidden groups learn by the network's hidden rule (GHL, sign, hebb, …)
	// with the hidden learning rate and weight decay.
	Hidden Role = iota
	// Readout groups (the classifier) always learn by backprop with the
	// readout learning rate and no weight decay (ALGORITHM.md §3).
	Readout
)

// Network is a built graph of populations, ops and synapse groups on one
// backend, with a fixed batch size.
type Network struct {
	B     backends.Backend
	Batch int
	Seed  uint64

	InPop  *Population // the input population (present phase)
	Logits *Population
	// Groups lists every synapse group in forward order.
	Groups []*synapse.Group
	// Roles gives each group's parameter group (same order as Groups).
	Roles []Role
	// Channel broadcasts the third factor to hidden groups whose rule needs it.
	Channel *neuromod.Channel

	pops  []*Population
	ops   []op
	synOf map[*synapse.Group]*synOp
	acc   [][]bool // per op, per input: accumulate the gradient
	fuser backends.HebbGradFuser
	built bool
	err   error
	step  int
	names map[string]bool

	// Frozen stops hidden groups from learning (and skips their credit)
	// — SoftHebb's frozen-feature readout phase.
	frozen bool
	// host logits for evaluation of partial batches.
	hostLogits []float32
	// modInputsFn is n.modInputs bound once, so broadcasting allocates nothing.
	modInputsFn func(int) neuromod.Inputs
	// dueBuf holds the monitors due at a step (reused).
	dueBuf []Monitor
	// credit is the credit path (BP, FA, DFA) and dfaRegion the populations
	// of the readout stack that still use backprop under DFA.
	credit    neuromod.Credit
	dfaRegion map[*Population]bool
	// gradOnly makes the credit phase skip fused Hebbian terms (recomputation).
	gradOnly bool
	// allParams lists every parameter and bpParams the BN affine ones,
	// cached at Build so the step allocates nothing.
	allParams, bpParams []*synapse.Param
	// dist is the data-parallel state set by SetDist (dist.go); nil = one process.
	dist *distState
	// copy pairs state tensors for CopyStateFrom (copystate.go).
	copy *stateCopy
	// groupHyper holds Rules.Groups' per-group LR and weight decay (same
	// order as Groups; nil when no group overrides them; build.go).
	groupHyper []groupHyper
	// mod is the step's loss, labels and predictions for the modulator
	// sources (modinputs.go).
	mod stepModInputs
}

// New starts an empty network on backend b for batches of the given size.
// seed names every random stream (initialisation, dropout, modulators).
func New(b backends.Backend, batch int, seed uint64) *Network {
	n := &Network{B: b, Batch: batch, Seed: seed, synOf: map[*synapse.Group]*synOp{}, names: map[string]bool{}}
	if batch <= 0 {
		n.fail(fmt.Errorf("batch size %d must be positive", batch))
	}
	return n
}

// Err is the first error the builder met (nil if none).
func (n *Network) Err() error { return n.err }

func (n *Network) fail(err error) {
	if n.err == nil {
		n.err = err
	}
}

// Step is the number of training steps taken.
func (n *Network) Step() int { return n.step }

// SetStep restores the step counter (checkpoint resume).
func (n *Network) SetStep(s int) {
	n.step = s
	n.Channel.SetLastStep(s - 1)
}

// newPop registers a population of the given per-sample shape.
func (n *Network) newPop(name string, sample ...int) *Population {
	s := append(backends.Shape{n.Batch}, sample...)
	p := &Population{Name: name, Shape: s}
	n.pops = append(n.pops, p)
	return p
}

// add registers an op and wires its populations.
func (n *Network) add(o op) *Population {
	for _, in := range o.inputs() {
		in.consumers = append(in.consumers, o)
	}
	o.output().producer = o
	n.ops = append(n.ops, o)
	return o.output()
}

// unique checks a layer name is new.
func (n *Network) unique(name string) bool {
	if name == "" || n.names[name] {
		n.fail(fmt.Errorf("layer name %q is empty or used twice", name))
		return false
	}
	n.names[name] = true
	return true
}

// dead is a placeholder population returned after a builder error, so
// builder chains can continue until Build reports the error.
func (n *Network) dead(name string) *Population {
	return &Population{Name: name, Shape: backends.Shape{n.Batch, 1, 1, 1}}
}

// Input declares the input population of c×h×w images (or [N] vectors when
// h = w = 0).
func (n *Network) Input(c, h, w int) *Population {
	if n.InPop != nil {
		n.fail(fmt.Errorf("network has two inputs"))
	}
	if c <= 0 || h < 0 || w < 0 {
		n.fail(fmt.Errorf("input shape %d×%d×%d is impossible", c, h, w))
		return n.dead("input")
	}
	if h == 0 && w == 0 {
		n.InPop = n.newPop("input", c)
	} else {
		n.InPop = n.newPop("input", c, h, w)
	}
	return n.InPop
}

// Names a group's weight init stream.
func initStream(seed uint64, name string) string { return "init/" + name }

// initKaiming fills W with Kaiming-normal (fan_in, ReLU gain) draws from the
// group's named stream, as the reference's nn.init.kaiming_normal_.
func (n *Network) initKaiming(g *synapse.Group) {
	w := make([]float32, g.Weight.Value.Shape().Len())
	rng.Normal(rng.Stream(n.Seed, initStream(n.Seed, g.Name)), w, rng.KaimingStd(g.FanIn()))
	n.B.Upload(g.Weight.Value, w)
}

// initUniformFanIn fills W (and bias) as PyTorch's default nn.Linear /
// nn.Conv2d init: U(−1/√fan_in, 1/√fan_in).
func (n *Network) initUniformFanIn(g *synapse.Group) {
	r := rng.Stream(n.Seed, initStream(n.Seed, g.Name))
	a := 1 / sqrt(float64(g.FanIn()))
	w := make([]float32, g.Weight.Value.Shape().Len())
	rng.Uniform(r, w, a)
	n.B.Upload(g.Weight.Value, w)
	if g.Bias != nil {
		bv := make([]float32, g.Out)
		rng.Uniform(r, bv, a)
		n.B.Upload(g.Bias.Value, bv)
	}
}
