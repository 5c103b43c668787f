package experiments

import (
	"fmt"

	"ghlsim/datasets"
)

// runData is a run's three splits and their normalisation.
type runData struct {
	train, val, test *datasets.Set
	mean, std        []float32
}

// loadData loads the dataset, applies the limits and holds out validation.
func loadData(cfg TrainConfig) (*runData, error) {
	train, test, err := datasets.LoadWith(cfg.Dataset, cfg.Data, datasets.LoadOptions{MaxImagePixels: cfg.MaxImagePixels})
	if err != nil {
		return nil, err
	}
	if cfg.TrainLimit > 0 && cfg.TrainLimit < train.Len() {
		train = datasets.Head(train, cfg.TrainLimit)
	}
	if cfg.TestLimit > 0 && cfg.TestLimit < test.Len() {
		test = datasets.Head(test, cfg.TestLimit)
	}
	d := &runData{train: train, test: test}
	if cfg.ValFraction > 0 {
		d.train, d.val, err = datasets.Split(train, cfg.ValFraction, cfg.Seed)
		if err != nil {
			return nil, err
		}
	}
	if d.train.Len() < cfg.Batch {
		return nil, fmt.Errorf("the training split has %d samples, fewer than one batch of %d: lower --batch or raise --train-limit", d.train.Len(), cfg.Batch)
	}
	d.mean, d.std = normFor(cfg.Dataset, train)
	return d, nil
}

// normFor is the per-channel normalisation: the standard MNIST constants,
// the reference's 0.5/0.5 for colour images (ALGORITHM.md §3), and measured
// statistics otherwise.
func normFor(name string, s *datasets.Set) (mean, std []float32) {
	switch name {
	case "mnist":
		return []float32{0.1307}, []float32{0.3081}
	case "fashion-mnist":
		return []float32{0.2860}, []float32{0.3530}
	case "cifar10", "cifar100", "imagefolder":
		m, sd := make([]float32, s.C), make([]float32, s.C)
		for i := range m {
			m[i], sd[i] = 0.5, 0.5
		}
		return m, sd
	}
	return datasets.NormStats(s)
}

// evaluate runs the network in eval mode over a whole set and returns mean
// loss and accuracy (a fraction).
func evaluate(r *trainer, s *datasets.Set) (loss, acc float64, err error) {
	if s == nil || s.Len() == 0 {
		return -1, -1, nil
	}
	l, err := datasets.NewLoader(s, datasets.LoaderConfig{Batch: r.net.Batch, Mean: r.data.mean, Std: r.data.std})
	if err != nil {
		return 0, 0, err
	}
	defer l.Close()
	l.Start(0, 0)
	feat := r.net.InPop.Features()
	x := make([]float32, r.net.Batch*feat)
	y := make([]int32, r.net.Batch)
	var sum float64
	var correct int
	for {
		bt, ok := l.Next()
		if !ok {
			break
		}
		copy(x, bt.X[:bt.N*feat])
		clear(x[bt.N*feat:])
		copy(y, bt.Y[:bt.N])
		clear(y[bt.N:])
		ls, c := r.net.Evaluate(x, y, bt.N)
		sum += ls
		correct += c
	}
	n := float64(s.Len())
	return sum / n, float64(correct) / n, nil
}
