// FastHebb (ALGORITHM.md §5, the reference's FastHebb.py): four conv blocks
// 96/128/192/256 (conv → ReLU → [MaxPool 2] → BN without affine), then
// flatten → Linear 4096 → ReLU → BN1d(affine) → Dropout 0.5 → Linear classes.
//
// Parameter groups: every conv weight is a Hidden synapse group (GHL or the
// network's hidden rule; no bias, Kaiming-normal fan_in init as the
// reference's HebbConv2d, zero padding 0). fc5, its BatchNorm1d affine
// parameters and the classifier are trained by backprop (ALGORITHM.md §3:
// "in FastHebb, fc5 + its BatchNorm"), so fc5 and the classifier have Role
// Readout and PyTorch's default Linear init. The paper does not say how it
// treats BN affine parameters and shortcut convs (ALGORITHM.md §5). FastHebb
// has no shortcuts and its conv BNs have no affine parameters; the one affine
// BN (bn5) is trained by BP with the readout learning rate, as the
// reference code does and as every BN affine parameter in ghlsim.
//
// The width multiplier scales every hidden layer: the four conv widths and
// fc5's 4096 units (the classifier keeps o.Classes outputs). The reference is
// for 32×32 inputs (flatten 256·3·3 = 2304); other sizes work when the spatial
// extent survives the stack (at least 24×24) and fc5 reads whatever the
// flatten gives.

package network

import (
	"fmt"

	"ghlsim/backends"
)

// fastHebbBlocks are the paper's four conv blocks (ALGORITHM.md §5).
var fastHebbBlocks = []struct {
	out, kernel int
	pool        bool // MaxPool 2 between the ReLU and the BN
}{
	{96, 5, true},
	{128, 3, false},
	{192, 3, true},
	{256, 3, false},
}

// fastHebbFC is fc5's width at Width 1.
const fastHebbFC = 4096

// fastHebbExtent is the spatial extent after the conv stack for an input
// extent in (valid convs, floor-mode 2×2 pools), or a value < 1 when the
// input is too small.
func fastHebbExtent(in int) int {
	for _, b := range fastHebbBlocks {
		in = in - b.kernel + 1
		if in < 1 {
			return 0
		}
		if b.pool {
			in /= 2
		}
	}
	return in
}

// buildFastHebb builds the FastHebb network of ALGORITHM.md §5.
func buildFastHebb(n *Network, o ArchOptions) error {
	if fastHebbExtent(o.H) < 1 || fastHebbExtent(o.W) < 1 {
		return fmt.Errorf("fasthebb: a %d×%d input is too small for its four valid convs (k5, k3, k3, k3) and two 2×2 max-pools: it needs at least 24×24 (the paper uses 32×32)", o.H, o.W)
	}
	h := n.Input(o.C, o.H, o.W)
	for i, blk := range fastHebbBlocks {
		name := fmt.Sprintf("conv%d", i+1)
		out, err := o.channels(name, blk.out)
		if err != nil {
			return err
		}
		h = n.Conv(h, ConvSpec{Name: name, Out: out, Kernel: blk.kernel, Init: InitKaiming})
		h = n.Act(h, fmt.Sprintf("act%d", i+1), backends.ActParams{Kind: backends.ReLU})
		if blk.pool {
			h = n.MaxPool(h, fmt.Sprintf("pool%d", i+1), backends.PoolParams{Kernel: 2, Stride: 2})
		}
		h = n.BatchNorm(h, fmt.Sprintf("bn%d", i+1), false)
	}
	h = n.Flatten(h, "flatten")
	fc, err := o.channels("fc5", fastHebbFC)
	if err != nil {
		return err
	}
	n.fastHebbReadout(h, fc, o.Classes, o.dropout())
	return n.Err()
}

// fastHebbReadout adds FastHebb's blocks 5-6 (ALGORITHM.md §5) on a flat
// input: Linear fc (BP) → ReLU → BN1d(affine) → Dropout (0.5 by default)
// → Linear classes (BP). Both linears are Readout groups with bias.
func (n *Network) fastHebbReadout(h *Population, fc, classes int, dropout float32) *Population {
	h = n.Dense(h, DenseSpec{Name: "fc5", Out: fc, Bias: true, Init: InitUniform, Role: Readout})
	h = n.Act(h, "act5", backends.ActParams{Kind: backends.ReLU})
	h = n.BatchNorm(h, "bn5", true)
	h = n.Dropout(h, "dropout", dropout)
	return n.Dense(h, DenseSpec{Name: "classifier", Out: classes, Bias: true, Init: InitUniform, Role: Readout})
}
