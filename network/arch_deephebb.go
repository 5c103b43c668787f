package network

import (
	"fmt"
	"math"

	"ghlsim/backends"
	"ghlsim/internal/rng"
)

// deepHebbBlocks are the paper's three conv blocks (ALGORITHM.md §5).
var deepHebbBlocks = []struct {
	out, kernel, pad int
	tInv             float32
	triPower         float32 // SoftHebb's Triangle power
	pool             string
}{
	{96, 5, 2, 1.0, 0.7, "max"},
	{384, 3, 1, 0.65, 1.4, "max"},
	{1536, 3, 1, 0.25, 1.0, "avg"},
}

// buildDeepHebb builds BN(no affine) → conv → ReLU → pool per block, then
// flatten → dropout (o.Dropout, default 0.5) → linear. Convs have no bias and Kaiming-normal init
// with zero padding (GHL), or Triangle activations, reflect padding and
// SoftHebb's init when o.SoftHebb.
func buildDeepHebb(n *Network, o ArchOptions) error {
	h := n.Input(o.C, o.H, o.W)
	for i, blk := range deepHebbBlocks {
		name := fmt.Sprintf("conv%d", i+1)
		out, err := o.channels(name, blk.out)
		if err != nil {
			return err
		}
		h = n.BatchNorm(h, fmt.Sprintf("bn%d", i+1), false)
		spec := ConvSpec{Name: name, Out: out, Kernel: blk.kernel, Pad: blk.pad, TInv: blk.tInv}
		act := backends.ActParams{Kind: backends.ReLU}
		if o.SoftHebb {
			spec.Mode = backends.PadReflect
			act = backends.ActParams{Kind: backends.Triangle, Power: blk.triPower}
		}
		h = n.Conv(h, spec)
		if o.SoftHebb && n.Err() == nil {
			n.initSoftHebb(n.Groups[len(n.Groups)-1].Weight.Value, n.Groups[len(n.Groups)-1].FanIn(), name)
		}
		h = n.Act(h, fmt.Sprintf("act%d", i+1), act)
		if blk.pool == "max" {
			h = n.MaxPool(h, fmt.Sprintf("pool%d", i+1), backends.PoolParams{Kernel: 4, Stride: 2, Pad: 1})
		} else {
			h = n.AvgPool(h, fmt.Sprintf("pool%d", i+1), backends.PoolParams{Kernel: 2, Stride: 2})
		}
	}
	h = n.Flatten(h, "flatten")
	h = n.Dropout(h, "dropout", o.dropout())
	n.Dense(h, DenseSpec{Name: "fc", Out: o.Classes, Bias: true, Init: InitUniform, Role: Readout})
	return n.Err()
}

// initSoftHebb draws SoftHebb's initial weights, (25/√fan_in)·N(0, 1)
// (ALGORITHM.md §4), from the group's named stream.
func (n *Network) initSoftHebb(w backends.Tensor, fanIn int, name string) {
	host := make([]float32, w.Shape().Len())
	rng.Normal(rng.Stream(n.Seed, "init-softhebb/"+name), host, 25/math.Sqrt(float64(fanIn)))
	n.B.Upload(w, host)
}
