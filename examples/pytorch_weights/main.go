// Command pytorch_weights asks: I trained GHL's DeepHebb in PyTorch — can
// ghlsim evaluate those weights? It builds DeepHebb with the reference code's
// layer names (DeepHebb.py: bn1, conv1, …, classifier), loads a safetensors
// export of its state_dict, which also holds tensors ghlsim has no use for
// (bnK.num_batches_tracked, convK.hebbian_grad), and prints the test accuracy.
// Export in Python with safetensors.torch.save_file(model.state_dict(), "dh.safetensors"),
// then: go run ./examples/pytorch_weights -weights dh.safetensors -data cifar10 -width 1
// Without -weights it writes such a file itself from a network it trains
// briefly on MNIST at width 0.125, then loads it into a fresh network:
//
//	go run ./examples/pytorch_weights                  # 10,000 training images
//	GHLSIM_SMOKE=1 go run ./examples/pytorch_weights   # 512 images, seconds
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/datasets"
	"ghlsim/network"
)

func main() {
	weights := flag.String("weights", "", "safetensors file of DeepHebb.py's state_dict (default: write one)")
	data := flag.String("data", "mnist", "test set (a datasets.Load name)")
	width := flag.Float64("width", 0.125, "channel multiplier the weights were trained at (1 = the paper)")
	flag.Parse()
	trainN, testN := 10000, 10000         // without -weights: images the stand-in exporter trains on
	if os.Getenv("GHLSIM_SMOKE") == "1" { // ci: smoke output contains "loaded network: test accuracy"
		trainN, testN = 512, 256
	}
	train, test, err := datasets.Load(*data, "")
	check(err)
	test = datasets.Head(test, testN)
	mean, std, _ := datasets.StandardNorm(*data, test.C)

	if *weights == "" { // stand in for the PyTorch side: train, then export as torch would
		src := deepHebb(test, *width, 1)
		l, err := datasets.NewLoader(datasets.Head(train, trainN), datasets.LoaderConfig{Batch: src.Batch, Shuffle: true, Seed: 1, Mean: mean, Std: std, DropLast: true})
		check(err)
		l.Start(0, 0)
		for bt, ok := l.Next(); ok; bt, ok = l.Next() {
			_, err := src.TrainStep(bt.X, bt.Y, network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3})
			check(err)
		}
		l.Close()
		// torch's state_dict names, plus what ghlsim ignores (torch writes num_batches_tracked as I64).
		f := network.SafetensorsFile{Tensors: src.SaveState(network.KindWeight, network.KindBuffer), Metadata: map[string]string{"format": "pt"}}
		for _, k := range []string{"1", "2", "3"} {
			f.Tensors["bn"+k+".num_batches_tracked"] = network.HostTensor{Shape: backends.Shape{}, Data: []float32{float32(l.BatchesPerEpoch())}}
			w := f.Tensors["conv"+k+".weight"]
			f.Tensors["conv"+k+".hebbian_grad"] = network.HostTensor{Shape: w.Shape, Data: make([]float32, len(w.Data))}
		}
		*weights = os.TempDir() + "/ghlsim-example-deephebb.safetensors"
		check(network.WriteSafetensors(*weights, f))
		defer os.Remove(*weights)
		fmt.Printf("exporter: test accuracy %.3f; wrote %s (%d tensors)\n", accuracy(src, test, mean, std), *weights, len(f.Tensors))
	}

	n := deepHebb(test, *width, 2) // another seed: every weight must come from the file
	ignored, err := n.LoadWeightsWith(*weights, network.LoadOptions{IgnoreExtra: true})
	check(err)
	fmt.Printf("ignored %d tensors the network has no place for: %v\n", len(ignored), ignored)
	fmt.Printf("loaded network: test accuracy %.3f on %d %s test images\n", accuracy(n, test, mean, std), test.Len(), *data)
}

// deepHebb is DeepHebb (ALGORITHM.md §5) with DeepHebb.py's layer names, so
// a state_dict's names are the network's (BuildArch's deephebb calls the
// classifier fc). Batch 32, for s's image shape and classes.
func deepHebb(s *datasets.Set, width float64, seed uint64) *network.Network {
	n := network.New(cpu.New(runtime.NumCPU()), 32, seed)
	h := n.Input(s.C, s.H, s.W)
	for i, b := range []struct {
		out, kernel, pad int
		tInv             float32
	}{{96, 5, 2, 1}, {384, 3, 1, 0.65}, {1536, 3, 1, 0.25}} {
		k := fmt.Sprint(i + 1)
		h = n.BatchNorm(h, "bn"+k, false)
		h = n.Conv(h, network.ConvSpec{Name: "conv" + k, Out: max(1, int(float64(b.out)*width+0.5)), Kernel: b.kernel, Pad: b.pad, TInv: b.tInv})
		h = n.Act(h, "activ"+k, backends.ActParams{Kind: backends.ReLU})
		if i < 2 {
			h = n.MaxPool(h, "pool"+k, backends.PoolParams{Kernel: 4, Stride: 2, Pad: 1})
		} else {
			h = n.AvgPool(h, "pool"+k, backends.PoolParams{Kernel: 2, Stride: 2})
		}
	}
	h = n.Dropout(n.Flatten(h, "flatten"), "dropout", 0.5)
	n.Dense(h, network.DenseSpec{Name: "classifier", Out: s.Classes, Bias: true, Init: network.InitUniform, Role: network.Readout})
	check(n.Build(network.Rules{Hidden: "ghl"}))
	return n
}

// accuracy evaluates n on every image of s (eval mode), padding the last batch.
func accuracy(n *network.Network, s *datasets.Set, mean, std []float32) float64 {
	l, err := datasets.NewLoader(s, datasets.LoaderConfig{Batch: n.Batch, Mean: mean, Std: std})
	check(err)
	defer l.Close()
	x, y := make([]float32, n.InPop.Shape.Len()), make([]int32, n.Batch)
	correct := 0
	l.Start(0, 0)
	for bt, ok := l.Next(); ok; bt, ok = l.Next() {
		copy(x, bt.X)
		copy(y, bt.Y)
		_, c := n.Evaluate(x, y, bt.N)
		correct += c
	}
	return float64(correct) / float64(s.Len())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "pytorch_weights:", err)
		os.Exit(1)
	}
}
