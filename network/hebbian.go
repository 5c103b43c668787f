package network

import (
	"fmt"

	"ghlsim/synapse"
)

// HebbianStep runs one unsupervised step: present, forward (training mode),
// eligibility and plasticity of the hidden groups whose rule reads no
// gradient and no modulator (softhebb, hebb), each with its own learning
// rate lrs[i] (the i-th hidden group; the last value repeats). No labels, no
// loss, no credit: the readout does not learn. This is SoftHebb's and the
// FastHebb baselines' unsupervised phase (ALGORITHM.md §4).
func (n *Network) HebbianStep(x []float32, lrs []float32, wd float32) error {
	if !n.built {
		panic("network: HebbianStep before Build")
	}
	if len(x) != n.InPop.Shape.Len() {
		panic(fmt.Sprintf("network: batch of %d values does not fit input %v", len(x), n.InPop.Shape))
	}
	b := n.B
	b.Upload(n.InPop.Act, x)
	for _, o := range n.ops {
		o.forward(n, true)
	}
	hidden := 0
	for i, g := range n.Groups {
		if n.Roles[i] != Hidden {
			continue
		}
		need := g.Rule.Needs()
		if need.Gradient || need.Modulator {
			return fmt.Errorf("rule %s of %s needs a gradient or modulator and cannot run in an unsupervised phase", g.Rule.Name(), g.Name)
		}
		lr := lrs[len(lrs)-1]
		if hidden < len(lrs) {
			lr = lrs[hidden]
		}
		hidden++
		if need.Eligibility {
			n.synOf[g].eligibility(n)
		}
		if ar, ok := g.Rule.(synapse.ActivityRule); ok {
			o := n.synOf[g]
			ar.ObserveActivity(b, g, o.in.Act, o.out.Act)
		}
		g.Rule.Apply(b, g, synapse.Hyper{LR: lr, WeightDecay: wd, Step: n.step})
	}
	if err := n.checkStep(n.step); err != nil {
		return err
	}
	n.step++
	return nil
}
