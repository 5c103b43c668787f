package neuromod

import (
	"math"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
)

func TestNeuronGranularityBroadcastsRowSign(t *testing.T) {
	b := newB()
	post := []float32{0.5, -2, 0, 1e-20}
	for _, w := range []backends.Shape{{4, 2, 3, 3}, {4, 7}} {
		f := w.Len() / w[0]
		g := gaussians(6, w.Len()) // the per-synapse gradient, ignored at @neuron
		for _, spec := range []string{"grad-sign@neuron", "fa-sign@neuron"} {
			src := mustNew(t, b, spec, w)
			in := Inputs{Grad: upload(b, w, g), PostGrad: upload(b, backends.Shape{4}, post)}
			// The same target twice (its [K, F] view is cached), then another.
			m1, m2 := b.Alloc(w), b.Alloc(w)
			for _, m := range []backends.Tensor{m1, m1, m2} {
				b.Fill(m, float32(math.NaN()))
				src.Modulate(b, in, m)
				got := cpu.Data(m)
				for k, p := range post {
					allEqual(t, spec+" row", got[k*f:(k+1)*f], signs([]float32{p})[0])
				}
			}
		}
	}
}

func TestLayerGranularityIsOneSign(t *testing.T) {
	b := newB()
	w := backends.Shape{3, 2, 2, 2}
	cases := []struct {
		post []float32
		want float32
	}{
		{[]float32{1, -0.5, 0.25}, 1},  // Σ = 0.75
		{[]float32{1, -3, 0.25}, -1},   // Σ = −1.75
		{[]float32{1, -1, 0}, 0},       // Σ = 0: sign(0) = 0
		{[]float32{-1e-8, 0, 3e-8}, 1}, // tiny but positive
	}
	src := mustNew(t, b, "grad-sign@layer", w)
	for _, c := range cases {
		in := Inputs{Grad: upload(b, w, gaussians(7, w.Len())), PostGrad: upload(b, backends.Shape{3}, c.post)}
		allEqual(t, "grad-sign@layer", run(b, src, in, w), c.want)
	}
}

func TestReadsGlobalCredit(t *testing.T) {
	b := newB()
	w := backends.Shape{2, 2}
	for spec, want := range map[string]bool{
		"grad-sign":                       false,
		"grad-sign@layer":                 false,
		"grad-sign@global":                true,
		"delay:2+flip:0.1+fa-sign@global": true,
		"every:2+random":                  false,
	} {
		if got := ReadsGlobalCredit(mustNew(t, b, spec, w)); got != want {
			t.Errorf("ReadsGlobalCredit(%q) = %v, want %v", spec, got, want)
		}
	}
}
