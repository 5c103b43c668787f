// VGG for CIFAR (ALGORITHM.md §5: "VGG-16 … standard definitions"):
// Simonyan & Zisserman's configurations A (VGG-11) and D (VGG-16) with
// batch normalisation, as the common CIFAR adaptation — every conv is
// 3×3 pad 1 without bias → BN(affine) → ReLU, "M" is a 2×2 max-pool, and after
// the five pools a 32×32 input is 512·Width×1×1, read by one Linear
// classifier (512·Width → classes).
//
// Parameter groups: every conv weight is a Hidden synapse group (GHL or the
// network's hidden rule), Kaiming-normal fan_in init as the GHL reference's
// convs. The paper does not say how it treats BN affine parameters and
// shortcut convs (ALGORITHM.md §5); VGG has no shortcuts, and we train the BN
// affine parameters (γ = 1, β = 0 at init) by BP with the readout learning
// rate, like the classifier (Role Readout, bias, PyTorch's default Linear
// init).
//
// Inputs other than 32×32 work when they survive the five pools (at least
// 32×32); the classifier then reads 512·Width·(H/32)·(W/32) features.

package network

import (
	"fmt"

	"ghlsim/backends"
)

// vggConfigs are the standard VGG configurations: a conv's output channels,
// or 0 for a 2×2 max-pool.
var vggConfigs = map[string][]int{
	"vgg11": {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0},
	"vgg16": {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0},
}

// vggArch is the builtinArchs entry of the named configuration.
func vggArch(name string) archEntry {
	cfg := vggConfigs[name]
	return archEntry{name, fmt.Sprintf("%s-BN for 32×32 inputs: %d conv3×3+BN+ReLU layers, 5 max-pools, linear classifier (Simonyan & Zisserman, ALGORITHM.md §5)", name, vggConvs(cfg)),
		func(n *Network, o ArchOptions) error { return buildVGG(n, o, name, cfg) }}
}

// vggConvs counts the conv layers of a configuration.
func vggConvs(cfg []int) int {
	c := 0
	for _, v := range cfg {
		if v > 0 {
			c++
		}
	}
	return c
}

// buildVGG builds a VGG-BN network from a configuration list.
func buildVGG(n *Network, o ArchOptions, name string, cfg []int) error {
	pools := len(cfg) - vggConvs(cfg)
	if need := 1 << pools; o.H < need || o.W < need {
		return fmt.Errorf("%s: a %d×%d input does not survive its %d 2×2 max-pools: it needs at least %d×%d (the paper uses 32×32)", name, o.H, o.W, pools, need, need)
	}
	h := n.Input(o.C, o.H, o.W)
	conv, pool := 0, 0
	for _, v := range cfg {
		if v == 0 {
			pool++
			h = n.MaxPool(h, fmt.Sprintf("pool%d", pool), backends.PoolParams{Kernel: 2, Stride: 2})
			continue
		}
		conv++
		out, err := o.channels(fmt.Sprintf("conv%d", conv), v)
		if err != nil {
			return err
		}
		h = n.vggLayer(h, conv, out)
	}
	h = n.Flatten(h, "flatten")
	n.Dense(h, DenseSpec{Name: "classifier", Out: o.Classes, Bias: true, Init: InitUniform, Role: Readout})
	return n.Err()
}

// vggLayer adds VGG layer i: conv3×3 pad 1 without bias (a Hidden group
// named "conv<i>") → BN(affine, "bn<i>") → ReLU ("act<i>").
func (n *Network) vggLayer(h *Population, i, out int) *Population {
	h = n.Conv(h, ConvSpec{Name: fmt.Sprintf("conv%d", i), Out: out, Kernel: 3, Pad: 1, Init: InitKaiming})
	h = n.BatchNorm(h, fmt.Sprintf("bn%d", i), true)
	return n.Act(h, fmt.Sprintf("act%d", i), backends.ActParams{Kind: backends.ReLU})
}
