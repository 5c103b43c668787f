package network_test

import (
	"path/filepath"
	"slices"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/datasets"
	"ghlsim/network"
)

// What the programs in examples/ rely on, checked without their data.

// scriptNet is examples/custom_network's kind of network at a small size: two
// conv groups and a hidden dense group, a readout named "classifier".
func scriptNet(t testing.TB, seed uint64, r network.Rules) *network.Network {
	t.Helper()
	n := network.New(cpu.New(1), 16, seed)
	h := n.BatchNorm(n.Input(1, 12, 12), "bn1", false)
	h = n.Conv(h, network.ConvSpec{Name: "conv1", Out: 8, Kernel: 3, Pad: 1})
	h = n.MaxPool(n.Act(h, "relu1", backends.ActParams{Kind: backends.ReLU}), "pool1", backends.PoolParams{Kernel: 2})
	h = n.BatchNorm(h, "bn2", false)
	h = n.Conv(h, network.ConvSpec{Name: "conv2", Out: 8, Kernel: 3, Pad: 1, TInv: 0.65})
	h = n.MaxPool(n.Act(h, "relu2", backends.ActParams{Kind: backends.ReLU}), "pool2", backends.PoolParams{Kernel: 2})
	h = n.Dense(n.Flatten(h, "flatten"), network.DenseSpec{Name: "dense3", Out: 16})
	h = n.Act(h, "relu3", backends.ActParams{Kind: backends.ReLU})
	n.Dense(h, network.DenseSpec{Name: "classifier", Out: 4, Bias: true, Init: network.InitUniform, Role: network.Readout})
	if err := n.Build(r); err != nil {
		t.Fatal(err)
	}
	return n
}

// scriptTrain trains n for epochs over s (normalised by its own statistics,
// full batches) and returns its accuracy on test.
func scriptTrain(t testing.TB, n *network.Network, s, test *datasets.Set, epochs int, h network.Hyper) float64 {
	t.Helper()
	mean, std := datasets.NormStats(s)
	l, err := datasets.NewLoader(s, datasets.LoaderConfig{Batch: n.Batch, Shuffle: true, Seed: 1, Mean: mean, Std: std, DropLast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for e := range epochs {
		l.Start(e, 0)
		for bt, ok := l.Next(); ok; bt, ok = l.Next() {
			if _, err := n.TrainStep(bt.X, bt.Y, h); err != nil {
				t.Fatal(err)
			}
		}
	}
	ev, err := datasets.NewLoader(test, datasets.LoaderConfig{Batch: n.Batch, Mean: mean, Std: std, DropLast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	correct, seen := 0, 0
	ev.Start(0, 0)
	for bt, ok := ev.Next(); ok; bt, ok = ev.Next() {
		_, c := n.Evaluate(bt.X, bt.Y, bt.N)
		correct, seen = correct+c, seen+bt.N
	}
	return float64(correct) / float64(seen)
}

// TestScriptCustomNetworkLearns: a builder network whose hidden conv and
// dense groups all learn by GHL (every one subscribed to the modulator)
// goes from chance to ≥ 0.9 test accuracy on a 4-class synthetic task, every
// hidden group's weights moving, and so does the mixed network of
// examples/mixed_rules (conv1 hebb with its own rate, not subscribed).
func TestScriptCustomNetworkLearns(t *testing.T) {
	train := datasets.Synthetic(640, 1, 12, 12, 4, 1)
	test := datasets.Synthetic(960, 1, 12, 12, 4, 1).Subset(seq(640, 960))
	h := network.Hyper{HiddenLR: 5e-2, HiddenWD: 1e-2, ReadoutLR: 5e-2}
	for _, c := range []struct {
		label string
		rules network.Rules
		subs  []string
	}{
		{"all ghl", network.Rules{Hidden: "ghl"}, []string{"conv1", "conv2", "dense3"}},
		{"conv1 hebb", network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{"conv1": {Rule: "hebb", LR: new(float32(5e-3))}}}, []string{"conv2", "dense3"}},
	} {
		n := scriptNet(t, 1, c.rules)
		var subs []string
		for _, s := range n.Channel.Subscriptions() {
			subs = append(subs, s.Name)
		}
		if !slices.Equal(subs, c.subs) {
			t.Errorf("%s: subscribers %v, want %v", c.label, subs, c.subs)
		}
		before := n.SaveState(network.KindWeight)
		chance := scriptTrain(t, n, train, test, 0, h)
		acc := scriptTrain(t, n, train, test, 2, h)
		t.Logf("%s: test accuracy %.3f untrained, %.3f after 2 epochs", c.label, chance, acc)
		if chance > 0.5 || acc < 0.9 {
			t.Errorf("%s: test accuracy %.3f untrained, %.3f after 2 epochs; want ≤ 0.5 and ≥ 0.9", c.label, chance, acc)
		}
		after := n.SaveState(network.KindWeight)
		for _, g := range []string{"conv1", "conv2", "dense3"} {
			if slices.Equal(before[g+".weight"].Data, after[g+".weight"].Data) {
				t.Errorf("%s: %s did not learn", c.label, g)
			}
		}
	}
}

func seq(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// TestScriptPyTorchExportLoads is examples/pytorch_weights' path: a state
// dict written with WriteSafetensors — the network's names plus tensors it
// has no place for, a 0-dimensional bn1.num_batches_tracked and a
// conv1.hebbian_grad buffer as DeepHebb.py holds — loads into a network of
// another seed with LoadWeightsWith{IgnoreExtra}, which names the extras,
// and the loaded network's outputs equal the exporter's bit for bit.
func TestScriptPyTorchExportLoads(t *testing.T) {
	train := datasets.Synthetic(320, 1, 12, 12, 4, 2)
	src := scriptNet(t, 1, network.Rules{Hidden: "ghl"})
	scriptTrain(t, src, train, train, 1, network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3})
	f := network.SafetensorsFile{Tensors: src.SaveState(network.KindWeight, network.KindBuffer), Metadata: map[string]string{"format": "pt"}}
	f.Tensors["bn1.num_batches_tracked"] = network.HostTensor{Shape: backends.Shape{}, Data: []float32{20}}
	w := f.Tensors["conv1.weight"]
	f.Tensors["conv1.hebbian_grad"] = network.HostTensor{Shape: w.Shape, Data: make([]float32, len(w.Data))}
	path := filepath.Join(t.TempDir(), "state_dict.safetensors")
	if err := network.WriteSafetensors(path, f); err != nil {
		t.Fatal(err)
	}
	dst := scriptNet(t, 2, network.Rules{Hidden: "ghl"})
	if err := dst.LoadWeights(path); err == nil {
		t.Error("LoadWeights accepted tensors the network does not have")
	}
	ignored, err := dst.LoadWeightsWith(path, network.LoadOptions{IgnoreExtra: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"bn1.num_batches_tracked", "conv1.hebbian_grad"}; !slices.Equal(ignored, want) {
		t.Errorf("ignored %v, want %v", ignored, want)
	}
	x, y := batch(9, 16, 144, 4)
	logits := func(n *network.Network) []float32 {
		n.Evaluate(x, y, 16)
		out := make([]float32, n.Logits.Shape.Len())
		n.B.Download(out, n.Logits.Act)
		return out
	}
	if a, b := logits(src), logits(dst); !slices.Equal(a, b) {
		t.Errorf("loaded network's logits differ from the exporter's:\n%v\n%v", a[:4], b[:4])
	}
}
