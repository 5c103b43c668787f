package cpu

import (
	"fmt"
	"math"

	"ghlsim/backends"
)

// lossTask computes softmax cross-entropy for one sample per item, in
// float64 with the maximum logit subtracted (no overflow for any logits).
type lossTask struct {
	logits, dlogits []float32 // dlogits may be nil
	labels          []int32
	classes         int
	inv             float64   // 1/B: the loss is a batch mean
	loss            []float64 // per sample
	correct         []bool    // per sample
}

func (t *lossTask) run(s int) {
	z := t.logits[s*t.classes : (s+1)*t.classes]
	label := int(t.labels[s])
	best := 0
	for j, v := range z {
		if v > z[best] {
			best = j
		}
	}
	m := float64(z[best])
	var sum float64
	for _, v := range z {
		sum += math.Exp(float64(v) - m)
	}
	lse := m + math.Log(sum)
	t.loss[s] = lse - float64(z[label])
	t.correct[s] = best == label
	if t.dlogits == nil {
		return
	}
	d := t.dlogits[s*t.classes : (s+1)*t.classes]
	for j, v := range z {
		g := math.Exp(float64(v) - lse)
		if j == label {
			g--
		}
		d[j] = float32(g * t.inv)
	}
}

// SoftmaxCrossEntropy takes logits [B, classes] and labels, writes
// ∂(mean loss)/∂logits into dlogits (nil for evaluation) and returns the
// mean loss and the number of samples whose first argmax is the label.
func (b *Backend) SoftmaxCrossEntropy(dlogits, logits backends.Tensor, labels []int32) (float64, int) {
	lt := tensorOf(logits)
	if len(lt.shape) != 2 || lt.shape[0] != len(labels) {
		panic(fmt.Sprintf("cpu: SoftmaxCrossEntropy: logits %v for %d labels, want [B, classes]", lt.shape, len(labels)))
	}
	n, classes := lt.shape[0], lt.shape[1]
	for i, l := range labels {
		if l < 0 || int(l) >= classes {
			panic(fmt.Sprintf("cpu: SoftmaxCrossEntropy: label %d of sample %d is not in [0, %d)", l, i, classes))
		}
	}
	t := &b.ws.loss
	*t = lossTask{logits: lt.data, labels: labels, classes: classes, inv: 1 / float64(n),
		loss: grow64(&b.ws.lossPart, n), correct: growBool(&b.ws.lossHit, n)}
	if d := optTensor(dlogits); d != nil {
		sameShape("SoftmaxCrossEntropy", "dlogits", d, lt.shape)
		t.dlogits = d.data
	}
	b.workers.do(n, t)
	var loss float64
	correct := 0
	for i := range n {
		loss += t.loss[i]
		if t.correct[i] {
			correct++
		}
	}
	*t = lossTask{}
	return loss / float64(n), correct
}
