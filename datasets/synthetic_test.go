package datasets

import (
	"math"
	"testing"
)

// classMeans returns each class's mean image.
func classMeans(s *Set) [][]float64 {
	means := make([][]float64, s.Classes)
	counts := s.ClassCounts()
	for c := range means {
		means[c] = make([]float64, s.ImageSize())
	}
	for i := range s.Len() {
		m := means[s.Labels[i]]
		for k, v := range s.Image(i) {
			m[k] += float64(v) / float64(counts[s.Labels[i]])
		}
	}
	return means
}

func dist(a []float64, b []uint8) float64 {
	d := 0.0
	for k := range a {
		x := a[k] - float64(b[k])
		d += x * x
	}
	return d
}

func TestSyntheticLearnable(t *testing.T) {
	s := Synthetic(600, 3, 8, 8, 6, 4)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if !intsEqual(s.ClassCounts(), []int{100, 100, 100, 100, 100, 100}) {
		t.Fatalf("class counts %v", s.ClassCounts())
	}
	means := classMeans(s)
	for a := range means {
		for b := range a {
			d := 0.0
			for k := range means[a] {
				d += (means[a][k] - means[b][k]) * (means[a][k] - means[b][k])
			}
			if rms := math.Sqrt(d / float64(len(means[a]))); rms < 10 {
				t.Errorf("class means %d and %d differ by only %.1f grey levels RMS", a, b, rms)
			}
		}
	}
	// A nearest-class-mean classifier generalises to fresh samples.
	fresh := Synthetic(1200, 3, 8, 8, 6, 4).Subset(seq(600, 1200))
	correct := 0
	for i := range fresh.Len() {
		best, bestD := 0, math.Inf(1)
		for c, m := range means {
			if d := dist(m, fresh.Image(i)); d < bestD {
				best, bestD = c, d
			}
		}
		if int32(best) == fresh.Labels[i] {
			correct++
		}
	}
	if acc := float64(correct) / float64(fresh.Len()); acc < 0.9 {
		t.Fatalf("nearest-mean accuracy %.2f, want ≥ 0.9", acc)
	}
	// Not trivially separable from the noise either: samples vary.
	if sameBytes := string(s.Image(0)) == string(s.Image(6)); sameBytes {
		t.Fatal("two samples of one class are identical")
	}
}

func TestSyntheticDeterministic(t *testing.T) {
	a := Synthetic(50, 1, 5, 5, 4, 9)
	if !sameSet(a, Synthetic(50, 1, 5, 5, 4, 9)) {
		t.Fatal("same seed, different set")
	}
	if !sameSet(a.Subset(seq(0, 20)), Synthetic(20, 1, 5, 5, 4, 9)) {
		t.Fatal("Synthetic(20) is not a prefix of Synthetic(50)")
	}
	if sameSet(a, Synthetic(50, 1, 5, 5, 4, 10)) {
		t.Fatal("another seed gives the same set")
	}
	mustPanic(t, "zero channels", func() { Synthetic(1, 0, 1, 1, 1, 1) })
}

func seq(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func TestNormStats(t *testing.T) {
	s := Synthetic(30, 2, 4, 4, 3, 1)
	mean, std := NormStats(s)
	for ch := range 2 {
		var sum, sq, n float64
		for i := range s.Len() {
			for _, v := range s.Image(i)[ch*16 : (ch+1)*16] {
				x := float64(v) / 255
				sum, sq, n = sum+x, sq+x*x, n+1
			}
		}
		m := sum / n
		if math.Abs(float64(mean[ch])-m) > 1e-6 || math.Abs(float64(std[ch])-math.Sqrt(sq/n-m*m)) > 1e-6 {
			t.Fatalf("channel %d: got %v/%v, want %v/%v", ch, mean[ch], std[ch], m, math.Sqrt(sq/n-m*m))
		}
	}
	flat := s.Subset([]int{0})
	for i := range flat.Pixels {
		flat.Pixels[i] = 7
	}
	if _, std := NormStats(flat); std[0] != 1 || std[1] != 1 {
		t.Fatalf("constant images give std %v, want 1", std)
	}
	m, sd, ok := StandardNorm("mnist", 1)
	if !ok || m[0] != MNISTMean || sd[0] != MNISTStd {
		t.Fatalf("StandardNorm(mnist) = %v %v %v", m, sd, ok)
	}
	m, sd, ok = StandardNorm("CIFAR10", 3)
	if !ok || len(m) != 3 || m[2] != 0.5 || sd[1] != 0.5 {
		t.Fatalf("StandardNorm(cifar10) = %v %v %v", m, sd, ok)
	}
	if _, _, ok := StandardNorm("synthetic", 1); ok {
		t.Fatal("synthetic has no standard normalisation")
	}
}
