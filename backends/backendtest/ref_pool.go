package backendtest

import "ghlsim/backends"

// poolSpec is a pooling over [B, C, H, W] planes.
type poolSpec struct {
	B, C, H, W int
	P          backends.PoolParams
}

// out is the pooled extent.
func (s poolSpec) out() (ho, wo int) { return s.P.OutSize(s.H), s.P.OutSize(s.W) }

// window calls f with the plane offset of every input in output (oy, ox)'s
// window, in row-major order, skipping padding.
func (s poolSpec) window(oy, ox int, f func(i int)) {
	for iy := oy*s.P.Stride - s.P.Pad; iy < oy*s.P.Stride-s.P.Pad+s.P.Kernel; iy++ {
		for ix := ox*s.P.Stride - s.P.Pad; ix < ox*s.P.Stride-s.P.Pad+s.P.Kernel; ix++ {
			if iy >= 0 && iy < s.H && ix >= 0 && ix < s.W {
				f(iy*s.W + ix)
			}
		}
	}
}

// refMaxPool returns the pooled maxima and, per output, the plane offset of
// the first maximal input in window order (padding never wins).
func refMaxPool(s poolSpec, x []float64) (y []float64, arg []int) {
	ho, wo := s.out()
	for pl := 0; pl < s.B*s.C; pl++ {
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				best := -1
				s.window(oy, ox, func(i int) {
					if best < 0 || x[pl*s.H*s.W+i] > x[pl*s.H*s.W+best] {
						best = i
					}
				})
				y = append(y, x[pl*s.H*s.W+best])
				arg = append(arg, best)
			}
		}
	}
	return y, arg
}

// refMaxPoolBackward routes dy to the winners.
func refMaxPoolBackward(s poolSpec, dy []float64, arg []int) []float64 {
	ho, wo := s.out()
	dx := make([]float64, s.B*s.C*s.H*s.W)
	for o, g := range dy {
		dx[o/(ho*wo)*s.H*s.W+arg[o]] += g
	}
	return dx
}

// refAvgPool averages every window, dividing by k² (count_include_pad).
func refAvgPool(s poolSpec, x []float64) []float64 {
	ho, wo := s.out()
	var y []float64
	k2 := float64(s.P.Kernel * s.P.Kernel)
	for pl := 0; pl < s.B*s.C; pl++ {
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				sum := 0.0
				s.window(oy, ox, func(i int) { sum += x[pl*s.H*s.W+i] })
				y = append(y, sum/k2)
			}
		}
	}
	return y
}

// refAvgPoolBackward spreads dy/k² over each window.
func refAvgPoolBackward(s poolSpec, dy []float64) []float64 {
	ho, wo := s.out()
	dx := make([]float64, s.B*s.C*s.H*s.W)
	k2 := float64(s.P.Kernel * s.P.Kernel)
	for pl := 0; pl < s.B*s.C; pl++ {
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				g := dy[(pl*ho+oy)*wo+ox] / k2
				s.window(oy, ox, func(i int) { dx[pl*s.H*s.W+i] += g })
			}
		}
	}
	return dx
}
