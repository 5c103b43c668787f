// ResNets for CIFAR (ALGORITHM.md §5; He et al. 2016, "Deep Residual
// Learning for Image Recognition", §4.2): conv3×3 16 → BN → ReLU, three
// stages of n basic blocks with 16, 32 and 64 channels (× Width), the first
// block of stages 2 and 3 striding by 2, then global average pooling and a
// Linear classifier; depth 6n + 2 (ResNet-20/32/44/56/110/1202: n = 3, 5, 7,
// 9, 18, 200). A basic block is conv3×3(stride) → BN → ReLU → conv3×3 → BN,
// plus the shortcut, then ReLU.
//
// Shortcuts where the shape changes: "resnetN" uses the paper's CIFAR option
// A, identity with stride-2 subsampling and zero-padded extra channels
// (parameter-free; the identity channels sit in the middle, (out−in)/2 zero
// channels before them, as in the widely used PyTorch CIFAR implementation);
// "resnetN-b" uses option B, a 1×1 conv (stride 2) + BN(affine) projection.
// Option A is expressed with existing backend ops as a 1×1 stride-s
// convolution by a fixed 0/1 channel-embedding matrix (padShortcutOp): it is
// not a synapse group, has no parameters and never learns; its backward pass
// is the convolution's data gradient.
//
// Parameter groups: every conv weight — the 3×3 convs and option B's 1×1
// shortcut convs — is a Hidden synapse group (GHL or the network's hidden
// rule), without bias, Kaiming-normal fan_in init as the GHL reference's
// convs. The paper does not say how it treats BN affine parameters and
// shortcut convs (ALGORITHM.md §5); we treat shortcut convs like every other
// conv (GHL synapses) and train all BN affine parameters (γ = 1, β = 0 at
// init) by BP with the readout learning rate, like the classifier (Role
// Readout, bias, PyTorch's default Linear init).
//
// Any square input works (32×32 in the paper: 32 → 16 → 8, then an 8×8
// average pool).

package network

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/synapse"
)

// resNetDepths maps a CIFAR ResNet's depth 6n+2 to its blocks per stage n.
var resNetDepths = []struct{ depth, blocks int }{
	{20, 3}, {32, 5}, {44, 7}, {56, 9}, {110, 18}, {1202, 200},
}

// resNetWidths are the three stages' channels at Width 1 (He et al. §4.2).
var resNetWidths = [3]int{16, 32, 64}

// resNetArch is the builtinArchs entry of the CIFAR ResNet of a depth in
// resNetDepths with shortcut s: "resnetN" (option A) or "resnetN-b".
func resNetArch(depth int, s Shortcut) archEntry {
	blocks := 0
	for _, d := range resNetDepths {
		if d.depth == depth {
			blocks = d.blocks
		}
	}
	if blocks == 0 {
		panic(fmt.Sprintf("network: no CIFAR ResNet of depth %d", depth))
	}
	build := func(n *Network, o ArchOptions) error { return buildResNet(n, o, blocks, s) }
	if s == ShortcutB {
		return archEntry{fmt.Sprintf("resnet%d-b", depth),
			fmt.Sprintf("CIFAR ResNet-%d (He et al. 2016) with option-B shortcuts (1×1 conv + BN projection, a GHL synapse group), ALGORITHM.md §5", depth), build}
	}
	return archEntry{fmt.Sprintf("resnet%d", depth),
		fmt.Sprintf("CIFAR ResNet-%d (He et al. 2016): 3 stages × %d basic blocks, 16/32/64 channels, option-A (zero-pad identity) shortcuts, ALGORITHM.md §5", depth, blocks), build}
}

// Shortcut selects a residual block's shortcut where the block changes the
// shape (He et al. 2016 §3.3, options A and B); blocks that keep the shape
// always use the identity.
type Shortcut int

const (
	// ShortcutA is the identity with stride subsampling and zero-padded extra
	// channels: parameter-free (the paper's CIFAR choice).
	ShortcutA Shortcut = iota
	// ShortcutB is a projection: 1×1 conv with the block's stride (a Hidden
	// synapse group) followed by BN(affine).
	ShortcutB
)

// String names the option as in architecture names ("a", "b").
func (s Shortcut) String() string {
	if s == ShortcutB {
		return "b"
	}
	return "a"
}

// buildResNet builds a CIFAR ResNet with blocks basic blocks per stage.
func buildResNet(n *Network, o ArchOptions, blocks int, sc Shortcut) error {
	if o.H != o.W {
		return fmt.Errorf("resnet: global average pooling needs a square input, got %d×%d", o.H, o.W)
	}
	var widths [3]int
	for i, w := range resNetWidths {
		c, err := o.channels(fmt.Sprintf("layer%d", i+1), w)
		if err != nil {
			return err
		}
		widths[i] = c
	}
	h := n.Input(o.C, o.H, o.W)
	h = n.Conv(h, ConvSpec{Name: "conv1", Out: widths[0], Kernel: 3, Pad: 1, Init: InitKaiming})
	h = n.BatchNorm(h, "bn1", true)
	h = n.Act(h, "relu1", backends.ActParams{Kind: backends.ReLU})
	for s, planes := range widths {
		for b := 0; b < blocks; b++ {
			stride := 1
			if s > 0 && b == 0 {
				stride = 2
			}
			h = n.BasicBlock(h, fmt.Sprintf("layer%d.%d", s+1, b), planes, stride, sc)
		}
	}
	if n.Err() != nil {
		return n.Err()
	}
	side := h.Shape[2]
	h = n.AvgPool(h, "avgpool", backends.PoolParams{Kernel: side, Stride: side})
	h = n.Flatten(h, "flatten")
	n.Dense(h, DenseSpec{Name: "fc", Out: o.Classes, Bias: true, Init: InitUniform, Role: Readout})
	return n.Err()
}

// BasicBlock adds a ResNet basic block (He et al. 2016 Fig. 2):
// conv3×3(stride) → BN → ReLU → conv3×3 → BN, plus the shortcut, then ReLU.
// Its layers are named <name>.conv1, <name>.bn1, …, <name>.shortcut (option
// A), or <name>.shortcut.0 (1×1 conv) and <name>.shortcut.1 (BN) for option
// B, as in PyTorch state dicts. Convs have no bias, Kaiming-normal init and
// the Hidden role; BNs are affine.
func (n *Network) BasicBlock(in *Population, name string, planes, stride int, sc Shortcut) *Population {
	if n.err != nil {
		return n.dead(name)
	}
	if len(in.Shape) != 4 {
		n.fail(fmt.Errorf("%s: a basic block needs an image input [B,C,H,W], got %v", name, in.Shape))
		return n.dead(name)
	}
	r := n.Conv(in, ConvSpec{Name: name + ".conv1", Out: planes, Kernel: 3, Stride: stride, Pad: 1, Init: InitKaiming})
	r = n.BatchNorm(r, name+".bn1", true)
	r = n.Act(r, name+".relu1", backends.ActParams{Kind: backends.ReLU})
	r = n.Conv(r, ConvSpec{Name: name + ".conv2", Out: planes, Kernel: 3, Pad: 1, Init: InitKaiming})
	r = n.BatchNorm(r, name+".bn2", true)
	short := in
	if stride != 1 || in.Shape[1] != planes {
		if sc == ShortcutB {
			short = n.Conv(in, ConvSpec{Name: name + ".shortcut.0", Out: planes, Kernel: 1, Stride: stride, Init: InitKaiming})
			short = n.BatchNorm(short, name+".shortcut.1", true)
		} else {
			short = n.PadShortcut(in, name+".shortcut", planes, stride)
		}
	}
	h := n.Add(r, short, name+".add")
	return n.Act(h, name+".relu2", backends.ActParams{Kind: backends.ReLU})
}

// PadShortcut adds He et al.'s option-A shortcut: x[:, :, ::stride, ::stride]
// with its C channels placed at [lo, lo+C) of out ≥ C channels and zeros
// elsewhere, lo = (out−C)/2. It has no parameters; it runs as a 1×1
// convolution of the given stride by a fixed 0/1 embedding matrix.
func (n *Network) PadShortcut(in *Population, name string, out, stride int) *Population {
	if !n.unique(name) || n.err != nil {
		return n.dead(name)
	}
	if len(in.Shape) != 4 {
		n.fail(fmt.Errorf("%s: a shortcut needs an image input [B,C,H,W], got %v", name, in.Shape))
		return n.dead(name)
	}
	_, c, h, w := in.Shape.NCHW()
	if out < c {
		n.fail(fmt.Errorf("%s: a zero-padding shortcut cannot shrink %d channels to %d (use option B)", name, c, out))
		return n.dead(name)
	}
	p := backends.ConvParams{Stride: stride}
	if err := p.Validate(h, w, 1, 1); err != nil {
		n.fail(fmt.Errorf("%s: %w", name, err))
		return n.dead(name)
	}
	e := make([]float32, out*c)
	lo := (out - c) / 2
	for k := 0; k < c; k++ {
		e[(lo+k)*c+k] = 1
	}
	o := &padShortcutOp{in: in, out: n.newPop(name, out, p.OutSize(h, 1), p.OutSize(w, 1)), p: p}
	o.embed = n.B.Alloc(backends.Shape{out, c, 1, 1})
	n.B.Upload(o.embed, e)
	return n.add(o)
}

// padShortcutOp is the option-A shortcut: y = conv1×1(x, E, stride) with a
// fixed 0/1 channel embedding E [out, in, 1, 1].
type padShortcutOp struct {
	in, out *Population
	embed   backends.Tensor
	p       backends.ConvParams
}

func (o *padShortcutOp) inputs() []*Population    { return []*Population{o.in} }
func (o *padShortcutOp) output() *Population      { return o.out }
func (o *padShortcutOp) params() []*synapse.Param { return nil }
func (o *padShortcutOp) forward(n *Network, _ bool) {
	n.B.Conv2D(o.out.Act, o.in.Act, o.embed, nil, o.p)
}
func (o *padShortcutOp) backward(n *Network, acc []bool) {
	if !o.in.needsGrad {
		return
	}
	n.B.Conv2DBackwardData(gradInto(o.in, acc[0]), o.out.Grad, o.embed, o.p)
	finishGrad(n.B, o.in, acc[0])
}
