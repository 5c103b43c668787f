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

// evaluate runs the run's network in eval mode over a whole set and
// returns mean loss and accuracy (a fraction); −1, −1 for no set.
func evaluate(r *trainer, s *datasets.Set) (loss, acc float64, err error) {
	return evalSet(r.net, s, r.data.mean, r.data.std)
}
