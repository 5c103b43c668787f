package network

import (
	"ghlsim/backends"
	"ghlsim/internal/rng"
	"ghlsim/synapse"
)

// actOp applies an activation (ReLU, Triangle, identity).
type actOp struct {
	in, out *Population
	p       backends.ActParams
}

func (o *actOp) inputs() []*Population    { return []*Population{o.in} }
func (o *actOp) output() *Population      { return o.out }
func (o *actOp) params() []*synapse.Param { return nil }
func (o *actOp) forward(n *Network, _ bool) {
	n.B.Activation(o.out.Act, o.in.Act, o.p)
}
func (o *actOp) backward(n *Network, acc []bool) {
	if !o.in.needsGrad {
		return
	}
	n.B.ActivationBackward(gradInto(o.in, acc[0]), o.out.Grad, o.in.Act, o.p)
	finishGrad(n.B, o.in, acc[0])
}

// maxPoolOp is max pooling with argmax routing.
type maxPoolOp struct {
	in, out *Population
	p       backends.PoolParams
	arg     backends.Indices
}

func (o *maxPoolOp) inputs() []*Population    { return []*Population{o.in} }
func (o *maxPoolOp) output() *Population      { return o.out }
func (o *maxPoolOp) params() []*synapse.Param { return nil }
func (o *maxPoolOp) forward(n *Network, _ bool) {
	n.B.MaxPool2D(o.out.Act, o.arg, o.in.Act, o.p)
}
func (o *maxPoolOp) backward(n *Network, acc []bool) {
	if !o.in.needsGrad {
		return
	}
	n.B.MaxPool2DBackward(gradInto(o.in, acc[0]), o.out.Grad, o.arg)
	finishGrad(n.B, o.in, acc[0])
}

// avgPoolOp is average pooling.
type avgPoolOp struct {
	in, out *Population
	p       backends.PoolParams
}

func (o *avgPoolOp) inputs() []*Population    { return []*Population{o.in} }
func (o *avgPoolOp) output() *Population      { return o.out }
func (o *avgPoolOp) params() []*synapse.Param { return nil }
func (o *avgPoolOp) forward(n *Network, _ bool) {
	n.B.AvgPool2D(o.out.Act, o.in.Act, o.p)
}
func (o *avgPoolOp) backward(n *Network, acc []bool) {
	if !o.in.needsGrad {
		return
	}
	n.B.AvgPool2DBackward(gradInto(o.in, acc[0]), o.out.Grad, o.p)
	finishGrad(n.B, o.in, acc[0])
}

// bnOp is batch normalisation over channels, optionally affine (BP-trained).
type bnOp struct {
	name        string
	in, out     *Population
	gamma, beta *synapse.Param // nil without affine
	st          backends.BNState
	p           backends.BNParams
	dxScratch   backends.Tensor // dx sink when only the affine gradients are needed
}

func (o *bnOp) inputs() []*Population { return []*Population{o.in} }
func (o *bnOp) output() *Population   { return o.out }
func (o *bnOp) params() []*synapse.Param {
	if o.gamma == nil {
		return nil
	}
	return []*synapse.Param{o.gamma, o.beta}
}
func (o *bnOp) affine() (g, b backends.Tensor) {
	if o.gamma == nil {
		return nil, nil
	}
	return o.gamma.Value, o.beta.Value
}
func (o *bnOp) forward(n *Network, train bool) {
	if train && n.dist != nil {
		n.syncBNForward(o) // data parallelism: SyncBN (dist_bn.go)
		return
	}
	p := o.p
	p.Training = train
	g, b := o.affine()
	n.B.BatchNorm(o.out.Act, o.in.Act, g, b, o.st, p)
}
func (o *bnOp) backward(n *Network, acc []bool) {
	if n.dist != nil {
		n.syncBNBackward(o, acc) // data parallelism: SyncBN (dist_bn.go)
		return
	}
	needIn := o.in.needsGrad
	if !needIn && o.gamma == nil {
		return
	}
	g, _ := o.affine()
	var dg, db backends.Tensor
	if o.gamma != nil {
		dg, db = o.gamma.Grad, o.beta.Grad
	}
	dx := o.dxScratch // BN backward always produces dx; sink it when unused
	if needIn {
		dx = gradInto(o.in, acc[0])
	}
	n.B.BatchNormBackward(dx, dg, db, o.out.Grad, o.in.Act, g, o.st, o.p)
	if needIn {
		finishGrad(n.B, o.in, acc[0])
	}
}

// dropoutOp is inverted dropout with masks from a per-step seed.
type dropoutOp struct {
	name    string
	in, out *Population
	rate    float32
	mask    backends.Tensor
	key     uint64 // stream key derived from the run seed and the op name
}

func (o *dropoutOp) inputs() []*Population    { return []*Population{o.in} }
func (o *dropoutOp) output() *Population      { return o.out }
func (o *dropoutOp) params() []*synapse.Param { return nil }
func (o *dropoutOp) forward(n *Network, train bool) {
	if !train || o.rate == 0 {
		n.B.Copy(o.out.Act, o.in.Act)
		return
	}
	seed := backends.SplitMix64(o.key ^ uint64(n.step))
	if n.dist != nil {
		n.distDropout(o, seed) // data parallelism: this shard of the full-batch mask (dist.go)
		return
	}
	n.B.Dropout(o.out.Act, o.mask, o.in.Act, o.rate, seed)
}
func (o *dropoutOp) backward(n *Network, acc []bool) {
	if !o.in.needsGrad {
		return
	}
	if o.rate == 0 {
		if acc[0] {
			n.B.Add(o.in.Grad, o.in.Grad, o.out.Grad)
		} else {
			n.B.Copy(o.in.Grad, o.out.Grad)
		}
		return
	}
	n.B.Mul(gradInto(o.in, acc[0]), o.out.Grad, o.mask)
	finishGrad(n.B, o.in, acc[0])
}

func dropoutKey(seed uint64, name string) uint64 { return rng.Key(seed, "dropout/"+name) }

// addOp is the residual sum of two populations.
type addOp struct {
	a, b, out *Population
}

func (o *addOp) inputs() []*Population    { return []*Population{o.a, o.b} }
func (o *addOp) output() *Population      { return o.out }
func (o *addOp) params() []*synapse.Param { return nil }
func (o *addOp) forward(n *Network, _ bool) {
	n.B.Add(o.out.Act, o.a.Act, o.b.Act)
}
func (o *addOp) backward(n *Network, acc []bool) {
	for i, p := range []*Population{o.a, o.b} {
		if !p.needsGrad {
			continue
		}
		if acc[i] {
			n.B.Add(p.Grad, p.Grad, o.out.Grad)
		} else {
			n.B.Copy(p.Grad, o.out.Grad)
		}
	}
}

// flattenOp reshapes [B, C, H, W] to [B, C·H·W] as a view: its output shares
// the input's activity and gradient storage, so it costs nothing.
type flattenOp struct {
	in, out *Population
}

func (o *flattenOp) inputs() []*Population     { return []*Population{o.in} }
func (o *flattenOp) output() *Population       { return o.out }
func (o *flattenOp) params() []*synapse.Param  { return nil }
func (o *flattenOp) forward(*Network, bool)    {}
func (o *flattenOp) backward(*Network, []bool) {}
