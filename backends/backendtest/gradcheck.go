package backendtest

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fdStep is the central-difference step; inputs are O(1), so the float64
// truncation (O(step²)) and rounding (O(1e-16/step)) errors are ≈ 1e-10 of
// the gradient scale.
const fdStep = 1e-6

// fdMax is the most elements of one variable checked by finite differences
// (a seeded random subset beyond that), to bound the test's run time.
const fdMax = 300

// grad is one variable of a backward check: the float64 values the
// reference forward reads (perturbed in place), the backend's gradient and
// the analytic float64 reference gradient.
type grad struct {
	name    string
	x       []float64
	backend []float32
	ref     []float64
	// skip reports elements where the forward is not differentiable within
	// fdStep (a ReLU kink); they are left out of the finite-difference
	// comparison only.
	skip func(i int) bool
}

// checkGrads compares, for every variable, (1) the analytic reference with
// the central difference of loss = Σ dy·fwd() (validating the reference,
// tolerance tolRefFD), (2) the backend with the central difference and
// (3) the backend with the analytic reference (tolerance tol, relative to
// the gradient's scale).
func checkGrads(t *testing.T, rng *rand.Rand, fwd func() []float64, dy []float64, tol float64, vars ...grad) {
	t.Helper()
	loss := func() float64 {
		s := 0.0
		for i, v := range fwd() {
			s += dy[i] * v
		}
		return s
	}
	for _, v := range vars {
		idx := rng.Perm(len(v.x))
		if len(idx) > fdMax {
			idx = idx[:fdMax]
		}
		var num, ref, got []float64
		for _, i := range idx {
			if v.skip != nil && v.skip(i) {
				continue
			}
			x0 := v.x[i]
			v.x[i] = x0 + fdStep
			lp := loss()
			v.x[i] = x0 - fdStep
			lm := loss()
			v.x[i] = x0
			num = append(num, (lp-lm)/(2*fdStep))
			ref = append(ref, v.ref[i])
			got = append(got, float64(v.backend[i]))
		}
		if len(num) < len(idx)/2 {
			t.Fatalf("%s: only %d of %d elements are differentiable: the test data is badly chosen", v.name, len(num), len(idx))
		}
		floor := math.Max(maxAbs64(v.ref), 1e-9) // the gradient's scale

		closeTo(t, v.name+": float64 reference vs finite differences", ref, num, tolRefFD, floor)
		closeTo(t, v.name+": backend vs finite differences", got, num, tol+tolRefFD, floor)
		closeTo(t, v.name+": backend vs float64 reference", v.backend, v.ref, tol, 1e-30)
	}
}

// notNear returns a skip function for elements within margin of a kink.
func notNear(vals []float64, margin float64) func(int) bool {
	return func(i int) bool { return math.Abs(vals[i]) < margin }
}
