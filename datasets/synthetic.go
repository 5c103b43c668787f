package datasets

import (
	"fmt"
	"math"
)

// Synthetic returns n samples of a learnable c×h×w image task with the given
// number of classes, for tests and smoke runs. Each class has a prototype
// made of a few smooth blobs of random position, size and sign per channel
// (drawn from seed); a sample is its class prototype plus a random
// brightness offset and per-pixel noise, clamped to [0, 255]. Labels cycle
// 0, 1, …, classes−1, so every class has n/classes samples (±1). Sample i
// depends only on (seed, i), so Synthetic(m, …) is a prefix of
// Synthetic(n, …) for m < n. Invalid sizes panic.
func Synthetic(n, c, h, w, classes int, seed uint64) *Set {
	if n < 0 || c <= 0 || h <= 0 || w <= 0 || classes <= 0 {
		panic(fmt.Sprintf("datasets: Synthetic(%d, %d, %d, %d, %d): sizes must be positive", n, c, h, w, classes))
	}
	protos := syntheticPrototypes(c, h, w, classes, seed)
	size := c * h * w
	s := &Set{
		Name: "synthetic", C: c, H: h, W: w, Classes: classes, ClassNames: numberNames(classes),
		Pixels: make([]uint8, n*size), Labels: make([]int32, n),
	}
	for i := range n {
		k := i % classes
		s.Labels[i] = int32(k)
		r := newStream(tagSynthetic, seed, uint64(i)+1, 1)
		shift := (r.float64()*2 - 1) * 20
		p := protos[k*size : (k+1)*size]
		dst := s.Pixels[i*size : (i+1)*size]
		for j := range dst {
			v := p[j] + shift + (r.float64()*2-1)*48
			dst[j] = uint8(math.Max(0, math.Min(255, math.Round(v))))
		}
	}
	return s
}

// syntheticPrototypes draws each class's mean image (values around 128).
func syntheticPrototypes(c, h, w, classes int, seed uint64) []float64 {
	size := c * h * w
	protos := make([]float64, classes*size)
	side := float64(min(h, w))
	for k := range classes {
		r := newStream(tagSynthetic, seed, 0, uint64(k))
		for ch := range c {
			p := protos[k*size+ch*h*w : k*size+(ch+1)*h*w]
			for j := range p {
				p[j] = 128
			}
			for range 3 {
				cx, cy := r.float64()*float64(w), r.float64()*float64(h)
				sigma := (0.12 + 0.2*r.float64()) * side
				amp := 60 + 40*r.float64()
				if r.next()&1 == 0 {
					amp = -amp
				}
				for y := range h {
					for x := range w {
						dx, dy := float64(x)-cx, float64(y)-cy
						p[y*w+x] += amp * math.Exp(-(dx*dx+dy*dy)/(2*sigma*sigma))
					}
				}
			}
		}
	}
	return protos
}
