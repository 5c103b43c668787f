package synapse_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/synapse"
)

func near(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > tol {
			t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestSWTAFHDeltaHandComputed: 2 neurons, 3 inputs, 2 samples
// (ALGORITHM.md §4). w1 = (2,0,0), w2 = (0,1,0); x1 = (2,0,0), x2 = (0,0,3).
// Cosine similarities: x1 → (1, 0), x2 → (0, 0).
func TestSWTAFHDeltaHandComputed(t *testing.T) {
	w := []float32{2, 0, 0, 0, 1, 0}
	x := []float32{2, 0, 0, 0, 0, 3}
	dw := make([]float32, 6)

	// T = 0.02: at x1 the softmax of (1, 0)/0.02 is (1, e^−50 ≈ 2e−22), at
	// x2 it is (0.5, 0.5). Neuron 1: r = (1, 0.5), Σr = 1.5, c·r = r²/Σr =
	// (2/3, 1/6): Δw1 = 2/3·(x1 − w1) + 1/6·(x2 − w1) = 2/3·(0,0,0) +
	// 1/6·(−2,0,3) = (−1/3, 0, 0.5). Neuron 2: r = (0, 0.5), Σr = 0.5,
	// c·r = (0, 0.5): Δw2 = 0.5·(x2 − w2) = 0.5·(0,−1,3) = (0, −0.5, 1.5).
	synapse.SWTAFHDelta(dw, w, x, nil, 2, synapse.SWTAFHTemperature, 1)
	near(t, "Δw (T=0.02)", dw, []float32{-1.0 / 3, 0, 0.5, 0, -0.5, 1.5}, 1e-6)

	// T = 1/ln 3: at x1 the softmax of (1, 0)·ln 3 is (3/4, 1/4), at x2
	// (1/2, 1/2). Neuron 1: r = (3/4, 1/2), Σr = 5/4, c·r = (9/16, 1/4)/(5/4)
	// = (0.45, 0.2): Δw1 = 0.45·(x1 − w1) + 0.2·(x2 − w1) = 0.45·(0,0,0) +
	// 0.2·(−2,0,3) = (−0.4, 0, 0.6). Neuron 2: r = (1/4, 1/2), Σr = 3/4,
	// c·r = (1/16, 1/4)/(3/4) = (1/12, 1/3): Δw2 = 1/12·(x1 − w2) +
	// 1/3·(x2 − w2) = 1/12·(2,−1,0) + 1/3·(0,−1,3) = (1/6, −5/12, 1).
	synapse.SWTAFHDelta(dw, w, x, nil, 2, float32(1/math.Log(3)), 1)
	near(t, "Δw (T=1/ln3)", dw, []float32{-0.4, 0, 0.6, 1.0 / 6, -5.0 / 12, 1}, 1e-6)
}

// TestHPCAFHDeltaHandComputed: 2 neurons, 3 inputs, 2 samples
// (ALGORITHM.md §4). w1 = (0.5,0,0), w2 = (0,1,1); x1 = (1,2,0),
// x2 = (2,−2,1). y = ReLU(w·x): y(x1) = (0.5, 2), y(x2) = (1, ReLU(−1) = 0).
func TestHPCAFHDeltaHandComputed(t *testing.T) {
	w := []float32{0.5, 0, 0, 0, 1, 1}
	x := []float32{1, 2, 0, 2, -2, 1}
	dw := make([]float32, 6)
	// Δw1 = ½[0.5·(x1 − 0.5·w1) + 1·(x2 − 1·w1)]
	//     = ½[0.5·(0.75, 2, 0) + (1.5, −2, 1)] = ½(1.875, −1, 1) = (0.9375, −0.5, 0.5).
	// Δw2 = ½[2·(x1 − 0.5·w1 − 2·w2) + 0] = (1 − 0.25, 2 − 2, 0 − 2) = (0.75, 0, −2).
	want := []float32{0.9375, -0.5, 0.5, 0.75, 0, -2}
	synapse.HPCAFHDelta(dw, w, x, nil, 2, 1)
	near(t, "Δw", dw, want, 1e-6)
	// The same with the products w·x given (as the rule passes u).
	synapse.HPCAFHDelta(dw, w, x, []float32{0.5, 1, 2, -1}, 2, 1)
	near(t, "Δw (dots given)", dw, want, 1e-6)
}

// TestFHRulesApplyThroughActivity runs both registered rules on a dense
// group with a bias, fed as the network would: x and u = x·Wᵀ + b from the
// backend. W ← W + η(Δw − λW) with Δw of the hand-computed cases above.
func TestFHRulesApplyThroughActivity(t *testing.T) {
	cases := []struct {
		rule  string
		w, x  []float32
		delta []float32
	}{
		{"swta-fh", []float32{2, 0, 0, 0, 1, 0}, []float32{2, 0, 0, 0, 0, 3}, []float32{-1.0 / 3, 0, 0.5, 0, -0.5, 1.5}},
		{"hpca-fh", []float32{0.5, 0, 0, 0, 1, 1}, []float32{1, 2, 0, 2, -2, 1}, []float32{0.9375, -0.5, 0.5, 0.75, 0, -2}},
	}
	for _, c := range cases {
		b := cpu.New(1)
		g, err := synapse.NewGroup(b, synapse.Spec{Name: "fc", Kind: synapse.Dense, In: 3, Out: 2, Bias: true, TInv: 1})
		if err != nil {
			t.Fatal(err)
		}
		r, err := synapse.NewRule(c.rule)
		if err != nil {
			t.Fatal(err)
		}
		if r.Needs() != (synapse.Needs{}) {
			t.Errorf("%s needs %+v, want nothing but the activity", c.rule, r.Needs())
		}
		g.Rule = r
		g.EnsurePlasticState(b)
		copy(cpu.Data(g.Weight.Value), c.w)
		copy(cpu.Data(g.Bias.Value), []float32{0.25, -3}) // must not enter w·x
		x := b.Alloc(backends.Shape{2, 3})
		u := b.Alloc(backends.Shape{2, 2})
		copy(cpu.Data(x), c.x)
		b.Linear(u, x, g.Weight.Value, g.Bias.Value)
		ar, ok := r.(synapse.ActivityRule)
		if !ok {
			t.Fatalf("%s is not an ActivityRule", c.rule)
		}
		ar.ObserveActivity(b, g, x, u)
		const lr, wd = 0.1, 0.5
		g.Rule.Apply(b, g, synapse.Hyper{LR: lr, WeightDecay: wd})
		want := make([]float32, 6)
		for i := range want {
			want[i] = c.w[i] + lr*(c.delta[i]-wd*c.w[i])
		}
		near(t, c.rule+" W", cpu.Data(g.Weight.Value), want, 1e-6)
		if bv := cpu.Data(g.Bias.Value); bv[0] != 0.25 || bv[1] != -3 {
			t.Errorf("%s moved the bias to %v", c.rule, bv)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: a second Apply without ObserveActivity did not panic", c.rule)
				}
			}()
			g.Rule.Apply(b, g, synapse.Hyper{LR: lr})
		}()
	}
}

// TestFHConvMatchesHost checks the conv path: the patches HostPatches builds
// (stride 2 with zero padding, stride 1 with reflect padding) reproduce the
// backend's u = conv(x, W), and the rule applied through ObserveActivity
// equals the host functions on those patches; rows are thread-independent.
func TestFHConvMatchesHost(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	for _, cp := range []backends.ConvParams{{Stride: 2, Pad: 1}, {Stride: 1, Pad: 1, Mode: backends.PadReflect}} {
		for _, rule := range []string{"swta-fh", "hpca-fh"} {
			b := cpu.New(2)
			spec := synapse.Spec{Name: "conv", Kind: synapse.Conv, In: 2, Out: 3, Kernel: 3, Conv: cp, TInv: 1}
			g, err := synapse.NewGroup(b, spec)
			if err != nil {
				t.Fatal(err)
			}
			g.Rule, _ = synapse.NewRule(rule)
			xs := backends.Shape{2, 2, 5, 5}
			ho := cp.OutSize(5, 3)
			x, u := b.Alloc(xs), b.Alloc(backends.Shape{2, 3, ho, ho})
			for i := range cpu.Data(x) {
				cpu.Data(x)[i] = float32(rng.NormFloat64())
			}
			w := cpu.Data(g.Weight.Value)
			for i := range w {
				w[i] = float32(rng.NormFloat64())
			}
			w0 := append([]float32(nil), w...)
			b.Conv2D(u, x, g.Weight.Value, nil, cp)

			patches := synapse.HostPatches(cpu.Data(x), xs, spec)
			n := 2 * ho * ho
			if len(patches) != n*18 {
				t.Fatalf("%d patch values, want %d", len(patches), n*18)
			}
			uh := cpu.Data(u)
			for k := 0; k < 3; k++ {
				for s := 0; s < 2; s++ {
					for p := 0; p < ho*ho; p++ {
						var dot float64
						for j := 0; j < 18; j++ {
							dot += float64(w0[k*18+j]) * float64(patches[(s*ho*ho+p)*18+j])
						}
						if got := uh[(s*3+k)*ho*ho+p]; math.Abs(dot-float64(got)) > 1e-4 {
							t.Fatalf("%v: patch dot %v, backend u %v", cp, dot, got)
						}
					}
				}
			}

			delta := make([]float32, len(w0))
			other := make([]float32, len(w0))
			if rule == "swta-fh" {
				synapse.SWTAFHDelta(delta, w0, patches, nil, 3, synapse.SWTAFHTemperature, 1)
				synapse.SWTAFHDelta(other, w0, patches, nil, 3, synapse.SWTAFHTemperature, 3)
			} else {
				synapse.HPCAFHDelta(delta, w0, patches, nil, 3, 1)
				synapse.HPCAFHDelta(other, w0, patches, nil, 3, 3)
			}
			for i := range delta {
				if math.Float32bits(delta[i]) != math.Float32bits(other[i]) {
					t.Fatalf("%s: Δw[%d] differs between 1 and 3 threads", rule, i)
				}
			}
			g.Rule.(synapse.ActivityRule).ObserveActivity(b, g, x, u)
			g.Rule.Apply(b, g, synapse.Hyper{LR: 0.05})
			moved := false
			for i, v := range cpu.Data(g.Weight.Value) {
				want := w0[i] + 0.05*delta[i]
				if math.Abs(float64(v-want)) > 1e-5*(1+math.Abs(float64(want))) {
					t.Errorf("%s %v: w[%d] = %v, want %v", rule, cp, i, v, want)
				}
				moved = moved || v != w0[i]
			}
			if !moved {
				t.Errorf("%s %v: no weight moved", rule, cp)
			}
		}
	}
}
