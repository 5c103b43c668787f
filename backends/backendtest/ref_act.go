package backendtest

import (
	"math"

	"ghlsim/backends"
)

// actSpec is an activation over x [B, C, P].
type actSpec struct {
	B, C, P int
	A       backends.ActParams
}

// power is the Triangle exponent (1 when zero).
func (s actSpec) power() float64 {
	if s.A.Power == 0 {
		return 1
	}
	return float64(s.A.Power)
}

// pre returns the value the pointwise nonlinearity sees: x itself, or for
// Triangle z = x − mean over channels at each (b, p).
func (s actSpec) pre(x []float64) []float64 {
	if s.A.Kind != backends.Triangle {
		return x
	}
	z := make([]float64, len(x))
	for b := 0; b < s.B; b++ {
		for p := 0; p < s.P; p++ {
			m := 0.0
			for c := 0; c < s.C; c++ {
				m += x[(b*s.C+c)*s.P+p] / float64(s.C)
			}
			for c := 0; c < s.C; c++ {
				i := (b*s.C+c)*s.P + p
				z[i] = x[i] - m
			}
		}
	}
	return z
}

// refAct is Identity, ReLU or Triangle = ReLU(x − mean_c x)^power.
func refAct(s actSpec, x []float64) []float64 {
	if s.A.Kind == backends.Identity {
		return append([]float64(nil), x...)
	}
	y := s.pre(x)
	out := make([]float64, len(y))
	for i, z := range y {
		if z > 0 {
			out[i] = math.Pow(z, s.power())
		}
	}
	return out
}

// refActBackward is the full Jacobian product: for Triangle
// dx_j = Σ_c dy_c·f'(z_c)·(δ_cj − 1/C) at each position.
func refActBackward(s actSpec, x, dy []float64) []float64 {
	if s.A.Kind == backends.Identity {
		return append([]float64(nil), dy...)
	}
	z := s.pre(x)
	g := make([]float64, len(x))
	for i, v := range z {
		if v > 0 {
			g[i] = dy[i] * s.power() * math.Pow(v, s.power()-1)
		}
	}
	if s.A.Kind != backends.Triangle {
		return g
	}
	dx := make([]float64, len(x))
	for b := 0; b < s.B; b++ {
		for p := 0; p < s.P; p++ {
			m := 0.0
			for c := 0; c < s.C; c++ {
				m += g[(b*s.C+c)*s.P+p] / float64(s.C)
			}
			for c := 0; c < s.C; c++ {
				i := (b*s.C+c)*s.P + p
				dx[i] = g[i] - m
			}
		}
	}
	return dx
}
