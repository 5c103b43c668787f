package cpu

import (
	"fmt"
	"math"

	"ghlsim/backends"
)

// bnTask runs batch normalisation (or its backward pass) for blocks of cb
// channels; each channel's statistics are float64 sums in (b, p) order, so
// the result does not depend on the blocking or the thread count.
type bnTask struct {
	x, y, dy           []float32 // y is dx in the backward pass
	gamma, beta        []float32 // nil: no affine
	dgamma, dbeta      []float32
	rm, rv, sm, si     []float32
	B, C, P, cb        int
	eps, mom           float64
	training, backward bool
}

func (t *bnTask) run(i int) {
	for c := i * t.cb; c < min(t.C, (i+1)*t.cb); c++ {
		if t.backward {
			t.bwd(c)
		} else {
			t.fwd(c)
		}
	}
}

// plane is channel c of sample b.
func (t *bnTask) plane(s []float32, b, c int) []float32 {
	return s[(b*t.C+c)*t.P : (b*t.C+c+1)*t.P]
}

// stats returns the mean and 1/sqrt(var+eps) that normalise channel c: the
// batch's (biased variance) in training, which also updates the running
// statistics with the unbiased variance, or the running ones in eval mode.
func (t *bnTask) stats(c int) (mean, inv float64) {
	if !t.training {
		return float64(t.rm[c]), 1 / math.Sqrt(float64(t.rv[c])+t.eps)
	}
	n := float64(t.B * t.P)
	var s float64
	for b := 0; b < t.B; b++ {
		for _, v := range t.plane(t.x, b, c) {
			s += float64(v)
		}
	}
	mean = s / n
	var q float64
	for b := 0; b < t.B; b++ {
		for _, v := range t.plane(t.x, b, c) {
			d := float64(v) - mean
			q += d * d
		}
	}
	variance := q / n
	inv = 1 / math.Sqrt(variance+t.eps)
	if t.sm != nil {
		t.sm[c], t.si[c] = float32(mean), float32(inv)
	}
	if t.rm != nil {
		t.rm[c] = float32((1-t.mom)*float64(t.rm[c]) + t.mom*mean)
		t.rv[c] = float32((1-t.mom)*float64(t.rv[c]) + t.mom*variance*n/max(n-1, 1))
	}
	return mean, inv
}

// fwd normalises channel c: y = (x − mean)·inv·γ + β.
func (t *bnTask) fwd(c int) {
	mean, inv := t.stats(c)
	scale, shift := float32(inv), float32(0)
	if t.gamma != nil {
		scale = float32(inv * float64(t.gamma[c]))
	}
	if t.beta != nil {
		shift = t.beta[c]
	}
	m := float32(mean)
	for b := 0; b < t.B; b++ {
		y := t.plane(t.y, b, c)
		for p, v := range t.plane(t.x, b, c) {
			y[p] = (v-m)*scale + shift
		}
	}
}

// bwd computes channel c's input gradient; in training mode it includes the
// batch statistics' dependence on x:
// dx = γ·inv·(dy − mean(dy) − x̂·mean(dy·x̂)).
func (t *bnTask) bwd(c int) {
	var mean, inv float64
	if t.training {
		mean, inv = float64(t.sm[c]), float64(t.si[c])
	} else {
		mean, inv = t.stats(c)
	}
	var sdy, sdyx float64
	for b := 0; b < t.B; b++ {
		dy := t.plane(t.dy, b, c)
		for p, v := range t.plane(t.x, b, c) {
			g := float64(dy[p])
			sdy += g
			sdyx += g * (float64(v) - mean) * inv
		}
	}
	if t.dgamma != nil {
		t.dgamma[c] = float32(sdyx)
	}
	if t.dbeta != nil {
		t.dbeta[c] = float32(sdy)
	}
	g := 1.0
	if t.gamma != nil {
		g = float64(t.gamma[c])
	}
	scale, m, a, k := float32(g*inv), float32(mean), float32(0), float32(0)
	if t.training {
		n := float64(t.B * t.P)
		a, k = float32(sdy/n), float32(sdyx/n*inv)
	}
	// dx = scale·(dy − a − (x − mean)·k), with k = mean(dy·x̂)·inv.
	for b := 0; b < t.B; b++ {
		dx, dy := t.plane(t.y, b, c), t.plane(t.dy, b, c)
		for p, v := range t.plane(t.x, b, c) {
			dx[p] = scale * (dy[p] - a - (v-m)*k)
		}
	}
}

// bn checks shapes and fills the task's common fields.
func (b *Backend) bn(op string, y, x *Tensor, gamma backends.Tensor, st backends.BNState, p backends.BNParams) *bnTask {
	n, c, h, w := nchw(op, "x", x)
	sameShape(op, "output", y, x.shape)
	t := &b.ws.bn
	*t = bnTask{x: x.data, y: y.data, B: n, C: c, P: h * w, eps: float64(p.Eps), mom: float64(p.Momentum),
		training: p.Training, cb: max(1, grain/(n*h*w))}
	t.gamma = vecOf(op, "gamma", gamma, c)
	t.rm, t.rv = vecOf(op, "RunMean", st.RunMean, c), vecOf(op, "RunVar", st.RunVar, c)
	t.sm, t.si = vecOf(op, "SaveMean", st.SaveMean, c), vecOf(op, "SaveInvStd", st.SaveInvStd, c)
	if (t.rm == nil) != (t.rv == nil) || (t.sm == nil) != (t.si == nil) {
		panic(fmt.Sprintf("cpu: %s: set both or neither of RunMean/RunVar and SaveMean/SaveInvStd", op))
	}
	if !p.Training && t.rm == nil {
		panic(fmt.Sprintf("cpu: %s: eval mode needs the running statistics", op))
	}
	return t
}

// BatchNorm normalises x per channel into y (ALGORITHM.md §5, PyTorch
// semantics): training mode uses the batch mean and biased variance, saves
// mean and 1/sqrt(var+eps) and updates running = (1−momentum)·running +
// momentum·batch with the unbiased variance; eval mode uses the running
// statistics. gamma and beta are [C] or nil.
func (b *Backend) BatchNorm(y, x, gamma, beta backends.Tensor, st backends.BNState, p backends.BNParams) {
	t := b.bn("BatchNorm", tensorOf(y), tensorOf(x), gamma, st, p)
	t.beta = vecOf("BatchNorm", "beta", beta, t.C)
	if p.Training && t.sm == nil {
		panic("cpu: BatchNorm: training mode needs SaveMean and SaveInvStd")
	}
	b.workers.do(items(t.C, t.cb), t)
	*t = bnTask{}
}

// BatchNormBackward computes dx (and dgamma, dbeta when gamma is not nil)
// from the statistics the training-mode forward pass saved; with
// p.Training false it is the backward pass of eval mode (running
// statistics, a per-channel affine map).
func (b *Backend) BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma backends.Tensor, st backends.BNState, p backends.BNParams) {
	const op = "BatchNormBackward"
	xt := tensorOf(x)
	t := b.bn(op, tensorOf(dx), xt, gamma, st, p)
	sameShape(op, "dy", tensorOf(dy), xt.shape)
	t.dy, t.backward = tensorOf(dy).data, true
	if t.gamma != nil {
		t.dgamma, t.dbeta = vecOf(op, "dgamma", dgamma, t.C), vecOf(op, "dbeta", dbeta, t.C)
	}
	if p.Training && t.sm == nil {
		panic("cpu: BatchNormBackward: training mode needs the saved statistics")
	}
	b.workers.do(items(t.C, t.cb), t)
	*t = bnTask{}
}
