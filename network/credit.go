package network

import (
	"fmt"
	"math"

	"ghlsim/backends"
	"ghlsim/internal/rng"
	"ghlsim/neuromod"
)

// Credit is how the credit phase assigns ∂L/∂W: backprop (BP, the paper),
// feedback alignment (FA: errors travel down through fixed random matrices
// instead of Wᵀ, so no weight transport) or direct feedback alignment (DFA:
// every hidden group receives the output error through its own fixed random
// projection). It is chosen by the modulator source (fa-sign, dfa-sign).
func (n *Network) Credit() neuromod.Credit { return n.credit }

// setupCredit picks the credit path from the hidden groups' modulator
// sources and allocates the feedback matrices it needs.
func (n *Network) setupCredit() error {
	n.credit = neuromod.BP
	for _, s := range n.Channel.Subscriptions() {
		c := neuromod.CreditOf(s.Source)
		if c != n.credit && n.credit != neuromod.BP {
			return fmt.Errorf("modulator sources ask for two credit paths (%v and %v); use one", n.credit, c)
		}
		n.credit = c
	}
	switch n.credit {
	case neuromod.FA:
		for _, g := range n.Groups {
			o := n.synOf[g]
			o.feedback = n.B.Alloc(g.Weight.Value.Shape())
			n.initRandom(o.feedback, "feedback/"+g.Name, math.Sqrt(2/float64(g.FanIn())))
		}
	case neuromod.DFA:
		classes := n.Logits.Shape[1]
		readoutStart := len(n.ops)
		for i, o := range n.ops {
			if s, ok := o.(*synOp); ok && n.roleOf(s.g) == Readout {
				readoutStart = i
				break
			}
		}
		region := map[*Population]bool{}
		for _, o := range n.ops[readoutStart:] {
			region[o.output()] = true
		}
		n.dfaRegion = region
		for i, g := range n.Groups {
			o := n.synOf[g]
			if n.Roles[i] == Readout {
				o.noDataGrad = !region[o.in]
				continue
			}
			feat := o.out.Features()
			o.feedback = n.B.Alloc(backends.Shape{feat, classes})
			n.initRandom(o.feedback, "dfa/"+g.Name, 1/math.Sqrt(float64(classes)))
			o.dfaProj = n.B.Alloc(o.out.Shape)
			o.dfaFlat = n.B.Reshape(o.dfaProj, backends.Shape{n.Batch, feat})
			if len(o.out.consumers) == 1 {
				o.gate = o.out.consumers[0]
			}
			if o.out.Grad == nil {
				o.out.Grad = n.B.Alloc(o.out.Shape)
			}
		}
	}
	return nil
}

// initRandom fills t with N(0, std²) draws from a named stream.
func (n *Network) initRandom(t backends.Tensor, stream string, std float64) {
	host := make([]float32, t.Shape().Len())
	rng.Normal(rng.Stream(n.Seed, stream), host, std)
	n.B.Upload(t, host)
}

// creditPhase runs the credit phase (DESIGN.md phase 5) on the path chosen
// by mode.
func (n *Network) creditPhase(mode neuromod.Credit) {
	saved := n.credit
	n.credit = mode
	defer func() { n.credit = saved }()
	if mode == neuromod.DFA {
		for i := len(n.ops) - 1; i >= 0; i-- {
			o := n.ops[i]
			if s, ok := o.(*synOp); ok && n.roleOf(s.g) == Hidden {
				if !n.frozen {
					s.dfaCredit(n)
				}
				continue
			}
			if n.dfaRegion[o.output()] && (o.output().needsGrad || n.trainsParams(o)) {
				o.backward(n, n.acc[i])
			}
		}
		return
	}
	for i := len(n.ops) - 1; i >= 0; i-- {
		o := n.ops[i]
		if o.output().needsGrad || n.trainsParams(o) {
			o.backward(n, n.acc[i])
		}
	}
}

// TrueGradients recomputes every ∂L/∂W of the current step by backprop and
// returns host copies per group (in Groups order), then restores the step's
// own credit (FA or DFA) bit for bit. Telemetry uses it to compare the
// applied modulator with the true gradient sign; under BP it just copies.
func (n *Network) TrueGradients() [][]float32 {
	out := make([][]float32, len(n.Groups))
	n.gradOnly = true // recomputation must not touch the eligibility traces
	defer func() { n.gradOnly = false }()
	if n.credit != neuromod.BP {
		n.creditPhase(neuromod.BP)
	}
	for i, g := range n.Groups {
		out[i] = hostCopy(n, g.Weight.Grad)
	}
	if n.credit != neuromod.BP {
		n.creditPhase(n.credit)
	}
	return out
}
