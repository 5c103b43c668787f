package backendtest

import "math"

// bnSpec is a batch normalisation over x [B, C, P] (P = H·W, 1 for [B, C]).
type bnSpec struct {
	B, C, P  int
	eps, mom float64
	training bool
}

// at is the offset of (b, c, p).
func (s bnSpec) at(b, c, p int) int { return (b*s.C+c)*s.P + p }

// stats returns channel c's mean and 1/sqrt(var+eps): biased batch variance
// in training, running statistics in eval mode.
func (s bnSpec) stats(x, rm, rv []float64, c int) (mean, inv, variance float64) {
	if !s.training {
		return rm[c], 1 / math.Sqrt(rv[c]+s.eps), rv[c]
	}
	n := float64(s.B * s.P)
	for b := 0; b < s.B; b++ {
		for p := 0; p < s.P; p++ {
			mean += x[s.at(b, c, p)] / n
		}
	}
	for b := 0; b < s.B; b++ {
		for p := 0; p < s.P; p++ {
			d := x[s.at(b, c, p)] - mean
			variance += d * d / n
		}
	}
	return mean, 1 / math.Sqrt(variance+s.eps), variance
}

// refBN is PyTorch BatchNorm: y = (x − mean)·inv·γ + β (γ, β nil: no
// affine). In training it also returns the saved statistics and the updated
// running ones (momentum update with the unbiased variance).
func refBN(s bnSpec, x, gamma, beta, rm, rv []float64) (y, mean, inv, rm2, rv2 []float64) {
	y = make([]float64, len(x))
	mean, inv = make([]float64, s.C), make([]float64, s.C)
	rm2, rv2 = append([]float64(nil), rm...), append([]float64(nil), rv...)
	n := float64(s.B * s.P)
	for c := 0; c < s.C; c++ {
		m, iv, v := s.stats(x, rm, rv, c)
		mean[c], inv[c] = m, iv
		if s.training {
			rm2[c] = (1-s.mom)*rm[c] + s.mom*m
			rv2[c] = (1-s.mom)*rv[c] + s.mom*v*n/(n-1)
		}
		g, bt := 1.0, 0.0
		if gamma != nil {
			g = gamma[c]
		}
		if beta != nil {
			bt = beta[c]
		}
		for b := 0; b < s.B; b++ {
			for p := 0; p < s.P; p++ {
				i := s.at(b, c, p)
				y[i] = (x[i]-m)*iv*g + bt
			}
		}
	}
	return y, mean, inv, rm2, rv2
}

// refBNBackward is the gradient of refBN: in training
// dx = γ·inv·(dy − mean(dy) − x̂·mean(dy·x̂)); in eval dx = γ·inv·dy.
// dγ = Σ dy·x̂, dβ = Σ dy.
func refBNBackward(s bnSpec, x, gamma, dy, rm, rv []float64) (dx, dgamma, dbeta []float64) {
	dx, dgamma, dbeta = make([]float64, len(x)), make([]float64, s.C), make([]float64, s.C)
	n := float64(s.B * s.P)
	for c := 0; c < s.C; c++ {
		m, iv, _ := s.stats(x, rm, rv, c)
		for b := 0; b < s.B; b++ {
			for p := 0; p < s.P; p++ {
				i := s.at(b, c, p)
				dbeta[c] += dy[i]
				dgamma[c] += dy[i] * (x[i] - m) * iv
			}
		}
		g := 1.0
		if gamma != nil {
			g = gamma[c]
		}
		for b := 0; b < s.B; b++ {
			for p := 0; p < s.P; p++ {
				i := s.at(b, c, p)
				d := dy[i]
				if s.training {
					d -= dbeta[c]/n + (x[i]-m)*iv*dgamma[c]/n
				}
				dx[i] = g * iv * d
			}
		}
	}
	return dx, dgamma, dbeta
}
