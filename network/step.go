package network

import (
	"fmt"
	"math"

	"ghlsim/backends"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// Hyper holds the learning rates and optimisers of the two parameter groups
// for one step (ALGORITHM.md §3: hidden groups by their rule, the classifier
// and BN affine parameters by plain backprop).
type Hyper struct {
	HiddenLR, HiddenWD   float32
	ReadoutLR, ReadoutWD float32
	// HiddenOpt is the optimiser when the hidden rule is bp (and for hidden biases).
	HiddenOpt synapse.Optimizer
	// ReadoutOpt trains the readout group and BN affine parameters.
	ReadoutOpt synapse.Optimizer
}

// StepStats is what one training step measured.
type StepStats struct {
	Step    int     // the step's number (before incrementing)
	Loss    float64 // mean loss over the batch
	Correct int     // correct argmax predictions in the batch
}

// Monitor observes training steps (DESIGN.md phase 8). Before runs after the
// broadcast and before plasticity, After once the step is complete; both only
// on steps where Due is true.
type Monitor interface {
	Due(step int) bool
	Before(n *Network, step int)
	After(n *Network, st StepStats)
}

// TrainStep runs one step of the schedule on a batch: x is B·features
// normalised inputs, labels B class indices.
func (n *Network) TrainStep(x []float32, labels []int32, h Hyper, monitors ...Monitor) (StepStats, error) {
	if !n.built {
		panic("network: TrainStep before Build")
	}
	x, labels = n.distBegin(x, labels) // data parallelism: this worker's shard (dist.go)
	// 1. present
	n.present(x, labels)
	// 2. forward
	for _, o := range n.ops {
		o.forward(n, true)
	}
	// 3. eligibility (groups whose term is not fused into the credit phase)
	if !n.frozen {
		for i, g := range n.Groups {
			if n.Roles[i] != Hidden {
				continue
			}
			if g.Rule.Needs().Eligibility && !n.synOf[g].fused {
				n.synOf[g].eligibility(n)
			}
			n.observeActivity(g)
		}
	}
	// 4.–8.
	return n.learnPhases(labels, h, false, monitors)
}

// present is phase 1: it checks the batch fits and copies it into the
// input population.
func (n *Network) present(x []float32, labels []int32) {
	if len(x) != n.InPop.Shape.Len() || len(labels) != n.Batch {
		panic(fmt.Sprintf("network: batch of %d values and %d labels does not fit input %v", len(x), len(labels), n.InPop.Shape))
	}
	n.B.Upload(n.InPop.Act, x)
}

// observeActivity hands a hidden group's input and output activity to a
// rule that reads them (synapse.ActivityRule: swta-fh, hpca-fh).
func (n *Network) observeActivity(g *synapse.Group) {
	if ar, ok := g.Rule.(synapse.ActivityRule); ok {
		o := n.synOf[g]
		ar.ObserveActivity(n.B, g, o.in.Act, o.out.Act)
	}
}

// learnPhases runs phases 4–8 of the schedule (loss, credit, broadcast,
// plasticity, monitor) once the forward pass and the eligibility phase are
// done. hebbDone says every hidden group's Hebbian term is already in its H
// (TrainPresentation integrated it over a window), so the credit phase must
// compute gradients only and not write the fused term over it.
func (n *Network) learnPhases(labels []int32, h Hyper, hebbDone bool, monitors []Monitor) (StepStats, error) {
	b := n.B
	step := n.step
	// 4. loss
	loss, correct := b.SoftmaxCrossEntropy(n.Logits.Grad, n.Logits.Act, labels)
	st := StepStats{Step: step, Loss: loss, Correct: correct}
	if n.dist == nil && (math.IsNaN(loss) || math.IsInf(loss, 0)) { // data-parallel: checked on the summed loss
		return st, &NumericError{Step: step, Where: "loss", Value: loss}
	}
	if n.dist != nil {
		n.distBeforeCredit() // data parallelism: shard share of the batch-mean loss (dist.go)
	}
	// 5. credit
	if hebbDone {
		saved := n.gradOnly
		n.gradOnly = true
		n.creditPhase(n.credit)
		n.gradOnly = saved
	} else {
		n.creditPhase(n.credit)
	}
	if n.dist != nil { // data parallelism: sum gradients and Hebbian terms over workers (dist.go)
		if err := n.distReduce(&st); err != nil {
			return st, err
		}
	}
	// 6. broadcast
	if !n.frozen {
		n.recordModInputs(st, labels) // the loss, labels and predictions sources read (modinputs.go)
		n.Channel.Broadcast(b, step, n.modInputsFn)
	}
	due := n.dueBuf[:0]
	for _, m := range monitors {
		if m.Due(step) {
			due = append(due, m)
			m.Before(n, step)
		}
	}
	n.dueBuf = due[:0]
	// 7. plasticity
	for i, g := range n.Groups {
		if n.Roles[i] == Readout {
			g.Rule.Apply(b, g, n.hyperFor(i, synapse.Hyper{LR: h.ReadoutLR, WeightDecay: h.ReadoutWD, Step: step, Optimizer: h.ReadoutOpt}))
		} else if !n.frozen {
			g.Rule.Apply(b, g, n.hyperFor(i, synapse.Hyper{LR: h.HiddenLR, WeightDecay: h.HiddenWD, Step: step, Optimizer: h.HiddenOpt}))
		}
	}
	for _, p := range n.bpParams {
		h.ReadoutOpt.Step(b, p, h.ReadoutLR, 0)
	}
	if err := n.checkStep(step); err != nil {
		return st, err
	}
	n.step++
	// 8. monitor
	for _, m := range due {
		m.After(n, st)
	}
	return st, nil
}

// modInputs is what the channel's source for subscriber i may read.
func (n *Network) modInputs(i int) neuromod.Inputs {
	return n.modInputsOf(n.Channel.Subscriptions()[i].Sub.(*synapse.Group))
}

// NumericError reports a NaN or Inf found during a step.
type NumericError struct {
	Step  int
	Where string // "loss" or a tensor name such as "conv2.weight"
	Value float64
}

func (e *NumericError) Error() string {
	return fmt.Sprintf("numeric failure at step %d: %s is %v (lower the learning rate, or check the input normalisation)", e.Step, e.Where, e.Value)
}

// Evaluate runs the forward pass in eval mode (BN running statistics, no
// dropout) on a batch whose first count samples are real (the rest padding)
// and returns the summed loss and the number of correct predictions over
// those count samples.
func (n *Network) Evaluate(x []float32, labels []int32, count int) (lossSum float64, correct int) {
	b := n.B
	b.Upload(n.InPop.Act, x)
	for _, o := range n.ops {
		o.forward(n, false)
	}
	classes := n.Logits.Shape[1]
	if len(n.hostLogits) != n.Logits.Shape.Len() {
		n.hostLogits = make([]float32, n.Logits.Shape.Len())
	}
	b.Download(n.hostLogits, n.Logits.Act)
	lossSum, correct = scoreLogits(n.hostLogits, classes, labels, count)
	return lossSum, correct
}

// checkStep is the per-step numeric guard: every group's eligibility
// maximum (free: the kernel returned it) and the max |W| of every parameter
// (one device reduction each, which propagates NaN) must be finite, so a
// NaN or Inf is reported at the step and layer where it first appears.
func (n *Network) checkStep(step int) error {
	for _, g := range n.Groups {
		if g.H != nil && !finite32(g.HMax) {
			return &NumericError{Step: step, Where: g.Name + ".eligibility", Value: float64(g.HMax)}
		}
	}
	for _, p := range n.allParams {
		if m := n.B.MaxAbs(p.Value); !finite32(m) {
			return &NumericError{Step: step, Where: p.Name, Value: float64(m)}
		}
	}
	return nil
}

func finite32(x float32) bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }

// CheckFinite scans weights and eligibilities for NaN/Inf (on the host) and
// returns a NumericError naming the first bad tensor.
func (n *Network) CheckFinite() error {
	for _, t := range n.StateTensors() {
		if t.Kind != KindWeight && t.Kind != KindEligibility {
			continue
		}
		host := make([]float32, t.T.Shape().Len())
		n.B.Download(host, t.T)
		for _, v := range host {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return &NumericError{Step: n.step, Where: t.Name, Value: float64(v)}
			}
		}
	}
	return nil
}

var _ = backends.Shape{}

// scoreLogits is the summed softmax cross-entropy and the number of correct
// argmax predictions of the first count rows of host logits [B, classes].
func scoreLogits(logits []float32, classes int, labels []int32, count int) (lossSum float64, correct int) {
	for i := 0; i < count; i++ {
		row := logits[i*classes : (i+1)*classes]
		mx, arg := row[0], 0
		for k, v := range row {
			if v > mx {
				mx, arg = v, k
			}
		}
		var se float64
		for _, v := range row {
			se += math.Exp(float64(v - mx))
		}
		lossSum += math.Log(se) - float64(row[labels[i]]-mx)
		if arg == int(labels[i]) {
			correct++
		}
	}
	return lossSum, correct
}
