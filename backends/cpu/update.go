package cpu

import (
	"fmt"
	"math"

	"ghlsim/backends"
)

// updKind selects the rule of an updateTask.
type updKind int

const (
	updModulated updKind = iota
	updSGD
	updAdam
)

// updateTask applies a parameter update over grain-sized element ranges.
type updateTask struct {
	kind            updKind
	w, g, e, m, v   []float32 // e: eligibility, m: modulator (ModulatedUpdate) or first moment (Adam)
	lr, wd, a, b, c float32
	eps             float32
}

func (t *updateTask) run(i int) {
	lo, hi := span(i, grain, len(t.w))
	w := t.w[lo:hi]
	switch t.kind {
	case updModulated:
		// W ← W − lr·(|E|·eScale ⊙ M + wd·W) (ALGORITHM.md §3); a = eScale.
		e, m := t.e[lo:hi], t.m[lo:hi]
		for j, wj := range w {
			w[j] = wj - t.lr*(abs32(e[j])*t.a*m[j]+t.wd*wj)
		}
	case updSGD:
		// d = g + wd·W; v = momentum·v + d; W ← W − lr·v (a = momentum).
		g := t.g[lo:hi]
		if t.v == nil {
			for j, wj := range w {
				w[j] = wj - t.lr*(g[j]+t.wd*wj)
			}
			return
		}
		v := t.v[lo:hi]
		for j, wj := range w {
			v[j] = t.a*v[j] + g[j] + t.wd*wj
			w[j] = wj - t.lr*v[j]
		}
	case updAdam:
		// PyTorch Adam with coupled L2: a, b = β1, β2; c = 1/sqrt(1−β2^t);
		// lr is already divided by 1−β1^t.
		g, m, v := t.g[lo:hi], t.m[lo:hi], t.v[lo:hi]
		for j, wj := range w {
			d := g[j] + t.wd*wj
			m[j] = t.a*m[j] + (1-t.a)*d
			v[j] = t.b*v[j] + (1-t.b)*d*d
			den := float32(math.Sqrt(float64(v[j])))*t.c + t.eps
			w[j] = wj - t.lr*m[j]/den
		}
	}
}

// update runs t over len(t.w) elements.
func (b *Backend) update(t *updateTask) {
	b.workers.do(items(len(t.w), grain), t)
	*t = updateTask{}
}

// ModulatedUpdate applies the GHL update (ALGORITHM.md §3):
// W ← W − lr·(|E|·eScale ⊙ M + wd·W). e and m may be the same tensor.
func (b *Backend) ModulatedUpdate(w, e, m backends.Tensor, eScale, lr, wd float32) {
	wt, et, mt := tensorOf(w), tensorOf(e), tensorOf(m)
	sameLen("ModulatedUpdate", wt, et, mt)
	t := &b.ws.upd
	*t = updateTask{kind: updModulated, w: wt.data, e: et.data, m: mt.data, a: eScale, lr: lr, wd: wd}
	b.update(t)
}

// SGD applies PyTorch SGD (dampening 0, coupled weight decay):
// v = momentum·v + (g + wd·W); W ← W − lr·v. vel may be nil when momentum
// is 0. A zero-initialised vel reproduces PyTorch's first step (v = g).
func (b *Backend) SGD(w, g, vel backends.Tensor, lr, momentum, wd float32) {
	wt, gt := tensorOf(w), tensorOf(g)
	sameLen("SGD", wt, gt)
	t := &b.ws.upd
	*t = updateTask{kind: updSGD, w: wt.data, g: gt.data, lr: lr, a: momentum, wd: wd}
	if vt := optTensor(vel); vt != nil {
		sameLen("SGD", wt, vt)
		t.v = vt.data
	} else if momentum != 0 {
		panic("cpu: SGD: momentum needs a velocity tensor")
	}
	b.update(t)
}

// Adam applies one PyTorch Adam step (coupled L2 weight decay, no amsgrad):
// d = g + wd·W, m = β1·m + (1−β1)·d, v = β2·v + (1−β2)·d²,
// W ← W − lr/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + eps); step counts from 1.
func (b *Backend) Adam(w, g, m, v backends.Tensor, lr, beta1, beta2, eps, wd float32, step int) {
	wt, gt, mt, vt := tensorOf(w), tensorOf(g), tensorOf(m), tensorOf(v)
	sameLen("Adam", wt, gt, mt, vt)
	if step < 1 {
		panic(fmt.Sprintf("cpu: Adam: step %d must count from 1", step))
	}
	bc1 := 1 - math.Pow(float64(beta1), float64(step))
	bc2 := 1 - math.Pow(float64(beta2), float64(step))
	t := &b.ws.upd
	*t = updateTask{kind: updAdam, w: wt.data, g: gt.data, m: mt.data, v: vt.data,
		lr: float32(float64(lr) / bc1), a: beta1, b: beta2, c: float32(1 / math.Sqrt(bc2)), eps: eps, wd: wd}
	b.update(t)
}
