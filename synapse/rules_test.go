package synapse_test

import (
	"math"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/synapse"
)

// newTestGroup builds a 2-channel 3×3 conv group on one input channel with
// hand-chosen W, H (max|H| = 4) and gradient, including zero entries.
func newTestGroup(t *testing.T, rule string) (*cpu.Backend, *synapse.Group) {
	t.Helper()
	b := cpu.New(1)
	g, err := synapse.NewGroup(b, synapse.Spec{Name: "conv1", Kind: synapse.Conv, In: 1, Out: 2, Kernel: 3, Conv: backends.ConvParams{Stride: 1}, TInv: 1})
	if err != nil {
		t.Fatal(err)
	}
	r, err := synapse.NewRule(rule)
	if err != nil {
		t.Fatal(err)
	}
	g.Rule = r
	g.EnsurePlasticState(b)
	copy(cpu.Data(g.Weight.Value), []float32{
		0.5, -0.25, 0, 1, 0.75, -1, 0.125, 0.25, -0.5,
		-0.3, 0.2, 0.4, 0, -0.6, 0.1, 0.9, -0.8, 0.05,
	})
	copy(cpu.Data(g.Weight.Grad), []float32{
		0.3, -0.1, 0, 2, -0.5, 0.2, 0, -3, 1,
		-1, 1, -1, 1, 0, 0.5, -0.25, 0.7, -0.1,
	})
	if g.H != nil {
		copy(cpu.Data(g.H), []float32{
			1, -2, 4, 0.5, -1, 0, 3, -4, 2,
			-0.5, 0.25, 1, -3, 2, 1.5, 0, -1, 0.75,
		})
		g.HMax = 4
		g.UpdateTrace(b)
	}
	if g.Modulator != nil {
		b.Sign(g.Modulator, g.Weight.Grad)
		g.ReceiveModulator(0)
	}
	return b, g
}

func sgn(x float32) float32 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func TestGHLUpdateHandComputed(t *testing.T) {
	b, g := newTestGroup(t, "ghl")
	w0 := append([]float32(nil), cpu.Data(g.Weight.Value)...)
	h := append([]float32(nil), cpu.Data(g.H)...)
	gr := append([]float32(nil), cpu.Data(g.Weight.Grad)...)
	const lr, wd = 0.1, 0.05
	g.Rule.Apply(b, g, synapse.Hyper{LR: lr, WeightDecay: wd, Step: 0})
	got := cpu.Data(g.Weight.Value)
	for i := range w0 {
		// W ← W − η(|H|/max|H| ⊙ sign(g) + λW), ALGORITHM.md §3.
		want := w0[i] - lr*(float32(math.Abs(float64(h[i])))/4*sgn(gr[i])+wd*w0[i])
		if math.Abs(float64(got[i]-want)) > 1e-7 {
			t.Errorf("w[%d] = %v, want %v", i, got[i], want)
		}
	}
	// Spot-check the explicit numbers of two synapses, one with sign(0) = 0:
	// w[2]: 0 − 0.1(|4|/4·0 + 0.05·0) = 0 (zero gradient ⇒ no move);
	// w[3]: 1 − 0.1(0.5/4·1 + 0.05·1) = 0.9825.
	if got[2] != 0 || math.Abs(float64(got[3])-0.9825) > 1e-7 {
		t.Errorf("w[2], w[3] = %v, %v; want 0, 0.9825", got[2], got[3])
	}
	// w[7]: 0.25 − 0.1(|−4|/4·(−1) + 0.05·0.25) = 0.34875: max|H| synapse moves a full step.
	if math.Abs(float64(got[7])-0.34875) > 1e-6 {
		t.Errorf("w[7] = %v, want 0.34875", got[7])
	}
}

func TestSignUpdateHandComputed(t *testing.T) {
	b, g := newTestGroup(t, "sign")
	w0 := append([]float32(nil), cpu.Data(g.Weight.Value)...)
	gr := append([]float32(nil), cpu.Data(g.Weight.Grad)...)
	g.Rule.Apply(b, g, synapse.Hyper{LR: 0.1, WeightDecay: 0.05, Step: 0})
	got := cpu.Data(g.Weight.Value)
	for i := range w0 {
		want := w0[i] - 0.1*(sgn(gr[i])+0.05*w0[i])
		if math.Abs(float64(got[i]-want)) > 1e-7 {
			t.Errorf("w[%d] = %v, want %v", i, got[i], want)
		}
	}
	// w[0]: 0.5 − 0.1(1 + 0.025) = 0.3975
	if math.Abs(float64(got[0])-0.3975) > 1e-7 {
		t.Errorf("w[0] = %v, want 0.3975", got[0])
	}
}

func TestHebbUpdateHandComputed(t *testing.T) {
	b, g := newTestGroup(t, "hebb")
	w0 := append([]float32(nil), cpu.Data(g.Weight.Value)...)
	h := append([]float32(nil), cpu.Data(g.H)...)
	g.Rule.Apply(b, g, synapse.Hyper{LR: 0.1, WeightDecay: 0, Step: 0})
	got := cpu.Data(g.Weight.Value)
	for i := range w0 {
		want := w0[i] + 0.1*h[i]/4
		if math.Abs(float64(got[i]-want)) > 1e-7 {
			t.Errorf("w[%d] = %v, want %v", i, got[i], want)
		}
	}
}

func TestSoftHebbUpdateHandComputed(t *testing.T) {
	b, g := newTestGroup(t, "softhebb")
	if !g.Anti {
		t.Fatal("softhebb must select the anti-Hebbian eligibility")
	}
	w0 := append([]float32(nil), cpu.Data(g.Weight.Value)...)
	h := append([]float32(nil), cpu.Data(g.H)...)
	g.Rule.Apply(b, g, synapse.Hyper{LR: 0.1, Step: 0})
	got := cpu.Data(g.Weight.Value)
	for k := 0; k < 2; k++ {
		var sq float64
		for j := 0; j < 9; j++ {
			sq += float64(w0[k*9+j] * w0[k*9+j])
		}
		rate := 0.1 * math.Sqrt(math.Abs(math.Sqrt(sq)-1))
		for j := 0; j < 9; j++ {
			i := k*9 + j
			want := float64(w0[i]) + rate*float64(h[i])/4
			if math.Abs(float64(got[i])-want) > 1e-6 {
				t.Errorf("w[%d] = %v, want %v", i, got[i], want)
			}
		}
	}
	// Row 0 has ‖w‖² = 3.203125, so its rate is 0.1·(1.789728−1)^0.5 = 0.0888666.
	if r := (got[0] - w0[0]) / (h[0] / 4); math.Abs(float64(r)-0.0888666) > 1e-5 {
		t.Errorf("row-0 rate %v, want 0.0888666", r)
	}
}

func TestBPUpdateIsSGD(t *testing.T) {
	b, g := newTestGroup(t, "bp")
	w0 := append([]float32(nil), cpu.Data(g.Weight.Value)...)
	gr := append([]float32(nil), cpu.Data(g.Weight.Grad)...)
	opt := synapse.Optimizer{Kind: "sgd", Momentum: 0.9}
	for s := 0; s < 2; s++ {
		g.Rule.Apply(b, g, synapse.Hyper{LR: 0.1, WeightDecay: 0.01, Step: s, Optimizer: opt})
	}
	got := cpu.Data(g.Weight.Value)
	for i := range w0 {
		// Two PyTorch SGD steps with momentum 0.9 on a fixed gradient.
		d1 := gr[i] + 0.01*w0[i]
		w1 := w0[i] - 0.1*d1
		v2 := 0.9*d1 + (gr[i] + 0.01*w1)
		want := w1 - 0.1*v2
		if math.Abs(float64(got[i]-want)) > 1e-6 {
			t.Errorf("w[%d] = %v, want %v", i, got[i], want)
		}
	}
}

func TestStaleModulatorPanics(t *testing.T) {
	b, g := newTestGroup(t, "ghl")
	defer func() {
		if recover() == nil {
			t.Fatal("applying step 1 with a step-0 modulator did not panic")
		}
	}()
	g.Rule.Apply(b, g, synapse.Hyper{LR: 0.1, Step: 1})
}

func TestDecayingTrace(t *testing.T) {
	b, g := newTestGroup(t, "ghl")
	g.Decay = 0.5
	g.Trace = b.Alloc(g.H.Shape())
	g.UpdateTrace(b) // E1 = Ĥ
	g.UpdateTrace(b) // E2 = 0.5·Ĥ + Ĥ
	h := cpu.Data(g.H)
	for i, e := range cpu.Data(g.Trace) {
		if want := 1.5 * h[i] / 4; math.Abs(float64(e-want)) > 1e-6 {
			t.Errorf("E[%d] = %v, want %v", i, e, want)
		}
	}
	if g.TraceScale != 1 {
		t.Errorf("TraceScale = %v, want 1 for a normalised trace", g.TraceScale)
	}
}

func TestSynapseView(t *testing.T) {
	b, g := newTestGroup(t, "ghl")
	g.TrackDelta = true
	g.EnsurePlasticState(b)
	b.Copy(g.Prev, g.Weight.Value)
	g.Rule.Apply(b, g, synapse.Hyper{LR: 0.1, WeightDecay: 0.05, Step: 0})
	v := g.Synapse(b, 0, 7)
	if v.Modulator != -1 || math.Abs(float64(v.Eligibility)+1) > 1e-7 || math.Abs(float64(v.Weight)-0.34875) > 1e-6 || math.Abs(float64(v.DeltaW)-0.09875) > 1e-6 {
		t.Errorf("synapse (0,7) view = %+v", v)
	}
}

func TestUnknownRule(t *testing.T) {
	if _, err := synapse.NewRule("nope"); err == nil {
		t.Fatal("unknown rule accepted")
	}
}
