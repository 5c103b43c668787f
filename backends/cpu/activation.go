package cpu

import (
	"fmt"
	"math"

	"ghlsim/backends"
)

// actTask runs an activation or its backward pass. ReLU items are grain-sized
// element ranges; Triangle items are samples, since its channel mean couples
// every channel at a position.
type actTask struct {
	kind     backends.ActKind
	backward bool
	x, y, dy []float32 // y is dx in the backward pass
	C, P     int
	power    float32
	mean     []float64 // Triangle: [B, P] channel means
	tmean    []float64 // Triangle backward: [B, P] channel means of dy·f'
}

func (t *actTask) run(i int) {
	if t.kind == backends.ReLU {
		lo, hi := span(i, grain, len(t.x))
		x, y := t.x[lo:hi], t.y[lo:hi]
		if t.backward {
			dy := t.dy[lo:hi]
			dy = dy[:len(x)]
			done := reluVector(x, y, dy)
			x, y, dy = x[done:], y[done:], dy[done:]
			for j, v := range x {
				// v > 0 exactly when its bits less one lie below +Inf's bits
				// (positive, nonzero, not NaN): an integer mask the compiler
				// selects without a branch, where a float compare would
				// mispredict on half of all inputs.
				var m uint32
				if math.Float32bits(v)-1 < 0x7f800000 {
					m = ^uint32(0)
				}
				y[j] = math.Float32frombits(math.Float32bits(dy[j]) & m)
			}
			return
		}
		done := reluVector(x, y, nil)
		x, y = x[done:], y[done:]
		for j, v := range x {
			y[j] = max(v, 0)
		}
		return
	}
	t.triangle(i)
}

// triangle computes, for sample s, y = ReLU(x − mean_c x)^power (SoftHebb,
// ALGORITHM.md §4), or in the backward pass the full Jacobian product
// dx_j = g_j − mean_c g_c with g_c = dy_c·f'(z_c), which includes the
// dependence of the channel mean on every channel.
func (t *actTask) triangle(s int) {
	n := t.C * t.P
	x := t.x[s*n : (s+1)*n]
	y := t.y[s*n : (s+1)*n]
	m := t.mean[s*t.P : (s+1)*t.P]
	clear(m)
	for c := 0; c < t.C; c++ {
		for p, v := range x[c*t.P : (c+1)*t.P] {
			m[p] += float64(v)
		}
	}
	for p := range m {
		m[p] /= float64(t.C)
	}
	if !t.backward {
		for c := 0; c < t.C; c++ {
			yc := y[c*t.P : (c+1)*t.P]
			for p, v := range x[c*t.P : (c+1)*t.P] {
				yc[p] = t.f(float32(float64(v) - m[p]))
			}
		}
		return
	}
	dy := t.dy[s*n : (s+1)*n]
	tm := t.tmean[s*t.P : (s+1)*t.P]
	clear(tm)
	for c := 0; c < t.C; c++ {
		yc, dc := y[c*t.P:(c+1)*t.P], dy[c*t.P:(c+1)*t.P]
		for p, v := range x[c*t.P : (c+1)*t.P] {
			g := dc[p] * t.df(float32(float64(v)-m[p]))
			yc[p] = g
			tm[p] += float64(g)
		}
	}
	for c := 0; c < t.C; c++ {
		yc := y[c*t.P : (c+1)*t.P]
		for p := range yc {
			yc[p] -= float32(tm[p] / float64(t.C))
		}
	}
}

// f is ReLU(z)^power.
func (t *actTask) f(z float32) float32 {
	switch {
	case z <= 0:
		return 0
	case t.power == 1:
		return z
	}
	return pow32(z, t.power)
}

// df is the derivative of f (0 for z ≤ 0).
func (t *actTask) df(z float32) float32 {
	switch {
	case z <= 0:
		return 0
	case t.power == 1:
		return 1
	}
	return t.power * pow32(z, t.power-1)
}

// act checks shapes and runs an activation op.
func (b *Backend) act(op string, y, x, dy *Tensor, p backends.ActParams) {
	sameShape(op, "output", y, x.shape)
	if dy != nil {
		sameShape(op, "dy", dy, x.shape)
	}
	switch p.Kind {
	case backends.Identity:
		src := x
		if dy != nil {
			src = dy
		}
		if !sameData(y, src) {
			b.Copy(y, src)
		}
		return
	case backends.ReLU, backends.Triangle:
	default:
		panic(fmt.Sprintf("cpu: %s: unknown activation %d", op, p.Kind))
	}
	t := &b.ws.act
	*t = actTask{kind: p.Kind, backward: dy != nil, x: x.data, y: y.data, power: p.Power}
	if t.power == 0 {
		t.power = 1
	}
	if dy != nil {
		t.dy = dy.data
	}
	n := items(len(x.data), grain)
	if p.Kind == backends.Triangle {
		var bs, h, w int
		bs, t.C, h, w = nchw(op, "x", x)
		t.P = h * w
		t.mean = grow64(&b.ws.actMean, bs*t.P)
		t.tmean = grow64(&b.ws.actTMean, bs*t.P)
		n = bs
	}
	b.workers.do(n, t)
	*t = actTask{}
}

// Activation computes y = f(x) for Identity, ReLU or Triangle.
func (b *Backend) Activation(y, x backends.Tensor, p backends.ActParams) {
	b.act("Activation", tensorOf(y), tensorOf(x), nil, p)
}

// ActivationBackward computes dx = ∂f/∂x·dy (for Triangle the full Jacobian
// including the channel mean). dx may share storage with dy but not with x.
func (b *Backend) ActivationBackward(dx, dy, x backends.Tensor, p backends.ActParams) {
	b.act("ActivationBackward", tensorOf(dx), tensorOf(x), tensorOf(dy), p)
}
