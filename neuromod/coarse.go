package neuromod

import (
	"fmt"

	"ghlsim/backends"
)

// coarseSign delivers the sign of a credit signal at neuron, layer or
// global granularity (see the package documentation for the exact sums).
type coarseSign struct {
	name   string // e.g. "grad-sign@neuron"
	credit Credit
	gran   Granularity
	k, f   int // W viewed as [K, F]: K post-synaptic neurons, F = fan-in

	// @neuron: the signs s_k as [1, K] and a row of F ones; M = sᵀ·ones is
	// one outer product on the device (LinearBackwardWeight, exact since
	// every product is s_k·1).
	s, onesF backends.Tensor
	views    []targetView // targets viewed as [K, F] (one per network sharing the source)

	// @layer: host copy of PostGrad for the float64 sum.
	host []float32
}

// newCoarseSign allocates what granularity g needs for weights of shape w.
func newCoarseSign(b backends.Backend, w backends.Shape, base string, c Credit, g Granularity) (Source, error) {
	if g != PerNeuron && g != PerLayer && g != Global {
		return nil, fmt.Errorf("%s: granularity %v is not coarse", base, g)
	}
	if !w.Valid() {
		return nil, fmt.Errorf("%s@%v: invalid weight shape %v", base, g, w)
	}
	k := w[0]
	s := &coarseSign{name: base + "@" + g.String(), credit: c, gran: g, k: k, f: w.Len() / k}
	switch g {
	case PerNeuron:
		s.s = b.Alloc(backends.Shape{1, k})
		s.onesF = b.Alloc(backends.Shape{1, s.f})
		b.Fill(s.onesF, 1)
	case PerLayer:
		s.host = make([]float32, k)
	}
	return s, nil
}

// Name is the base name with its granularity, e.g. "grad-sign@layer".
func (s *coarseSign) Name() string { return s.name }

// Credit is the path that must fill Inputs.PostGrad.
func (s *coarseSign) Credit() Credit { return s.credit }

// ReadsGlobalCredit is true at global granularity.
func (s *coarseSign) ReadsGlobalCredit() bool { return s.gran == Global }

// Modulate writes the coarse-grained sign into m.
func (s *coarseSign) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	switch s.gran {
	case PerNeuron:
		s.checkPost(in)
		b.Sign(s.s, in.PostGrad)
		b.LinearBackwardWeight(s.rows(b, m), nil, s.onesF, s.s)
	case PerLayer:
		s.checkPost(in)
		b.Download(s.host, in.PostGrad)
		var sum float64
		for _, v := range s.host {
			sum += float64(v)
		}
		b.Fill(m, sign64(sum))
	case Global:
		b.Fill(m, sign64(in.GlobalCredit))
	}
}

// checkPost panics unless Inputs.PostGrad is the [K] per-neuron credit.
func (s *coarseSign) checkPost(in Inputs) {
	if in.PostGrad == nil {
		panic(fmt.Sprintf("neuromod: %s for group %q: Inputs.PostGrad is nil (the credit phase must compute Σ_{b,p} ∂L/∂u_k by %v)", s.name, in.Group, s.credit))
	}
	if n := in.PostGrad.Shape().Len(); n != s.k {
		panic(fmt.Sprintf("neuromod: %s for group %q: PostGrad has %d values, want K = %d", s.name, in.Group, n, s.k))
	}
}

// targetView is a modulator target and its [K, F] view.
type targetView struct{ of, view backends.Tensor }

// rows is m viewed as [K, F], cached per target tensor so that the steady
// state allocates nothing, also when networks of two batch sizes share the
// source (the last, partial batch of an epoch).
func (s *coarseSign) rows(b backends.Backend, m backends.Tensor) backends.Tensor {
	for _, v := range s.views {
		if v.of == m {
			return v.view
		}
	}
	view := m
	if sh := m.Shape(); len(sh) != 2 || sh[0] != s.k || sh[1] != s.f {
		view = b.Reshape(m, backends.Shape{s.k, s.f})
	}
	if len(s.views) >= 4 {
		s.views = s.views[1:]
	}
	s.views = append(s.views, targetView{m, view})
	return view
}

// sign64 is sign(x) as float32 with sign(±0) = 0 and NaN kept, like
// Backend.Sign.
func sign64(x float64) float32 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return float32(x)
}
