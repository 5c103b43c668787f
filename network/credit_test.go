package network_test

import (
	"math"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/network"
	"ghlsim/neuromod"
)

// spyBackend records the weight tensors the backward-data ops read.
type spyBackend struct {
	*cpu.Backend
	dataWeights []backends.Tensor
}

func (s *spyBackend) Conv2DBackwardData(dx, dy, w backends.Tensor, p backends.ConvParams) {
	s.dataWeights = append(s.dataWeights, w)
	s.Backend.Conv2DBackwardData(dx, dy, w, p)
}

func (s *spyBackend) LinearBackwardData(dx, dy, w backends.Tensor) {
	s.dataWeights = append(s.dataWeights, w)
	s.Backend.LinearBackwardData(dx, dy, w)
}

func readsForwardWeights(n *network.Network, spy *spyBackend) bool {
	for _, w := range spy.dataWeights {
		for _, g := range n.Groups {
			if w == g.Weight.Value {
				return true
			}
		}
	}
	return false
}

func TestFeedbackAlignmentNeverReadsForwardWeights(t *testing.T) {
	spy := &spyBackend{Backend: cpu.New(1)}
	n := tinyNetMod(t, spy, "ghl", "fa-sign", 3)
	if n.Credit() != neuromod.FA {
		t.Fatalf("credit %v, want FA", n.Credit())
	}
	x, y := batch(1, 4, 72, 3)
	if _, err := n.TrainStep(x, y, network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}); err != nil {
		t.Fatal(err)
	}
	if len(spy.dataWeights) == 0 {
		t.Fatal("FA propagated no error at all")
	}
	if readsForwardWeights(n, spy) {
		t.Fatal("fa-sign's backward pass read a forward weight (weight transport)")
	}
	// The control: grad-sign (BP) does read them.
	spy2 := &spyBackend{Backend: cpu.New(1)}
	m := tinyNetMod(t, spy2, "ghl", "grad-sign", 3)
	if _, err := m.TrainStep(x, y, network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}); err != nil {
		t.Fatal(err)
	}
	if !readsForwardWeights(m, spy2) {
		t.Fatal("the spy missed BP's weight transport")
	}
}

func TestDirectFeedbackAlignmentPropagatesNothingDown(t *testing.T) {
	spy := &spyBackend{Backend: cpu.New(1)}
	n := tinyNetMod(t, spy, "ghl", "dfa-sign", 3)
	if n.Credit() != neuromod.DFA {
		t.Fatalf("credit %v, want DFA", n.Credit())
	}
	x, y := batch(1, 4, 72, 3)
	if _, err := n.TrainStep(x, y, network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}); err != nil {
		t.Fatal(err)
	}
	if len(spy.dataWeights) != 0 {
		t.Fatalf("DFA ran %d backward-data ops; every hidden error must come straight from the output", len(spy.dataWeights))
	}
	for _, g := range n.Groups {
		nonzero := false
		for _, v := range cpu.Data(g.Weight.Grad) {
			nonzero = nonzero || v != 0
		}
		if !nonzero {
			t.Errorf("%s received no DFA gradient", g.Name)
		}
	}
}

// TestTrueGradientsUnderFA: telemetry's "true" gradient of an FA network is
// the BP gradient of the same weights, and recomputing it leaves the FA
// gradient in place.
func TestTrueGradientsUnderFA(t *testing.T) {
	b := cpu.New(1)
	fa := tinyNetMod(t, b, "ghl", "fa-sign", 5)
	bp := tinyNetMod(t, b, "ghl", "grad-sign", 5)
	x, y := batch(2, 4, 72, 3)
	fa.Gradients(x, y)
	bp.Gradients(x, y)
	faGrad := append([]float32(nil), cpu.Data(fa.Groups[0].Weight.Grad)...)
	truth := fa.TrueGradients()
	for gi, g := range bp.Groups {
		for i, v := range cpu.Data(g.Weight.Grad) {
			if math.Abs(float64(v-truth[gi][i])) > 1e-5*(1+math.Abs(float64(v))) {
				t.Fatalf("%s[%d]: true gradient %v, BP network %v", g.Name, i, truth[gi][i], v)
			}
		}
	}
	differs := false
	for i, v := range cpu.Data(fa.Groups[0].Weight.Grad) {
		if v != faGrad[i] {
			t.Fatalf("TrueGradients did not restore the FA gradient at %d", i)
		}
		differs = differs || v != truth[0][i]
	}
	if !differs {
		t.Error("FA gradient of conv1 equals the BP gradient: the feedback matrices are not in use")
	}
}

func TestModulatorSpecsTrain(t *testing.T) {
	for _, mod := range []string{"flip:0.2", "delay:2", "every:3", "random", "constant", "grad-sign@neuron", "grad-sign@layer", "grad-sign@global", "fa-sign@neuron", "dfa-sign", "delay:1+flip:0.1"} {
		n := tinyNetMod(t, cpu.New(1), "ghl", mod, 1)
		for s := 0; s < 4; s++ {
			x, y := batch(uint64(s), 4, 72, 3)
			if _, err := n.TrainStep(x, y, network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}); err != nil {
				t.Fatalf("%s: %v", mod, err)
			}
		}
	}
}

// TestDelayedModulatorResumesExactly checkpoints a delay:3 run mid-way; the
// ring buffer travels in the checkpoint so the resumed run is bit-identical.
func TestDelayedModulatorResumesExactly(t *testing.T) {
	run := func(n *network.Network, from, to int) {
		for s := from; s < to; s++ {
			x, y := batch(uint64(40+s), 4, 72, 3)
			if _, err := n.TrainStep(x, y, network.Hyper{HiddenLR: 0.05, ReadoutLR: 0.05}); err != nil {
				t.Fatal(err)
			}
		}
	}
	full := tinyNetMod(t, cpu.New(1), "ghl", "delay:3", 9)
	run(full, 0, 7)
	half := tinyNetMod(t, cpu.New(1), "ghl", "delay:3", 9)
	run(half, 0, 4)
	path := t.TempDir() + "/c.ckpt"
	if err := half.WriteCheckpoint(path, nil); err != nil {
		t.Fatal(err)
	}
	ck, err := network.ReadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := ck.Tensors["conv1.modulator_delay.0"]; !ok || !d.Shape.Equal(backends.Shape{(3*54 + 3) / 4}) {
		t.Fatalf("checkpoint lacks the delay line (3 steps × 54 synapses, one byte each, packed 4 to a float32 word): %v", d.Shape)
	}
	resumed := tinyNetMod(t, cpu.New(1), "ghl", "delay:3", 9)
	if err := resumed.RestoreCheckpoint(ck); err != nil {
		t.Fatal(err)
	}
	run(resumed, 4, 7)
	a, b := full.SaveState(network.KindWeight), resumed.SaveState(network.KindWeight)
	for name, ta := range a {
		for i, v := range ta.Data {
			if v != b[name].Data[i] {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", name, i, b[name].Data[i], v)
			}
		}
	}
}
