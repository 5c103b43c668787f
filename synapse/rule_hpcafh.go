package synapse

import "ghlsim/backends"

// hpcaFHRule is HPCA-FH (ALGORITHM.md §4), computed on the host like
// softhebb: download x and u, build the patches, compute Δw, upload W.
type hpcaFHRule struct{ a fhActivity }

func (*hpcaFHRule) Name() string { return "hpca-fh" }

// Needs is empty: the rule reads neither the Oja-SWTA eligibility nor a
// gradient nor a modulator, only the activity handed to ObserveActivity.
func (*hpcaFHRule) Needs() Needs { return Needs{} }

// ObserveActivity implements ActivityRule: it keeps host copies of the
// group's patches and of u without bias for the next Apply.
func (r *hpcaFHRule) ObserveActivity(b backends.Backend, g *Group, x, u backends.Tensor) {
	r.a.observe(b, g, x, u)
}

// Apply implements W ← W + η(Δw − λW) with Δw from HPCAFHDelta.
func (r *hpcaFHRule) Apply(b backends.Backend, g *Group, h Hyper) {
	r.a.apply(b, g, h, "hpca-fh", func(dw, w []float32) {
		HPCAFHDelta(dw, w, r.a.patches, r.a.dots, g.Out, b.Threads())
	})
}

// HPCAFHDelta writes HPCA-FH's update direction (ALGORITHM.md §4; the
// Hebbian PCA rule of Lagani et al.'s FastHebb, Sanger's generalised Hebbian
// algorithm with a ReLU) into dw [K, F] for weights w [K, F] (row i = neuron
// i's flattened kernel) and patches [N, F] (N = batch × positions). dots
// [K, N] are the products w_i·x_n (a group's u without bias), or nil to
// compute them from w and patches. With y_in = ReLU(w_i·x_n),
//
//	Δw_i = (1/N) Σ_n y_in·(x_n − Σ_{k≤i} y_kn·w_k),
//
// so neuron i learns the principal direction left after neurons 0..i−1.
// Rows are computed independently on up to threads goroutines, each row in
// a fixed order, so the result does not depend on threads.
func HPCAFHDelta(dw, w, patches, dots []float32, k, threads int) {
	f, n := checkFH("HPCAFHDelta", dw, w, patches, dots, k)
	if dots == nil {
		dots = fhDots(w, patches, k, f, n, threads)
	}
	y := make([]float32, k*n)
	for i, v := range dots {
		y[i] = max(v, 0)
	}
	inv := 1 / float64(n)
	fhParallelRows(k, threads, func(i int) {
		yi := y[i*n : (i+1)*n]
		acc := make([]float64, f)
		for p, v := range yi {
			if v == 0 {
				continue
			}
			for j, x := range patches[p*f : (p+1)*f] {
				acc[j] += float64(v) * float64(x)
			}
		}
		// Σ_{k≤i} G_ik·w_k with G_ik = Σ_n y_in·y_kn.
		for kk := 0; kk <= i; kk++ {
			var gik float64
			for p, v := range yi {
				gik += float64(v) * float64(y[kk*n+p])
			}
			if gik == 0 {
				continue
			}
			for j, wv := range w[kk*f : (kk+1)*f] {
				acc[j] -= gik * float64(wv)
			}
		}
		out := dw[i*f : (i+1)*f]
		for j := range out {
			out[j] = float32(acc[j] * inv)
		}
	})
}
