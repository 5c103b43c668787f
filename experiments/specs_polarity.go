package experiments

import (
	"fmt"
	"strings"
)

// polarityDatasets are the datasets of each budget, which name the table's
// columns: the smoke budget runs on synthetic data (and says so), the cpu
// budget on Fashion-MNIST only, the full budget on MNIST, Fashion-MNIST and
// the CIFAR-10 copy.
func polarityDatasets(budget string) []string {
	switch budget {
	case "smoke":
		return []string{"synthetic"}
	case "cpu":
		return []string{"fashion-mnist"}
	}
	return []string{"mnist", "fashion-mnist", "cifar10"}
}

// polarityConfig is the base config of one polarity cell:
//
//	smoke  synthetic 1×28×28 data, width 0.05, 64 images, 1 epoch (batch 2 for the delay cells, so that
//	       delay:16 is shorter than the run)
//	cpu    Fashion-MNIST, DeepHebb width 0.125, 6 000 training / 2 000 test images, 2 epochs,
//	       the paper's GHL learning rates and cosine schedule
//	full   DeepHebb width 1, all images, 20 epochs (MNIST, Fashion-MNIST), 100 (CIFAR-10)
func polarityConfig(budget, dataset, modulator string) TrainConfig {
	c := Defaults()
	c.Arch, c.Rule, c.Modulator = "deephebb", "ghl", modulator
	c.HiddenLR, c.HiddenWD, c.ReadoutLR = Float(1e-2), Float(5e-2), Float(5e-3)
	c.Dataset = dataset
	switch budget {
	case "smoke":
		c.Dataset, c.Data = "synthetic", ""
		c.Width, c.TrainLimit, c.TestLimit, c.Epochs, c.Batch, c.ValFraction = 0.05, 80, 32, 1, 16, 0.2
		if strings.HasPrefix(modulator, "delay:") {
			// A delay must be shorter than the run (delay:16 in 4 steps
			// would deliver only zeros, and is refused): 64 images in
			// batches of 2 are 32 steps.
			c.Batch = 2
		}
	case "cpu":
		c.Width, c.TrainLimit, c.TestLimit, c.Epochs = 0.125, 6000, 2000, 2
	default:
		c.Width, c.Epochs = 1, 20
		if dataset == "cifar10" {
			c.Epochs = 100
		}
	}
	c.TelemetryStride = 50
	return c
}

// polarity is the polarity ablation: which property of the third factor makes GHL work.
var polarity = &Spec{
	Name: "polarity", Version: 1,
	Title:  "Polarity ablation — which property of the third factor makes GHL work",
	Metric: "test accuracy (%)",
	Budgets: map[string]string{
		"smoke": "synthetic data, tiny width, one short epoch (seconds)",
		"cpu":   "Fashion-MNIST, DeepHebb width 0.125, 6k train / 2k test images, 2 epochs",
		"full":  "MNIST, Fashion-MNIST (20 epochs) and the CIFAR-10 copy (100 epochs), width 1",
	},
	Cells: func(budget string) ([]CellSpec, error) {
		if err := checkBudget(budget); err != nil {
			return nil, err
		}
		var out []CellSpec
		for _, ds := range polarityDatasets(budget) {
			add := func(row, param string, value float64, mod string) {
				out = append(out, CellSpec{Row: row, Column: ds, Param: param, Value: value, Config: polarityConfig(budget, ds, mod)})
			}
			for _, p := range []float64{0, 0.05, 0.1, 0.2, 0.3, 0.5} {
				add(fmt.Sprintf("flip p=%g", p), "flip probability", p, fmt.Sprintf("flip:%g", p))
			}
			for _, k := range []int{1, 4, 16} {
				add(fmt.Sprintf("delay k=%d", k), "delay (steps)", float64(k), fmt.Sprintf("delay:%d", k))
			}
			for _, src := range []string{"grad-sign", "fa-sign", "dfa-sign"} {
				for _, g := range []string{"synapse", "neuron", "layer", "global"} {
					if src == "grad-sign" && g == "synapse" {
						continue // = flip p=0, the paper's modulator
					}
					add(src+"@"+g, "", 0, src+"@"+g)
				}
			}
			add("random", "", 0, "random")
			add("constant", "", 0, "constant")
		}
		return out, nil
	},
	Notes: []string{
		"flip p=0 is the paper's modulator (grad-sign, per synapse); delay k=0 is the same cell.",
		"@neuron: one sign per post-synaptic neuron, sign(Σ_{b,p} ∂L/∂u_k); @layer: one per layer; @global: one for the network (see neuromod/doc.go).",
		"fa-sign / dfa-sign: the sign of the weight gradient from feedback alignment / direct feedback alignment (no weight transport).",
		"random: a fair coin per synapse and step; constant: +1 everywhere (pure depression under W ← W − η(|Ĥ|⊙M + λW)).",
		"Telemetry (telemetry.jsonl in every cell) records LTP/LTD shares and sign agreement with the true gradient every 50 steps.",
	},
}
