package network

import (
	"fmt"
	"math"

	"ghlsim/backends"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// Rules chooses how the network's groups learn.
type Rules struct {
	// Hidden is the rule of hidden groups: ghl, sign, bp, hebb, softhebb, …
	Hidden string
	// Modulator is the source spec of the third factor for hidden rules that
	// read one (default "grad-sign", the paper).
	Modulator string
	// Decay is the eligibility-trace decay γ ∈ [0, 1) (0 = the paper).
	Decay float32
	// StepMS is the simulated time one training step stands for (one
	// presentation), so that Modulator may give delays in ms
	// (delay:200ms, every:50ms; neuromod.InSteps); 0 = steps only.
	StepMS float64
	// Steps is the number of steps the run will take, when known (> 0): a
	// modulator delay of that many steps or more is refused, since it would
	// deliver only zeros.
	Steps int
	// DelayMemory is the most host memory the modulator's delay lines may
	// hold, summed over the groups (0 = neuromod.DefaultDelayMemory, 1 GiB);
	// a longer delay is refused by Build before anything is allocated.
	DelayMemory int64
}

// Build checks the graph, chooses each group's rule, allocates every tensor
// and fixes the event schedule. It reports the first builder error.
func (n *Network) Build(r Rules) error {
	if n.err != nil {
		return n.err
	}
	if n.built {
		return fmt.Errorf("network already built")
	}
	if n.InPop == nil || len(n.ops) == 0 {
		return fmt.Errorf("network has no input or no layers")
	}
	last := n.ops[len(n.ops)-1].output()
	if len(last.Shape) != 2 {
		return fmt.Errorf("the last layer %s must produce logits [B, classes], got %v", last.Name, last.Shape)
	}
	n.Logits = last
	if r.Modulator == "" {
		r.Modulator = "grad-sign"
	}
	if r.Decay < 0 || r.Decay >= 1 {
		return fmt.Errorf("eligibility decay %g must be in [0, 1)", r.Decay)
	}
	delayLimit := r.DelayMemory
	if delayLimit <= 0 {
		delayLimit = neuromod.DefaultDelayMemory
	}
	var delayBytes int64
	n.Channel = neuromod.NewChannel()
	n.modInputsFn = n.modInputs
	if f, ok := n.B.(backends.HebbGradFuser); ok {
		n.fuser = f
	}
	for i, g := range n.Groups {
		name := r.Hidden
		if n.Roles[i] == Readout {
			name = "bp"
		}
		rule, err := synapse.NewRule(name)
		if err != nil {
			return err
		}
		g.Rule = rule
		g.Decay = r.Decay
		g.EnsurePlasticState(n.B)
		need := rule.Needs()
		o := n.synOf[g]
		if need.Modulator {
			spec, err := neuromod.InSteps(r.Modulator, r.StepMS)
			if err != nil {
				return fmt.Errorf("modulator: %w", err)
			}
			src, err := neuromod.New(n.B, spec, g.Weight.Value.Shape())
			if err != nil {
				return err
			}
			if b := neuromod.DelayBytesOf(src); b > math.MaxInt64-delayBytes {
				delayBytes = math.MaxInt64
			} else {
				delayBytes += b
			}
			if err := neuromod.CheckDelay(src, r.Steps, delayBytes, delayLimit); err != nil {
				return fmt.Errorf("modulator %w", err)
			}
			n.Channel.Subscribe(g.Name, g, src)
			if g.Bias == nil {
				o.postGrad = n.B.Alloc(backends.Shape{g.Out})
			}
		}
		o.needW = need.Gradient || need.Modulator
		o.fused = n.fuser != nil && need.Eligibility && o.needW && g.Kind == synapse.Conv
	}
	for _, p := range n.pops {
		if len(p.consumers) > 1 {
			for _, c := range p.consumers {
				if _, isFlat := c.(*flattenOp); isFlat {
					return fmt.Errorf("%s feeds a flatten and another layer; flatten must be its only consumer", p.Name)
				}
			}
		}
	}
	n.markGradients()
	n.allocate()
	if err := n.setupCredit(); err != nil {
		return err
	}
	n.allParams = n.Params()
	for _, o := range n.ops {
		n.bpParams = append(n.bpParams, o.params()...)
	}
	n.built = true
	return nil
}

// trainsParams reports whether an op has parameters that learn by gradient.
func (n *Network) trainsParams(o op) bool {
	if s, ok := o.(*synOp); ok {
		return s.needW && !(n.frozen && n.roleOf(s.g) == Hidden)
	}
	return len(o.params()) > 0
}

func (n *Network) roleOf(g *synapse.Group) Role {
	for i, h := range n.Groups {
		if h == g {
			return n.Roles[i]
		}
	}
	return Hidden
}

// markGradients decides which populations need ∂L/∂activity: those with a
// gradient-trained parameter at or upstream of their producer. The first
// layer's input never does, so no input gradient is computed for it.
func (n *Network) markGradients() {
	for _, p := range n.pops {
		p.needsGrad = false
	}
	for _, o := range n.ops {
		need := n.trainsParams(o)
		for _, in := range o.inputs() {
			need = need || in.needsGrad
		}
		o.output().needsGrad = need
	}
	// The accumulate table: walking backwards, the first op to write an
	// input's gradient overwrites it, later ones add to it.
	n.acc = make([][]bool, len(n.ops))
	written := map[*Population]bool{}
	for i := len(n.ops) - 1; i >= 0; i-- {
		ins := n.ops[i].inputs()
		n.acc[i] = make([]bool, len(ins))
		for j, in := range ins {
			n.acc[i][j] = written[in]
			written[in] = true
		}
	}
}

// allocate gives every population its tensors. Gradients are allocated for
// the unfrozen case so freezing later needs no allocation.
func (n *Network) allocate() {
	b := n.B
	for _, p := range n.pops {
		if _, ok := p.producer.(*flattenOp); ok {
			continue // allocated as views below, once the input has storage
		}
		p.Act = b.Alloc(p.Shape)
		if p.needsGrad {
			p.Grad = b.Alloc(p.Shape)
			if len(p.consumers) > 1 {
				p.scratch = b.Alloc(p.Shape)
			}
		}
	}
	for _, o := range n.ops {
		switch o := o.(type) {
		case *flattenOp:
			o.out.Act = b.Reshape(o.in.Act, o.out.Shape)
			if o.out.needsGrad {
				if o.in.Grad == nil {
					o.in.Grad = b.Alloc(o.in.Shape)
				}
				o.out.Grad = b.Reshape(o.in.Grad, o.out.Shape)
				if len(o.out.consumers) > 1 {
					o.out.scratch = b.Alloc(o.out.Shape)
				}
			}
		case *bnOp:
			if o.gamma != nil {
				o.dxScratch = b.Alloc(o.in.Shape)
			}
		}
	}
	// The logits always carry a gradient (the loss writes it).
	if n.Logits.Grad == nil {
		n.Logits.Grad = b.Alloc(n.Logits.Shape)
	}
}

// SetFrozen stops (true) or resumes (false) learning in hidden groups: a
// frozen network trains only readout and BN-affine parameters, and skips the
// credit phase below them (SoftHebb's linear-readout protocol).
func (n *Network) SetFrozen(frozen bool) {
	n.frozen = frozen
	n.markGradients()
}
