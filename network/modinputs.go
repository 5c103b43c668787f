package network

import (
	"math"

	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// stepModInputs is what a training step records before the broadcast for
// the modulator sources to read (neuromod.Inputs' Loss, Correct, Labels,
// Predictions, SampleLoss and TimeMS). Its buffers are allocated on the
// first step and reused, so the step allocates nothing afterwards.
type stepModInputs struct {
	loss    float64
	correct int
	labels  []int32
	// timeMS is the simulated time of the step in ms (0 for batches).
	timeMS float64
	// pred and sampleLoss are the per-sample argmax classes and losses
	// of the step's logits.
	pred       []int32
	sampleLoss []float32
}

// recordModInputs stores the step's loss, correct count and labels for
// modInputs and, when some group subscribes to the channel, the
// per-sample predictions and losses: one download of the logits [B,
// classes] to the host, scored there.
func (n *Network) recordModInputs(st StepStats, labels []int32) {
	m := &n.mod
	m.loss, m.correct, m.labels = st.Loss, st.Correct, labels
	m.pred, m.sampleLoss = m.pred[:0], m.sampleLoss[:0]
	if n.frozen || len(n.Channel.Subscriptions()) == 0 {
		return
	}
	classes := n.Logits.Shape[1]
	rows := len(labels)
	if len(n.hostLogits) != n.Logits.Shape.Len() {
		n.hostLogits = make([]float32, n.Logits.Shape.Len())
	}
	if cap(m.pred) < rows {
		m.pred, m.sampleLoss = make([]int32, rows), make([]float32, rows)
	}
	m.pred, m.sampleLoss = m.pred[:rows], m.sampleLoss[:rows]
	n.B.Download(n.hostLogits, n.Logits.Act)
	for i := 0; i < rows; i++ {
		row := n.hostLogits[i*classes : (i+1)*classes]
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
		m.pred[i] = int32(arg)
		m.sampleLoss[i] = float32(math.Log(se) - float64(row[labels[i]]-mx))
	}
}

// modInputsOf is the neuromod.Inputs of group g (grad, post-synaptic
// credit, seed and the step's recorded loss, labels and predictions); the
// channel adds the step, name and index.
func (n *Network) modInputsOf(g *synapse.Group) neuromod.Inputs {
	m := &n.mod
	in := neuromod.Inputs{Grad: g.Weight.Grad, PostGrad: n.synOf[g].biasGrad(), Seed: n.Seed,
		Loss: m.loss, Correct: m.correct, Labels: m.labels, TimeMS: m.timeMS}
	if len(m.pred) > 0 {
		in.Predictions, in.SampleLoss = m.pred, m.sampleLoss
	}
	return in
}
