package network

import (
	"ghlsim/backends"
	"ghlsim/synapse"
)

// op is one node of the schedule: it reads input populations and writes one
// output population.
type op interface {
	// inputs lists the populations the op reads.
	inputs() []*Population
	// output is the population the op writes.
	output() *Population
	// forward computes the output activity.
	forward(n *Network, train bool)
	// backward computes parameter gradients and, for each input that needs
	// one, its gradient; acc[i] says input i's gradient must be added to
	// (not written over) because another consumer wrote it already.
	backward(n *Network, acc []bool)
	// params lists BP-trained tensors other than synapse groups (BN affine).
	params() []*synapse.Param
}

// gradInto returns where input i's gradient should be written: its Grad, or
// its scratch when acc is set (then finishGrad adds it).
func gradInto(p *Population, acc bool) backends.Tensor {
	if acc {
		return p.scratch
	}
	return p.Grad
}

// finishGrad adds the scratch into Grad when accumulating.
func finishGrad(b backends.Backend, p *Population, acc bool) {
	if acc {
		b.Add(p.Grad, p.Grad, p.scratch)
	}
}
