package neuromod

import (
	"math"
	"math/rand/v2"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
)

// newB is the reference backend the tests run on.
func newB() *cpu.Backend { return cpu.New(2) }

// upload makes a tensor of shape s holding v.
func upload(b backends.Backend, s backends.Shape, v []float32) backends.Tensor {
	t := b.Alloc(s)
	b.Upload(t, v)
	return t
}

// gaussians returns n seeded N(0,1) values, none of them zero.
func gaussians(seed uint64, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, 7))
	v := make([]float32, n)
	for i := range v {
		for v[i] == 0 {
			v[i] = float32(r.NormFloat64())
		}
	}
	return v
}

// mustNew makes a source or fails the test.
func mustNew(t *testing.T, b backends.Backend, spec string, w backends.Shape) Source {
	t.Helper()
	s, err := New(b, spec, w)
	if err != nil {
		t.Fatalf("New(%q): %v", spec, err)
	}
	return s
}

// run calls src.Modulate into a fresh NaN-filled target (so that a source
// that forgets an element is caught) and returns a host copy of M.
func run(b backends.Backend, src Source, in Inputs, w backends.Shape) []float32 {
	m := b.Alloc(w)
	b.Fill(m, float32(math.NaN()))
	src.Modulate(b, in, m)
	return append([]float32(nil), cpu.Data(m)...)
}

// signs is sign(v) elementwise with sign(±0) = ±0, like Backend.Sign.
func signs(v []float32) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		switch {
		case x > 0:
			out[i] = 1
		case x < 0:
			out[i] = -1
		default:
			out[i] = x
		}
	}
	return out
}

// sameBits fails unless got and want are equal bit for bit.
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: element %d is %v (bits %#x), want %v (bits %#x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// allEqual fails unless every value of got equals v.
func allEqual(t *testing.T, what string, got []float32, v float32) {
	t.Helper()
	for i, x := range got {
		if x != v {
			t.Fatalf("%s: element %d is %v, want %v everywhere", what, i, x, v)
		}
	}
}

// binomialOK reports whether count is within 6 standard deviations of n·p.
func binomialOK(count, n int, p float64) bool {
	mean := float64(n) * p
	sd := math.Sqrt(float64(n) * p * (1 - p))
	return math.Abs(float64(count)-mean) <= 6*sd+1
}
