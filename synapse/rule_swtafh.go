package synapse

import (
	"fmt"
	"math"
	"sync"

	"ghlsim/backends"
)

// SWTAFHTemperature is SWTA-FH's softmax temperature (ALGORITHM.md §4).
const SWTAFHTemperature = 0.02

// ActivityRule is a Rule that reads its group's pre-synaptic activity x and
// pre-activation u of the current step directly, as the FastHebb baselines
// of ALGORITHM.md §4 (swta-fh, hpca-fh) do: their updates are built from the
// input patches, which the Oja-SWTA eligibility does not keep. The network
// calls ObserveActivity after the training-mode forward pass of every step
// in which the group learns, and before Apply; Apply panics if it was not
// called since the last Apply.
type ActivityRule interface {
	Rule
	// ObserveActivity hands the rule the group's input x ([B, C, H, W] for
	// conv groups, [B, In] for dense ones) and pre-activation u = W*x (+bias).
	ObserveActivity(b backends.Backend, g *Group, x, u backends.Tensor)
}

// swtaFHRule is SWTA-FH (ALGORITHM.md §4), computed on the host like
// softhebb: download x and u, build the patches, compute Δw, upload W.
type swtaFHRule struct{ a fhActivity }

func (*swtaFHRule) Name() string { return "swta-fh" }

// Needs is empty: the rule reads neither the Oja-SWTA eligibility nor a
// gradient nor a modulator, only the activity handed to ObserveActivity.
func (*swtaFHRule) Needs() Needs { return Needs{} }

// ObserveActivity implements ActivityRule: it keeps host copies of the
// group's patches and of u without bias for the next Apply.
func (r *swtaFHRule) ObserveActivity(b backends.Backend, g *Group, x, u backends.Tensor) {
	r.a.observe(b, g, x, u)
}

// Apply implements W ← W + η(Δw − λW) with Δw from SWTAFHDelta.
func (r *swtaFHRule) Apply(b backends.Backend, g *Group, h Hyper) {
	r.a.apply(b, g, h, "swta-fh", func(dw, w []float32) {
		SWTAFHDelta(dw, w, r.a.patches, r.a.dots, g.Out, SWTAFHTemperature, b.Threads())
	})
}

// SWTAFHDelta writes SWTA-FH's update direction (ALGORITHM.md §4; Lagani et
// al.'s FastHebb, as in their hebb.py) into dw [K, F] for weights w [K, F]
// (row i = neuron i's flattened kernel) and patches [N, F] (N = batch ×
// positions). dots [K, N] are the products w_i·x_n (a group's u without
// bias), or nil to compute them from w and patches. With
//
//	s_in = w_i·x_n / (‖w_i‖‖x_n‖)              (cosine similarity; 0 for a zero vector)
//	r_in = softmax_i(s_in / temperature)        (competition at every patch n)
//	c_in = r_in / Σ_m r_im                      (normalised over batch × positions)
//
// it is Δw_i = Σ_n c_in·r_in·(x_n − w_i); a neuron with Σ_m r_im = 0 gets no
// update. Rows are computed independently on up to threads goroutines, each
// row in a fixed order, so the result does not depend on threads.
func SWTAFHDelta(dw, w, patches, dots []float32, k int, temperature float32, threads int) {
	f, n := checkFH("SWTAFHDelta", dw, w, patches, dots, k)
	if dots == nil {
		dots = fhDots(w, patches, k, f, n, threads)
	}
	wn := make([]float64, k)
	for i := range wn {
		wn[i] = fhNorm(w[i*f : (i+1)*f])
	}
	// r [K, N]: softmax over neurons of the scaled cosine similarity.
	r := make([]float64, k*n)
	inv := 1 / float64(temperature)
	for p := 0; p < n; p++ {
		xn := fhNorm(patches[p*f : (p+1)*f])
		mx := math.Inf(-1)
		for i := 0; i < k; i++ {
			s := 0.0
			if xn > 0 && wn[i] > 0 {
				s = float64(dots[i*n+p]) / (wn[i] * xn) * inv
			}
			r[i*n+p] = s
			mx = math.Max(mx, s)
		}
		var z float64
		for i := 0; i < k; i++ {
			e := math.Exp(r[i*n+p] - mx)
			r[i*n+p] = e
			z += e
		}
		for i := 0; i < k; i++ {
			r[i*n+p] /= z
		}
	}
	fhParallelRows(k, threads, func(i int) {
		ri := r[i*n : (i+1)*n]
		var sum float64
		for _, v := range ri {
			sum += v
		}
		out := dw[i*f : (i+1)*f]
		if sum == 0 {
			clear(out)
			return
		}
		acc := make([]float64, f)
		var csum float64 // Σ_n c_in·r_in, the decay coefficient of w_i
		for p, v := range ri {
			a := v * v / sum
			if a == 0 {
				continue
			}
			csum += a
			for j, x := range patches[p*f : (p+1)*f] {
				acc[j] += a * float64(x)
			}
		}
		for j := range out {
			out[j] = float32(acc[j] - csum*float64(w[i*f+j]))
		}
	})
}

// HostPatches returns the im2col patches of a group's input x (host copy,
// shape xs) as [N, F] rows, N = B·H'·W' (sample-major, then output row and
// column), F = C·k·k in PyTorch's unfold order (channel, kernel row, kernel
// column), with the group's stride and zero or reflect padding. For a dense
// group the patches are x itself ([B, In], returned without copying).
func HostPatches(x []float32, xs backends.Shape, s Spec) []float32 {
	if len(x) != xs.Len() {
		panic(fmt.Sprintf("synapse: HostPatches got %d values for shape %v", len(x), xs))
	}
	if s.Kind == Dense {
		if len(xs) != 2 || xs[1] != s.In {
			panic(fmt.Sprintf("synapse: group %s: dense input %v does not have %d features", s.Name, xs, s.In))
		}
		return x
	}
	bs, c, h, w := xs.NCHW()
	if c != s.In {
		panic(fmt.Sprintf("synapse: group %s: input %v does not have %d channels", s.Name, xs, s.In))
	}
	k, p := s.Kernel, s.Conv
	stride := max(p.Stride, 1)
	ho, wo := (h+2*p.Pad-k)/stride+1, (w+2*p.Pad-k)/stride+1
	f := c * k * k
	out := make([]float32, bs*ho*wo*f)
	for b := 0; b < bs; b++ {
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				row := out[((b*ho+oy)*wo+ox)*f:]
				for ci := 0; ci < c; ci++ {
					img := x[(b*c+ci)*h*w : (b*c+ci+1)*h*w]
					for i := 0; i < k; i++ {
						y, okY := fhPadIndex(oy*stride-p.Pad+i, h, p.Mode)
						for j := 0; j < k; j++ {
							xx, okX := fhPadIndex(ox*stride-p.Pad+j, w, p.Mode)
							if okY && okX {
								row[(ci*k+i)*k+j] = img[y*w+xx]
							}
						}
					}
				}
			}
		}
	}
	return out
}

// fhPadIndex maps a padded coordinate to the input, or reports a zero pad.
func fhPadIndex(i, n int, m backends.PadMode) (int, bool) {
	if i >= 0 && i < n {
		return i, true
	}
	if m != backends.PadReflect {
		return 0, false
	}
	if i < 0 {
		return -i, true
	}
	return 2*(n-1) - i, true
}

// fhActivity is the host state the FastHebb baselines share: the last
// observed patches and dots, and weight buffers.
type fhActivity struct {
	x, u, bias []float32
	patches    []float32 // [N, F]
	dots       []float32 // [K, N] = u − bias
	w, dw      []float32
	seen       bool
}

// observe downloads x and u and builds the patches and dots.
func (a *fhActivity) observe(b backends.Backend, g *Group, x, u backends.Tensor) {
	xs, us := x.Shape(), u.Shape()
	a.x = fhResize(a.x, xs.Len())
	a.u = fhResize(a.u, us.Len())
	b.Download(a.x, x)
	b.Download(a.u, u)
	a.patches = HostPatches(a.x, xs, g.Spec)
	if us[1] != g.Out {
		panic(fmt.Sprintf("synapse: group %s: pre-activation %v does not have %d channels", g.Name, us, g.Out))
	}
	var bias []float32
	if g.Bias != nil {
		a.bias = fhResize(a.bias, g.Out)
		b.Download(a.bias, g.Bias.Value)
		bias = a.bias
	}
	// u is [B, K, P] (P = 1 for dense); dots are [K, B·P].
	bs, k := us[0], us[1]
	pp := us.Len() / (bs * k)
	n := bs * pp
	if len(a.patches) != n*g.FanIn() {
		panic(fmt.Sprintf("synapse: group %s: %d patches of %d inputs do not match pre-activation %v", g.Name, len(a.patches)/g.FanIn(), g.FanIn(), us))
	}
	a.dots = fhResize(a.dots, k*n)
	for s := 0; s < bs; s++ {
		for i := 0; i < k; i++ {
			var off float32
			if bias != nil {
				off = bias[i]
			}
			src := a.u[(s*k+i)*pp : (s*k+i+1)*pp]
			dst := a.dots[i*n+s*pp : i*n+(s+1)*pp]
			for p, v := range src {
				dst[p] = v - off
			}
		}
	}
	a.seen = true
}

// apply downloads W, computes Δw with delta, and uploads W + η(Δw − λW).
// Biases do not learn (a local rule has no signal for them).
func (a *fhActivity) apply(b backends.Backend, g *Group, h Hyper, rule string, delta func(dw, w []float32)) {
	if !a.seen {
		panic(fmt.Sprintf("synapse: rule %s of group %s was applied without its activity: the network must call ObserveActivity after the forward pass (synapse.ActivityRule)", rule, g.Name))
	}
	a.seen = false
	n := g.Weight.Value.Shape().Len()
	a.w, a.dw = fhResize(a.w, n), fhResize(a.dw, n)
	b.Download(a.w, g.Weight.Value)
	delta(a.dw, a.w)
	for j, d := range a.dw {
		a.w[j] += h.LR * (d - h.WeightDecay*a.w[j])
	}
	b.Upload(g.Weight.Value, a.w)
}

// checkFH validates the FastHebb host functions' arguments and returns the
// fan-in F and the number of patches N.
func checkFH(fn string, dw, w, patches, dots []float32, k int) (f, n int) {
	if k <= 0 || len(w)%k != 0 || len(w) == 0 || len(dw) != len(w) {
		panic(fmt.Sprintf("synapse: %s: %d weights and %d deltas do not form %d rows", fn, len(w), len(dw), k))
	}
	f = len(w) / k
	if len(patches)%f != 0 {
		panic(fmt.Sprintf("synapse: %s: %d patch values are not rows of %d", fn, len(patches), f))
	}
	n = len(patches) / f
	if dots != nil && len(dots) != k*n {
		panic(fmt.Sprintf("synapse: %s: %d dots, want %d neurons × %d patches", fn, len(dots), k, n))
	}
	return f, n
}

// fhDots computes dots[i·N + n] = w_i·x_n.
func fhDots(w, patches []float32, k, f, n, threads int) []float32 {
	dots := make([]float32, k*n)
	fhParallelRows(k, threads, func(i int) {
		wi := w[i*f : (i+1)*f]
		for p := 0; p < n; p++ {
			var s float64
			for j, x := range patches[p*f : (p+1)*f] {
				s += float64(wi[j]) * float64(x)
			}
			dots[i*n+p] = float32(s)
		}
	})
	return dots
}

// fhParallelRows runs fn(i) for i in [0, k) on up to threads goroutines.
func fhParallelRows(k, threads int, fn func(i int)) {
	threads = max(1, min(threads, k))
	var wg sync.WaitGroup
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			for i := t; i < k; i += threads {
				fn(i)
			}
		}(t)
	}
	wg.Wait()
}

// fhNorm is the Euclidean norm ‖v‖₂ in float64.
func fhNorm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

// fhResize returns s with length n, reallocating when its capacity is short.
func fhResize(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}
