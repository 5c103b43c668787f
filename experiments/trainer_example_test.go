package experiments_test

import (
	"context"
	"fmt"

	"ghlsim/backends/cpu"
	"ghlsim/datasets"
	"ghlsim/experiments"
	"ghlsim/network"
)

// A script trains its own network in memory: no run directory, a callback
// per epoch, early stopping on the validation loss.
func ExampleNewTrainer() {
	train, test, err := datasets.Load("synthetic", "n=160,test=64") // 1×28×28, 10 classes
	if err != nil {
		panic(err)
	}
	b := cpu.New(1)
	build := func(batch int) (*network.Network, error) { // also the twin for a partial last batch
		n := network.New(b, batch, 1)
		if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 1, H: 28, W: 28, Classes: 10, Width: 0.05}); err != nil {
			return nil, err
		}
		return n, n.Build(network.Rules{Hidden: "ghl"})
	}
	net, err := build(16)
	if err != nil {
		panic(err)
	}
	c := experiments.TrainerDefaults() // the paper's GHL rates, cosine schedule
	c.Train, c.Test, c.ValFraction, c.Epochs, c.Twin = train, test, 0.2, 3, build
	c.EarlyStop = &experiments.EarlyStop{Metric: "val_loss", Patience: 2}
	tr, err := experiments.NewTrainer(net, c)
	if err != nil {
		panic(err)
	}
	tr.OnEpoch(func(e experiments.EpochInfo) error {
		fmt.Printf("epoch %d/%d: step %d, %d images, validation scored: %v\n", e.Epoch, e.Epochs, e.Step, e.Seen, e.ValAcc >= 0)
		return nil
	})
	res, err := tr.Run(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d epochs; test accuracy above chance: %v\n", len(res.Epochs), res.Epochs[len(res.Epochs)-1].TestAcc > 0.1)
	// Output:
	// epoch 1/3: step 9, 130 images, validation scored: true
	// epoch 2/3: step 18, 130 images, validation scored: true
	// epoch 3/3: step 27, 130 images, validation scored: true
	// 3 epochs; test accuracy above chance: true
}
