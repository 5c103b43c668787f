package network

import (
	"fmt"
	"math"

	"ghlsim/backends"
	"ghlsim/synapse"
)

func sqrt(x float64) float64 { return math.Sqrt(x) }

// Init names a weight initialisation.
type Init int

const (
	// InitKaiming is Kaiming-normal, fan_in, ReLU gain (the GHL reference's convs).
	InitKaiming Init = iota
	// InitUniform is PyTorch's default layer init, U(±1/√fan_in).
	InitUniform
)

// ConvSpec describes a conv synapse group.
type ConvSpec struct {
	Name   string
	Out    int              // output channels
	Kernel int              // square kernel extent
	Stride int              // default 1
	Pad    int              // padding on each side
	Mode   backends.PadMode // zero (default) or reflect
	Bias   bool
	TInv   float32 // soft-WTA inverse temperature (default 1)
	Init   Init
	Role   Role
}

// Conv adds a convolutional synapse group from in; the returned population
// holds the pre-activation u.
func (n *Network) Conv(in *Population, s ConvSpec) *Population {
	if !n.unique(s.Name) || n.err != nil {
		return n.dead(s.Name)
	}
	if len(in.Shape) != 4 {
		n.fail(fmt.Errorf("%s: conv needs an image input [B,C,H,W], got %v", s.Name, in.Shape))
		return n.dead(s.Name)
	}
	if s.Stride == 0 {
		s.Stride = 1
	}
	if s.TInv == 0 {
		s.TInv = 1
	}
	cp := backends.ConvParams{Stride: s.Stride, Pad: s.Pad, Mode: s.Mode}
	_, c, h, w := in.Shape.NCHW()
	if err := cp.Validate(h, w, s.Kernel, s.Kernel); err != nil {
		n.fail(fmt.Errorf("%s: %w", s.Name, err))
		return n.dead(s.Name)
	}
	g, err := synapse.NewGroup(n.B, synapse.Spec{Name: s.Name, Kind: synapse.Conv, In: c, Out: s.Out, Kernel: s.Kernel, Conv: cp, Bias: s.Bias, TInv: s.TInv})
	if err != nil {
		n.fail(err)
		return n.dead(s.Name)
	}
	return n.addGroup(g, s.Init, s.Role, in, n.newPop(s.Name, s.Out, cp.OutSize(h, s.Kernel), cp.OutSize(w, s.Kernel)))
}

// DenseSpec describes a dense synapse group.
type DenseSpec struct {
	Name string
	Out  int
	Bias bool
	TInv float32
	Init Init
	Role Role
}

// Dense adds a fully connected synapse group from a [B, N] population.
func (n *Network) Dense(in *Population, s DenseSpec) *Population {
	if !n.unique(s.Name) || n.err != nil {
		return n.dead(s.Name)
	}
	if len(in.Shape) != 2 {
		n.fail(fmt.Errorf("%s: dense layer needs a flat input [B,N], got %v (add a Flatten)", s.Name, in.Shape))
		return n.dead(s.Name)
	}
	if s.TInv == 0 {
		s.TInv = 1
	}
	g, err := synapse.NewGroup(n.B, synapse.Spec{Name: s.Name, Kind: synapse.Dense, In: in.Shape[1], Out: s.Out, Bias: s.Bias, TInv: s.TInv})
	if err != nil {
		n.fail(err)
		return n.dead(s.Name)
	}
	return n.addGroup(g, s.Init, s.Role, in, n.newPop(s.Name, s.Out))
}

// addGroup initialises a new synapse group's weights and wires it from in
// to out in the given parameter group.
func (n *Network) addGroup(g *synapse.Group, init Init, role Role, in, out *Population) *Population {
	if init == InitKaiming {
		n.initKaiming(g)
	} else {
		n.initUniformFanIn(g)
	}
	o := &synOp{g: g, in: in, out: out}
	n.Groups = append(n.Groups, g)
	n.Roles = append(n.Roles, role)
	n.synOf[g] = o
	return n.add(o)
}

// Act applies an activation function.
func (n *Network) Act(in *Population, name string, p backends.ActParams) *Population {
	if !n.unique(name) || n.err != nil {
		return n.dead(name)
	}
	if p.Kind == backends.Triangle && p.Power == 0 {
		p.Power = 1
	}
	return n.add(&actOp{in: in, out: n.newPop(name, in.Shape[1:]...), p: p})
}

// MaxPool adds a max-pooling layer. A zero Stride means Stride = Kernel
// (PyTorch's default).
func (n *Network) MaxPool(in *Population, name string, p backends.PoolParams) *Population {
	p, h, w, ok := n.poolShape(in, name, p)
	if !ok {
		return n.dead(name)
	}
	out := n.newPop(name, in.Shape[1], h, w)
	return n.add(&maxPoolOp{in: in, out: out, p: p, arg: n.B.AllocIndices(out.Shape)})
}

// AvgPool adds an average-pooling layer. A zero Stride means Stride = Kernel
// (PyTorch's default).
func (n *Network) AvgPool(in *Population, name string, p backends.PoolParams) *Population {
	p, h, w, ok := n.poolShape(in, name, p)
	if !ok {
		return n.dead(name)
	}
	return n.add(&avgPoolOp{in: in, out: n.newPop(name, in.Shape[1], h, w), p: p})
}

// poolShape fills p's defaults, checks it against in and returns the
// completed parameters (which the op must store) and the output plane size.
func (n *Network) poolShape(in *Population, name string, p backends.PoolParams) (_ backends.PoolParams, h, w int, ok bool) {
	if !n.unique(name) || n.err != nil {
		return p, 0, 0, false
	}
	if len(in.Shape) != 4 {
		n.fail(fmt.Errorf("%s: pooling needs [B,C,H,W], got %v", name, in.Shape))
		return p, 0, 0, false
	}
	if p.Stride == 0 {
		p.Stride = p.Kernel
	}
	if err := p.Validate(in.Shape[2], in.Shape[3]); err != nil {
		n.fail(fmt.Errorf("%s: %w", name, err))
		return p, 0, 0, false
	}
	return p, p.OutSize(in.Shape[2]), p.OutSize(in.Shape[3]), true
}

// BatchNorm adds batch normalisation over channels; affine parameters are
// trained by BP with the readout learning rate.
func (n *Network) BatchNorm(in *Population, name string, affine bool) *Population {
	if !n.unique(name) || n.err != nil {
		return n.dead(name)
	}
	c := in.Shape[1]
	o := &bnOp{name: name, in: in, out: n.newPop(name, in.Shape[1:]...), p: backends.DefaultBN}
	cs := backends.Shape{c}
	o.st = backends.BNState{RunMean: n.B.Alloc(cs), RunVar: n.B.Alloc(cs), SaveMean: n.B.Alloc(cs), SaveInvStd: n.B.Alloc(cs)}
	n.B.Fill(o.st.RunVar, 1)
	if affine {
		o.gamma = synapse.NewParam(n.B, name+".weight", cs)
		o.beta = synapse.NewParam(n.B, name+".bias", cs)
		n.B.Fill(o.gamma.Value, 1)
	}
	return n.add(o)
}

// Dropout adds inverted dropout with the given rate (active in training only).
func (n *Network) Dropout(in *Population, name string, rate float32) *Population {
	if !n.unique(name) || n.err != nil {
		return n.dead(name)
	}
	if rate < 0 || rate >= 1 {
		n.fail(fmt.Errorf("%s: dropout rate %g must be in [0, 1)", name, rate))
		return n.dead(name)
	}
	o := &dropoutOp{name: name, in: in, out: n.newPop(name, in.Shape[1:]...), rate: rate, key: dropoutKey(n.Seed, name)}
	o.mask = n.B.Alloc(o.out.Shape)
	return n.add(o)
}

// Flatten reshapes [B, C, H, W] to [B, C·H·W].
func (n *Network) Flatten(in *Population, name string) *Population {
	if !n.unique(name) || n.err != nil {
		return n.dead(name)
	}
	return n.add(&flattenOp{in: in, out: n.newPop(name, in.Features())})
}

// Add sums two populations of the same shape (residual connection).
func (n *Network) Add(a, b *Population, name string) *Population {
	if !n.unique(name) || n.err != nil {
		return n.dead(name)
	}
	if !a.Shape.Equal(b.Shape) {
		n.fail(fmt.Errorf("%s: cannot add %v and %v", name, a.Shape, b.Shape))
		return n.dead(name)
	}
	return n.add(&addOp{a: a, b: b, out: n.newPop(name, a.Shape[1:]...)})
}
