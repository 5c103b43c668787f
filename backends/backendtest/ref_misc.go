package backendtest

import "math"

// refSoftmaxCE returns the mean cross-entropy of logits [B, classes], its
// gradient with respect to the logits, and the number of samples whose first
// argmax equals the label.
func refSoftmaxCE(batch, classes int, logits []float64, labels []int32) (loss float64, d []float64, correct int) {
	d = make([]float64, len(logits))
	for b := 0; b < batch; b++ {
		z := logits[b*classes : (b+1)*classes]
		best := 0
		for j, v := range z {
			if v > z[best] {
				best = j
			}
		}
		if best == int(labels[b]) {
			correct++
		}
		sum := 0.0
		for _, v := range z {
			sum += math.Exp(v - z[best])
		}
		lse := z[best] + math.Log(sum)
		loss += (lse - z[labels[b]]) / float64(batch)
		for j, v := range z {
			d[b*classes+j] = math.Exp(v-lse) / float64(batch)
		}
		d[b*classes+int(labels[b])] -= 1 / float64(batch)
	}
	return loss, d, correct
}

// refModulated is the GHL update W − lr·(|E|·eScale·M + wd·W)
// (ALGORITHM.md §3).
func refModulated(w, e, m []float64, eScale, lr, wd float64) []float64 {
	out := make([]float64, len(w))
	for i := range w {
		out[i] = w[i] - lr*(math.Abs(e[i])*eScale*m[i]+wd*w[i])
	}
	return out
}

// refSGD is one PyTorch SGD step (dampening 0, coupled weight decay); it
// returns the new weights and velocity.
func refSGD(w, g, vel []float64, lr, momentum, wd float64) (w2, v2 []float64) {
	w2, v2 = make([]float64, len(w)), make([]float64, len(w))
	for i := range w {
		d := g[i] + wd*w[i]
		if momentum != 0 {
			d += momentum * vel[i] // buf = momentum·buf + (g + wd·W)
			v2[i] = d
		}
		w2[i] = w[i] - lr*d
	}
	return w2, v2
}

// refAdam is one PyTorch Adam step (coupled L2, no amsgrad) at step t.
func refAdam(w, g, m, v []float64, lr, b1, b2, eps, wd float64, t int) (w2, m2, v2 []float64) {
	w2, m2, v2 = make([]float64, len(w)), make([]float64, len(w)), make([]float64, len(w))
	bc1, bc2 := 1-math.Pow(b1, float64(t)), 1-math.Pow(b2, float64(t))
	for i := range w {
		d := g[i] + wd*w[i]
		m2[i] = b1*m[i] + (1-b1)*d
		v2[i] = b2*v[i] + (1-b2)*d*d
		w2[i] = w[i] - lr/bc1*m2[i]/(math.Sqrt(v2[i])/math.Sqrt(bc2)+eps)
	}
	return w2, m2, v2
}
