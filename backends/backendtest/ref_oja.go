package backendtest

import "math"

// refSWTA returns y = softmax(tinv·u) over the K channels at every position
// of u [B, K, P]; with anti, every channel but the first argmax of u gets
// −y (SoftHebb). ALGORITHM.md §1 step 2 and §4.
func refSWTA(batch, k, p int, u []float64, tinv float64, anti bool) []float64 {
	y := make([]float64, len(u))
	for b := 0; b < batch; b++ {
		for q := 0; q < p; q++ {
			at := func(c int) int { return (b*k+c)*p + q }
			win, m := 0, math.Inf(-1)
			for c := 0; c < k; c++ {
				if u[at(c)] > u[at(win)] {
					win = c
				}
				m = math.Max(m, tinv*u[at(c)])
			}
			sum := 0.0
			for c := 0; c < k; c++ {
				y[at(c)] = math.Exp(tinv*u[at(c)] - m)
				sum += y[at(c)]
			}
			for c := 0; c < k; c++ {
				y[at(c)] /= sum
				if anti && c != win {
					y[at(c)] = -y[at(c)]
				}
			}
		}
	}
	return y
}

// refOja is the Oja-SWTA Hebbian term of ALGORITHM.md §1:
// A = Σ_{b,p} y·patch(x), s_k = Σ_{b,p} y_k·u_k, H = A − s⊙W. It also
// returns the scale of the subtraction, max(max|A|, max|s⊙W|), the output
// scale that float32 error is measured against.
func refOja(s convSpec, x, u, w []float64, tinv float64, anti bool) (h []float64, scale float64) {
	ho, wo := s.out()
	return refOjaGiven(s, x, refSWTA(s.B, s.K, ho*wo, u, tinv, anti), u, w)
}

// refOjaGiven is refOja for a competition output y given by the caller
// (OjaParams.Y): the same A, s and H with y in place of the softmax.
func refOjaGiven(s convSpec, x, y, u, w []float64) (h []float64, scale float64) {
	ho, wo := s.out()
	_, nw, _ := s.sizes()
	a := make([]float64, nw)
	s.tap(func(xi, wi, yi int) {
		if xi >= 0 {
			a[wi] += y[yi] * x[xi]
		}
	})
	sk := make([]float64, s.K)
	for i := range y {
		sk[i/(ho*wo)%s.K] += y[i] * u[i]
	}
	h = make([]float64, nw)
	per := nw / s.K
	for i := range h {
		sw := sk[i/per] * w[i]
		h[i] = a[i] - sw
		scale = math.Max(scale, math.Max(math.Abs(a[i]), math.Abs(sw)))
	}
	return h, scale
}
