package network

import "ghlsim/backends"

// lifLayer is a batched layer of leaky integrate-and-fire neurons unrolled
// over a presentation of T steps, built from Backend primitives only (so it
// runs on every backend). With β = e^{−dt/τ_m}, threshold θ and soft reset:
//
//	v_t = β·r_{t−1} + I_t,   s_t = S(v_t − θ),   r_t = v_t − θ·s_t
//
// S is the Heaviside step (S(0) = 0); its surrogate derivative is the boxcar
// S′(x) = 1/(2w) for |x| < w, 0 elsewhere. With Smooth set, the forward pass
// uses the ramp S(x) = clip(x/(2w) + ½, 0, 1) whose derivative that boxcar
// is, so that finite differences check the backward pass exactly.
//
// The backward pass is exact BPTT of that forward (the reset path
// included): with δr_t = β·δv_{t+1},
//
//	δv_t = S′(v_t − θ)·(δs_t − θ·δr_t) + δr_t,   δI_t = δv_t.
//
// With lateral inhibition of strength κ (inhibit), every neuron's current
// also loses κ for each spike of the other channels at its position at the
// previous step — a fixed 1×1 convolution L with L_kj = −κ(1 − δ_kj):
//
//	v_t = β·r_{t−1} + I_t + L∗s_{t−1},   so   δs_{t−1} += Lᵀ∗δv_t.
type lifLayer struct {
	b             backends.Backend
	beta, theta   float32
	width         float32
	smooth        bool
	v, s          []backends.Tensor // per step
	r, t1, t2     backends.Tensor   // scratch
	ones          backends.Tensor
	dvNext, deriv backends.Tensor
	// lateral inhibition (nil without): L [K, K, 1, 1] and a scratch
	lat, latCur backends.Tensor
}

// inhibit makes the layer's neurons inhibit each other with strength κ.
func (l *lifLayer) inhibit(kappa float32) {
	shape := l.r.Shape()
	k := shape[1]
	w := make([]float32, k*k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			if i != j {
				w[i*k+j] = -kappa
			}
		}
	}
	l.lat, l.latCur = l.b.Alloc(backends.Shape{k, k, 1, 1}), l.b.Alloc(shape)
	l.b.Upload(l.lat, w)
}

// latConv is the 1×1 convolution of the lateral inhibition.
var latConv = backends.ConvParams{Stride: 1}

func newLIFLayer(b backends.Backend, shape backends.Shape, steps int, beta, theta, width float32, smooth bool) *lifLayer {
	l := &lifLayer{b: b, beta: beta, theta: theta, width: width, smooth: smooth}
	for t := 0; t < steps; t++ {
		l.v = append(l.v, b.Alloc(shape))
		l.s = append(l.s, b.Alloc(shape))
	}
	l.r, l.t1, l.t2, l.ones, l.dvNext, l.deriv = b.Alloc(shape), b.Alloc(shape), b.Alloc(shape), b.Alloc(shape), b.Alloc(shape), b.Alloc(shape)
	b.Fill(l.ones, 1)
	return l
}

// step computes v_t and s_t from the input current I_t.
func (l *lifLayer) step(t int, in backends.Tensor) {
	b := l.b
	b.Copy(l.v[t], in)
	if t > 0 {
		b.AXPY(l.v[t], l.beta, l.r)
		if l.lat != nil {
			b.Conv2D(l.latCur, l.s[t-1], l.lat, nil, latConv)
			b.Add(l.v[t], l.v[t], l.latCur)
		}
	}
	b.Copy(l.t1, l.v[t])
	b.AXPY(l.t1, -l.theta, l.ones) // x = v − θ
	relu := backends.ActParams{Kind: backends.ReLU}
	if l.smooth {
		b.Fill(l.s[t], 0.5)
		b.AXPY(l.s[t], 1/(2*l.width), l.t1) // x/(2w) + ½
		b.Copy(l.t2, l.s[t])
		b.AXPY(l.t2, -1, l.ones)
		b.Activation(l.s[t], l.s[t], relu)
		b.Activation(l.t2, l.t2, relu)
		b.AXPY(l.s[t], -1, l.t2) // clip to [0, 1]
	} else {
		b.Sign(l.s[t], l.t1)
		b.Activation(l.s[t], l.s[t], relu) // H(x), H(0) = 0
	}
	b.Copy(l.r, l.v[t])
	b.AXPY(l.r, -l.theta, l.s[t])
}

// surrogate writes S′(v_t − θ) into l.deriv.
func (l *lifLayer) surrogate(t int) {
	b := l.b
	b.Copy(l.t1, l.v[t])
	b.AXPY(l.t1, -l.theta, l.ones)
	b.Sign(l.t2, l.t1)
	b.Mul(l.t1, l.t1, l.t2) // |x|
	b.Fill(l.deriv, l.width)
	b.AXPY(l.deriv, -1, l.t1) // w − |x|
	b.Sign(l.deriv, l.deriv)
	b.Activation(l.deriv, l.deriv, backends.ActParams{Kind: backends.ReLU}) // 1 where |x| < w
	b.AXPY(l.deriv, 1/(2*l.width)-1, l.deriv)                               // scale by 1/(2w)
}

// backward turns δs_t (ds[t], consumed) into δI_t (written into ds[t]),
// from t = T−1 down to 0.
func (l *lifLayer) backward(ds []backends.Tensor) {
	b := l.b
	b.Fill(l.dvNext, 0)
	for t := len(ds) - 1; t >= 0; t-- {
		l.surrogate(t)
		// δr = β·δv_{t+1} (in dvNext); δv = S′·(δs − θδr) + δr
		b.AXPY(ds[t], -l.theta*l.beta, l.dvNext)
		b.Mul(ds[t], ds[t], l.deriv)
		b.AXPY(ds[t], l.beta, l.dvNext)
		b.Copy(l.dvNext, ds[t])
		if l.lat != nil && t > 0 {
			b.Conv2DBackwardData(l.latCur, ds[t], l.lat, latConv)
			b.Add(ds[t-1], ds[t-1], l.latCur)
		}
	}
}
