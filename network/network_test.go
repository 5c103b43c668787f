package network_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/network"
)

// tinyNet has every op kind: affine BN, conv (zero and reflect padding,
// with and without bias), ReLU, Triangle, max and average pooling, a
// residual add, flatten, dropout and a dense readout.
func tinyNet(t testing.TB, b backends.Backend, rule string, seed uint64) *network.Network {
	return tinyNetMod(t, b, rule, "", seed)
}

// tinyNetMod is tinyNet with a modulator source spec ("" = grad-sign).
func tinyNetMod(t testing.TB, b backends.Backend, rule, mod string, seed uint64) *network.Network {
	t.Helper()
	return tinyNetBatch(t, b, rule, mod, seed, 4)
}

// tinyNetBatch is tinyNetMod at another batch size.
func tinyNetBatch(t testing.TB, b backends.Backend, rule, mod string, seed uint64, batchSize int) *network.Network {
	t.Helper()
	n := network.New(b, batchSize, seed)
	x := n.Input(2, 6, 6)
	h := n.BatchNorm(x, "bn0", true)
	h = n.Conv(h, network.ConvSpec{Name: "conv1", Out: 3, Kernel: 3, Pad: 1, TInv: 1})
	h = n.Act(h, "act1", backends.ActParams{Kind: backends.ReLU})
	h = n.MaxPool(h, "pool1", backends.PoolParams{Kernel: 2, Stride: 2})
	r := n.Conv(h, network.ConvSpec{Name: "conv2", Out: 3, Kernel: 3, Pad: 1, Mode: backends.PadReflect, Bias: true, TInv: 0.5})
	r = n.Act(r, "act2", backends.ActParams{Kind: backends.Triangle, Power: 1})
	h = n.Add(h, r, "res")
	h = n.BatchNorm(h, "bn2", false)
	h = n.AvgPool(h, "pool2", backends.PoolParams{Kernel: 3, Stride: 3})
	h = n.Flatten(h, "flat")
	h = n.Dropout(h, "drop", 0.25)
	n.Dense(h, network.DenseSpec{Name: "fc", Out: 3, Bias: true, Init: network.InitUniform, Role: network.Readout})
	if err := n.Build(network.Rules{Hidden: rule, Modulator: mod}); err != nil {
		t.Fatal(err)
	}
	return n
}

func batch(seed uint64, n, feat, classes int) ([]float32, []int32) {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n*feat)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	y := make([]int32, n)
	for i := range y {
		y[i] = int32(r.IntN(classes))
	}
	return x, y
}

// TestWholeNetworkGradient checks ∂L/∂θ of every parameter of a network
// with every op kind against a central finite difference of the loss along a
// random direction (per parameter tensor). The per-op checks against float64
// references live in backends/backendtest.
func TestWholeNetworkGradient(t *testing.T) {
	b := cpu.New(1)
	n := tinyNet(t, b, "bp", 3)
	x, y := batch(5, 4, 2*6*6, 3)
	network.CheckGradient(t, n, x, y)
}

func trainSteps(t testing.TB, rule string, seed uint64, steps int) *network.Network {
	b := cpu.New(2)
	n := tinyNet(t, b, rule, seed)
	h := network.Hyper{HiddenLR: 0.05, HiddenWD: 0.01, ReadoutLR: 0.05}
	for s := 0; s < steps; s++ {
		x, y := batch(uint64(100+s), 4, 2*6*6, 3)
		if _, err := n.TrainStep(x, y, h); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func TestSameSeedBitIdentical(t *testing.T) {
	for _, rule := range []string{"ghl", "bp", "sign", "hebb"} {
		a := trainSteps(t, rule, 7, 5).SaveState()
		c := trainSteps(t, rule, 7, 5).SaveState()
		d := trainSteps(t, rule, 8, 5).SaveState()
		differs := false
		for name, ta := range a {
			for i, v := range ta.Data {
				if math.Float32bits(v) != math.Float32bits(c[name].Data[i]) {
					t.Fatalf("%s: %s[%d] differs between two runs with the same seed", rule, name, i)
				}
				if v != d[name].Data[i] {
					differs = true
				}
			}
		}
		if !differs {
			t.Errorf("%s: seeds 7 and 8 gave identical weights", rule)
		}
	}
}

// TestGHLStepApplied checks one scheduled GHL step end to end: the applied
// change of conv1 equals −η(|H|/max|H| ⊙ sign(∂L/∂W) + λW) from the same
// batch's eligibility and gradient computed by the probes.
func TestGHLStepApplied(t *testing.T) {
	b := cpu.New(1)
	n := tinyNet(t, b, "ghl", 11)
	x, y := batch(12, 4, 2*6*6, 3)
	g := n.Groups[0]
	w0 := append([]float32(nil), cpu.Data(g.Weight.Value)...)
	h := network.Hyper{HiddenLR: 0.1, HiddenWD: 0.05, ReadoutLR: 0.01}
	if _, err := n.TrainStep(x, y, h); err != nil {
		t.Fatal(err)
	}
	hh := cpu.Data(g.H)
	grad := cpu.Data(g.Weight.Grad)
	var mx float32
	for _, v := range hh {
		mx = float32(math.Max(float64(mx), math.Abs(float64(v))))
	}
	if mx == 0 || g.HMax != mx {
		t.Fatalf("HMax %v, max|H| %v", g.HMax, mx)
	}
	moved := 0
	for i, w := range cpu.Data(g.Weight.Value) {
		s := float32(0)
		if grad[i] > 0 {
			s = 1
		} else if grad[i] < 0 {
			s = -1
		}
		want := w0[i] - 0.1*(float32(math.Abs(float64(hh[i])))/mx*s+0.05*w0[i])
		if math.Abs(float64(w-want)) > 1e-6 {
			t.Errorf("conv1 w[%d] = %v, want %v", i, w, want)
		}
		if w != w0[i] {
			moved++
		}
	}
	if moved == 0 {
		t.Fatal("no synapse moved")
	}
	if g.ModStep != 0 || n.Step() != 1 {
		t.Errorf("modulator stamped %d, step now %d", g.ModStep, n.Step())
	}
}

func TestCheckpointResumeBitIdentical(t *testing.T) {
	dir := t.TempDir()
	full := trainSteps(t, "ghl", 21, 6).SaveState()
	half := trainSteps(t, "ghl", 21, 3)
	path := dir + "/c.ckpt"
	if err := half.WriteCheckpoint(path, map[string]string{"epoch": "0"}); err != nil {
		t.Fatal(err)
	}
	ck, err := network.ReadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	b := cpu.New(2)
	n := tinyNet(t, b, "ghl", 21)
	if err := n.RestoreCheckpoint(ck); err != nil {
		t.Fatal(err)
	}
	h := network.Hyper{HiddenLR: 0.05, HiddenWD: 0.01, ReadoutLR: 0.05}
	for s := 3; s < 6; s++ {
		x, y := batch(uint64(100+s), 4, 2*6*6, 3)
		if _, err := n.TrainStep(x, y, h); err != nil {
			t.Fatal(err)
		}
	}
	got := n.SaveState()
	for name, ta := range full {
		for i, v := range ta.Data {
			if math.Float32bits(v) != math.Float32bits(got[name].Data[i]) {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", name, i, got[name].Data[i], v)
			}
		}
	}
}

func TestBuildErrors(t *testing.T) {
	b := cpu.New(1)
	cases := map[string]func(n *network.Network){
		"kernel larger than input": func(n *network.Network) {
			x := n.Input(1, 3, 3)
			n.Conv(x, network.ConvSpec{Name: "c", Out: 2, Kernel: 5})
		},
		"zero channels": func(n *network.Network) {
			x := n.Input(1, 8, 8)
			n.Conv(x, network.ConvSpec{Name: "c", Out: 0, Kernel: 3})
		},
		"dense on image": func(n *network.Network) {
			x := n.Input(1, 8, 8)
			n.Dense(x, network.DenseSpec{Name: "fc", Out: 2})
		},
		"no logits": func(n *network.Network) {
			x := n.Input(1, 8, 8)
			n.Conv(x, network.ConvSpec{Name: "c", Out: 2, Kernel: 3})
		},
	}
	for name, build := range cases {
		n := network.New(b, 2, 1)
		build(n)
		if err := n.Build(network.Rules{Hidden: "ghl"}); err == nil {
			t.Errorf("%s: Build succeeded", name)
		}
	}
	if err := network.BuildArch(network.New(b, 2, 1), "deephebb", network.ArchOptions{C: 1, H: 28, W: 28, Classes: 10, Width: 0.001}); err == nil {
		t.Error("width 0.001 (zero channels) accepted")
	}
}

func TestDeepHebbShapes(t *testing.T) {
	b := cpu.New(1)
	n := network.New(b, 2, 1)
	if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 1}); err != nil {
		t.Fatal(err)
	}
	if err := n.Build(network.Rules{Hidden: "ghl"}); err != nil {
		t.Fatal(err)
	}
	params := 0
	for _, p := range n.Params() {
		params += p.Value.Shape().Len()
	}
	// ALGORITHM.md §5: ~5.9 M parameters; 96·3·25 + 384·96·9 + 1536·384·9 + (24576·10 + 10).
	if want := 96*3*25 + 384*96*9 + 1536*384*9 + 24576*10 + 10; params != want {
		t.Errorf("DeepHebb has %d parameters, want %d", params, want)
	}
	if !n.Logits.Shape.Equal(backends.Shape{2, 10}) {
		t.Errorf("logits %v", n.Logits.Shape)
	}
}

func TestStepFLOPsDeepHebb(t *testing.T) {
	// Per image, from ALGORITHM.md §5 shapes: conv1 2·96·75·1024,
	// conv2 2·384·864·256, conv3 2·1536·3456·64, fc 2·24576·10.
	const c1, c2, c3, fc = 14745600, 169869312, 679477248, 491520
	for _, c := range []struct {
		rule           string
		n1, n2, n3, nf float64 // products per layer: forward, weight grad, input grad, Hebbian
	}{
		{"ghl", 3, 4, 4, 3},
		{"bp", 2, 3, 3, 3},
	} {
		for _, conv := range []cpu.ConvAlgorithm{cpu.ConvAuto, cpu.ConvIm2col} {
			b := cpu.New(1)
			b.SetConvAlgorithm(conv)
			n := network.New(b, 2, 1)
			if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 1}); err != nil {
				t.Fatal(err)
			}
			if err := n.Build(network.Rules{Hidden: c.rule}); err != nil {
				t.Fatal(err)
			}
			want := c.n1*c1 + c.n2*c2 + c.n3*c3 + c.nf*fc
			if got := n.StepFLOPs() / 2; got != want {
				t.Errorf("%s: %.0f FLOP per image, want %.0f", c.rule, got, want)
			}
			// Under auto, conv2 and conv3 (3×3, ≥ 16 channels, even extents)
			// run as Winograd F(2×2, 3×3): 16/36 of their direct products.
			exec := want
			if conv == cpu.ConvAuto {
				exec = c.n1*c1 + (c.n2*c2+c.n3*c3)*16/36 + c.nf*fc
			}
			if got := n.ExecutedStepFLOPs() / 2; math.Abs(got-exec) > 1e-9*exec {
				t.Errorf("%s, conv %s: %.0f executed FLOP per image, want %.0f", c.rule, conv, got, exec)
			}
			b.Close()
		}
	}
}

// TestNumericGuardNamesLayerAndStep poisons one weight and expects the step
// to fail naming that tensor and the step.
func TestNumericGuardNamesLayerAndStep(t *testing.T) {
	b := cpu.New(1)
	n := tinyNet(t, b, "ghl", 2)
	h := network.Hyper{HiddenLR: 0.05, ReadoutLR: 0.05}
	x, y := batch(1, 4, 72, 3)
	if _, err := n.TrainStep(x, y, h); err != nil {
		t.Fatal(err)
	}
	cpu.Data(n.Groups[1].Weight.Value)[3] = float32(math.Inf(1))
	_, err := n.TrainStep(x, y, h)
	var ne *network.NumericError
	if !errors.As(err, &ne) || ne.Step != 1 {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(ne.Where, "conv2") && ne.Where != "loss" {
		t.Errorf("error names %q, want conv2's tensors or the loss", ne.Where)
	}
	// An infinite learning rate: the loss of the step is fine, the update is
	// not, and the guard names the first parameter it ruins.
	k := tinyNet(t, b, "ghl", 2)
	if _, err := k.TrainStep(x, y, network.Hyper{HiddenLR: float32(math.Inf(1)), ReadoutLR: 0.05}); !errors.As(err, &ne) || ne.Step != 0 || ne.Where != "conv1.weight" {
		t.Fatalf("infinite lr: %v", err)
	}
	// NaN input: the loss itself is NaN at the first step.
	m := tinyNet(t, b, "ghl", 2)
	x[0] = float32(math.NaN())
	if _, err := m.TrainStep(x, y, h); !errors.As(err, &ne) || ne.Step != 0 {
		t.Fatalf("NaN input: %v", err)
	}
}
