package datasets_test

import (
	"fmt"

	"ghlsim/datasets"
)

// A training loop's view: split off a validation set, then iterate
// normalised, augmented mini-batches, resuming mid-epoch exactly.
func Example() {
	all := datasets.Synthetic(1000, 3, 32, 32, 10, 1)
	train, val, err := datasets.Split(all, 0.1, 42)
	if err != nil {
		panic(err)
	}
	fmt.Println("train", train.Len(), "val", val.Len())

	mean, std, _ := datasets.StandardNorm("cifar10", train.C)
	loader, err := datasets.NewLoader(train, datasets.LoaderConfig{
		Batch: 64, Shuffle: true, Seed: 7, Mean: mean, Std: std, Crop: 4, Flip: true,
	})
	if err != nil {
		panic(err)
	}
	defer loader.Close()
	fmt.Println("batches per epoch", loader.BatchesPerEpoch())

	loader.Start(0, 0)
	seen := 0
	for b, ok := loader.Next(); ok; b, ok = loader.Next() {
		seen += b.N
	}
	fmt.Println("samples in epoch 0", seen)
	// Output:
	// train 900 val 100
	// batches per epoch 15
	// samples in epoch 0 900
}

func ExampleHead() {
	s := datasets.Synthetic(100, 1, 8, 8, 10, 1)
	fmt.Println(datasets.Head(s, 25).ClassCounts())
	// Output: [3 3 3 3 3 2 2 2 2 2]
}
