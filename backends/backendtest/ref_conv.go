package backendtest

import "ghlsim/backends"

// convSpec is the geometry of a reference convolution. A dense layer is
// H = W = KH = KW = 1 with no padding.
type convSpec struct {
	B, C, H, W int
	K, KH, KW  int
	P          backends.ConvParams
}

// out is the output extent.
func (s convSpec) out() (ho, wo int) { return s.P.OutSize(s.H, s.KH), s.P.OutSize(s.W, s.KW) }

// padIndex maps a coordinate of the padded input to the input coordinate it
// reads, or −1 for a zero: PyTorch "zeros" and "reflect" (mirror without
// repeating the edge) padding.
func padIndex(v, n int, mode backends.PadMode) int {
	switch {
	case v >= 0 && v < n:
		return v
	case mode != backends.PadReflect:
		return -1
	case v < 0:
		return -v
	}
	return 2*(n-1) - v
}

// tap calls f for every (input offset, weight offset, output offset) triple
// of the convolution: out[b,k,oy,ox] += x[b,c,iy,ix]·w[k,c,i,j], with the
// input offset −1 where the tap reads zero padding. Every reference below is
// this one sum, read forwards or backwards.
func (s convSpec) tap(f func(xi, wi, yi int)) {
	ho, wo := s.out()
	for b := 0; b < s.B; b++ {
		for k := 0; k < s.K; k++ {
			for oy := 0; oy < ho; oy++ {
				for ox := 0; ox < wo; ox++ {
					yi := ((b*s.K+k)*ho+oy)*wo + ox
					for c := 0; c < s.C; c++ {
						for i := 0; i < s.KH; i++ {
							iy := padIndex(oy*s.P.Stride-s.P.Pad+i, s.H, s.P.Mode)
							for j := 0; j < s.KW; j++ {
								ix := padIndex(ox*s.P.Stride-s.P.Pad+j, s.W, s.P.Mode)
								wi := ((k*s.C+c)*s.KH+i)*s.KW + j
								xi := -1
								if iy >= 0 && ix >= 0 {
									xi = ((b*s.C+c)*s.H+iy)*s.W + ix
								}
								f(xi, wi, yi)
							}
						}
					}
				}
			}
		}
	}
}

// sizes returns the lengths of x, w and y.
func (s convSpec) sizes() (nx, nw, ny int) {
	ho, wo := s.out()
	return s.B * s.C * s.H * s.W, s.K * s.C * s.KH * s.KW, s.B * s.K * ho * wo
}

// refConv is y = conv2d(pad(x), w) + bias (bias may be nil).
func refConv(s convSpec, x, w, bias []float64) []float64 {
	_, _, ny := s.sizes()
	y := make([]float64, ny)
	s.tap(func(xi, wi, yi int) {
		if xi >= 0 {
			y[yi] += x[xi] * w[wi]
		}
	})
	if bias != nil {
		ho, wo := s.out()
		for i := range y {
			y[i] += bias[i/(ho*wo)%s.K]
		}
	}
	return y
}

// refConvBackwardData is dx = ∂(Σ dy·y)/∂x.
func refConvBackwardData(s convSpec, dy, w []float64) []float64 {
	nx, _, _ := s.sizes()
	dx := make([]float64, nx)
	s.tap(func(xi, wi, yi int) {
		if xi >= 0 {
			dx[xi] += dy[yi] * w[wi]
		}
	})
	return dx
}

// refConvBackwardWeight is dw = ∂(Σ dy·y)/∂w and db = Σ_{b,p} dy.
func refConvBackwardWeight(s convSpec, x, dy []float64) (dw, db []float64) {
	_, nw, _ := s.sizes()
	dw = make([]float64, nw)
	s.tap(func(xi, wi, yi int) {
		if xi >= 0 {
			dw[wi] += dy[yi] * x[xi]
		}
	})
	ho, wo := s.out()
	db = make([]float64, s.K)
	for i, v := range dy {
		db[i/(ho*wo)%s.K] += v
	}
	return dw, db
}

// refLinear is y = x·wᵀ + bias for x [B, in], w [out, in].
func refLinear(batch, in, out int, x, w, bias []float64) []float64 {
	y := make([]float64, batch*out)
	for b := 0; b < batch; b++ {
		for o := 0; o < out; o++ {
			s := 0.0
			if bias != nil {
				s = bias[o]
			}
			for i := 0; i < in; i++ {
				s += x[b*in+i] * w[o*in+i]
			}
			y[b*out+o] = s
		}
	}
	return y
}

// refLinearBackward returns dx = dy·w, dw = dyᵀ·x and db = Σ_b dy.
func refLinearBackward(batch, in, out int, x, w, dy []float64) (dx, dw, db []float64) {
	dx, dw, db = make([]float64, batch*in), make([]float64, out*in), make([]float64, out)
	for b := 0; b < batch; b++ {
		for o := 0; o < out; o++ {
			g := dy[b*out+o]
			db[o] += g
			for i := 0; i < in; i++ {
				dx[b*in+i] += g * w[o*in+i]
				dw[o*in+i] += g * x[b*in+i]
			}
		}
	}
	return dx, dw, db
}
