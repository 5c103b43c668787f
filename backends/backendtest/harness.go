package backendtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"ghlsim/backends"
)

// harness moves data between the host and the backend under test and draws
// seeded random inputs.
type harness struct {
	bk  backends.Backend
	rng *rand.Rand
}

func newHarness(bk backends.Backend, seed uint64) *harness {
	return &harness{bk: bk, rng: rand.New(rand.NewPCG(seed, 0x5eed))}
}

// tensor allocates a tensor of shape s holding data.
func (h *harness) tensor(s backends.Shape, data []float32) backends.Tensor {
	t := h.bk.Alloc(s)
	if data != nil {
		h.bk.Upload(t, data)
	}
	return t
}

// get downloads a tensor.
func (h *harness) get(t backends.Tensor) []float32 {
	out := make([]float32, t.Shape().Len())
	h.bk.Sync()
	h.bk.Download(out, t)
	return out
}

// randn draws n normal values with standard deviation scale.
func (h *harness) randn(n int, scale float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(h.rng.NormFloat64() * scale)
	}
	return out
}

// distinct returns n values in (−1, 1), pairwise at least 1/n apart, in
// random order: max-pool inputs without near-ties, so a finite-difference
// step never changes a window's winner.
func (h *harness) distinct(n int) []float32 {
	out := make([]float32, n)
	for i, j := range h.rng.Perm(n) {
		out[i] = float32((float64(j)+0.5)/float64(n)*2 - 1)
	}
	return out
}

// f64 widens float32 data for the float64 references.
func f64(x []float32) []float64 {
	if x == nil {
		return nil
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// maxAbs64 is max |x|.
func maxAbs64(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// closeTo fails t unless |got_i − want_i| ≤ tol·scale for every i, where
// scale = max(max|want|, floor) is the output scale (floor > 0 keeps an
// all-zero reference meaningful). It reports the worst elements.
func closeTo[T float32 | float64](t testing.TB, what string, got []T, want []float64, tol, floor float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	scale := math.Max(maxAbs64(want), floor)
	worst, bad, first := 0.0, 0, -1
	for i := range got {
		d := math.Abs(float64(got[i]) - want[i])
		if !(d <= tol*scale) {
			bad++
			if first < 0 {
				first = i
			}
		}
		if d > worst || d != d {
			worst = d
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values off by more than %.1e·scale (scale %.3g, worst error %.3g = %.2e·scale); first at [%d]: got %.9g, want %.9g",
			what, bad, len(got), tol, scale, worst, worst/scale, first, got[first], want[first])
	}
}

// exactly fails t unless got and want are bit-identical.
func exactly(t testing.TB, what string, got, want []float32) {
	t.Helper()
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("%s: not bit-identical at [%d]: %.9g vs %.9g", what, i, got[i], want[i])
			return
		}
	}
}
