package experiments

import (
	"fmt"

	"ghlsim/network"
)

// spikingBase is the base config of a spiking-mnist cell:
//
//	smoke  synthetic 1×28×28 data, 64 training / 32 test images, T = 4, batch 16, 1 epoch
//	cpu    MNIST, 30 000 training images (the first of the 60 000) × 2 epochs, the 10 000 test images,
//	       T = 8 steps of 1 ms, batch 32 (≈ 15 min per cell on 2 cores)
//	full   MNIST, all 60 000 training images × 20 epochs, T = 16
//
// The network is network.DefaultSpiking (conv 5×5 16 → LIF → avg-pool 2 →
// conv 5×5 32 → LIF → avg-pool 2 → linear readout of the mean pooled spike
// count), rate-coded input (intensity × 0.8 spikes per step).
func spikingBase(budget string) SpikingConfig {
	c := SpikingConfig{Dataset: "mnist", Batch: 32, Epochs: 2, TrainLimit: 30000, Net: network.DefaultSpiking(),
		Modulator: "grad-sign", HiddenLR: 0.01, ReadoutLR: 0.05, ReadoutMomentum: 0.9, Schedule: "cosine",
		TelemetryStride: 20, Backend: "cpu"}
	c.Net.Steps = 8
	switch budget {
	case "smoke":
		c.Dataset, c.Data, c.TrainLimit, c.TestLimit, c.Epochs, c.Batch = "synthetic", "n=64,test=32", 0, 0, 1, 16
		c.Net.Steps, c.TelemetryStride = 4, 1
	case "full":
		c.TrainLimit, c.Epochs, c.Net.Steps = 0, 20, 16
	}
	return c
}

// spikingColumns are spiking-mnist's columns: the conv layers' rule (the
// readout learns by backprop in every column), with the learning rate each
// uses. BPTT trains the conv layers with Adam, the usual optimiser for
// surrogate-gradient networks (SGD at GHL's rate learned 69 % in the first
// 1280 images against GHL's 79 %).
var spikingColumns = []struct {
	name, rule string
	lr         float64
	adam       bool
	lateral    bool // competition by lateral inhibition (network.DefaultInhibition) instead of softmax
}{
	{"GHL in time", "ghl", 0.01, false, false},
	{"GHL in time, lateral inhibition", "ghl", 0.01, false, true},
	{"Sign only", "sign", 0.01, false, false},
	{"Hebbian only", "hebb", 0.01, false, false},
	{"BPTT (surrogate)", "bp", 1e-3, true, false},
	{"R-STDP", "rstdp", 0.01, false, false},
}

// polarityTimeBase is the base config of a polarity-time cell: GHL in time
// with T = 10 steps of 1 ms (one presentation is 10 ms, the shortest
// latency) and the eligibility kept across presentations.
//
//	smoke  spiking-mnist's smoke data, 32 presentations of one image; latencies up to 50 ms only
//	cpu    MNIST, 4 000 training images × 1 epoch in batches of 8 (500 presentations, 5 s simulated), 2 000 test images
//	full   spiking-mnist's cpu budget: 30 000 × 2 epochs, 10 000 test images
func polarityTimeBase(budget string) SpikingConfig {
	c := spikingBase(budget)
	if budget == "full" {
		c = spikingBase("cpu")
	}
	c.Rule, c.Net.Steps, c.Net.KeepEligibility = "ghl", 10, true
	switch budget {
	case "smoke":
		// 32 presentations of one image (the smoke sweep's latencies stop
		// at 50 ms, 5 presentations)
		c.Batch, c.Data = 1, "n=32,test=16"
	case "cpu":
		// batch 8: 500 presentations (5 s simulated), so that the 1000 ms
		// latency leaves 400 with a modulator
		c.TrainLimit, c.TestLimit, c.Epochs, c.Batch = 4000, 2000, 1, 8
	}
	return c
}

// spikingMNIST is GHL in time on a spiking convolutional network (spiking-mnist).
var spikingMNIST = &Spec{
	Name: "spiking-mnist", Version: 1,
	Title:  "GHL in time — a spiking convolutional network learning MNIST, against lateral inhibition, Sign only, Hebbian only, BPTT and R-STDP",
	Metric: "test accuracy (%)",
	Budgets: map[string]string{
		"smoke": "synthetic 28×28 images, 64 training images, T = 4 (seconds)",
		"cpu":   "MNIST, 30 000 training images × 2 epochs, 10 000 test images, T = 8 (≈ 15 min per cell on 2 cores)",
		"full":  "MNIST, 60 000 × 20 epochs, T = 16",
	},
	Cells: func(budget string) ([]CellSpec, error) {
		if err := checkBudget(budget); err != nil {
			return nil, err
		}
		var cells []CellSpec
		for _, col := range spikingColumns {
			c := spikingBase(budget)
			c.Rule, c.HiddenLR, c.Label = col.rule, col.lr, col.name
			if col.adam {
				c.HiddenOptimizer = "adam"
			}
			if col.lateral {
				c.Net.Competition, c.Net.Inhibition = "lateral", network.DefaultInhibition
			}
			cells = append(cells, CellSpec{Row: "spiking MNIST", Column: col.name, Spiking: &c})
		}
		return cells, nil
	},
	Notes: []string{
		"Network: network.SpikingNet — conv 5×5 (16) → LIF → avg-pool 2 → conv 5×5 (32) → LIF → avg-pool 2 → linear readout of the mean pooled spike count; LIF τ_m 10 ms, θ 1, soft reset, dt 1 ms; rate-coded input (intensity × 0.8 spikes per step).",
		"GHL in time: Δw = −η(|Ê|⊙sign(∂L/∂W) + λw), E the Oja-SWTA term integrated over the presentation from presynaptic traces (τ_pre 5 ms) and membrane drives, decaying with τ_e 100 ms; ∂L/∂W from BPTT with a boxcar surrogate (half-width 0.5). Its soft-WTA y is the softmax of the drives (t_inv 1 and 0.65).",
		"GHL in time, lateral inhibition: the same rule with y the layer's own spikes, its neurons competing through lateral inhibition (each spike takes κ = 0.1 from the current of the other channels' neurons at its position at the next step; BPTT runs through the inhibition).",
		"Sign only: the same sign without |Ê|. Hebbian only: Ê without the sign. BPTT: the surrogate gradient itself, Adam 1e-3. R-STDP: reward-signed STDP of the presentation's spikes (Mozafari et al. 2019), rewards balanced by the batch's hit and miss shares.",
		"The readout learns by backprop (SGD, momentum 0.9, lr 0.05) in every column; hidden and readout rates anneal by a cosine over the run; batch 32, the last partial batch dropped.",
	},
}

// polarityTime is the polarity ablation in time (polarity-time).
var polarityTime = &Spec{
	Name: "polarity-time", Version: 1,
	Title:  "Polarity in time — modulator latency against the eligibility's time constant, flipped and coarser signs, on spiking MNIST",
	Metric: "test accuracy (%)",
	Budgets: map[string]string{
		"smoke": "synthetic 28×28 images, 32 presentations of one image, latencies up to 50 ms (seconds per cell)",
		"cpu":   "MNIST, 4 000 training images × 1 epoch in batches of 8 (500 presentations of 10 ms), 2 000 test images (about a minute per cell)",
		"full":  "MNIST, 30 000 × 2 epochs, 10 000 test images",
	},
	Cells: func(budget string) ([]CellSpec, error) {
		if err := checkBudget(budget); err != nil {
			return nil, err
		}
		var cells []CellSpec
		add := func(row, col, param string, v float64, c SpikingConfig) {
			c.Label = row
			cells = append(cells, CellSpec{Row: row, Column: col, Param: param, Value: v, Spiking: &c})
		}
		base := func() SpikingConfig { return polarityTimeBase(budget) }
		lats := []float64{0, 10, 50, 200, 1000}
		if budget == "smoke" {
			lats = lats[:3]
		}
		for _, lat := range lats {
			for _, tau := range []float64{10, 100, 1000} {
				c := base()
				c.Net.LatencyMS, c.Net.TauEMS = lat, tau
				add(fmt.Sprintf("latency %g ms", lat), fmt.Sprintf("τ_e %g ms", tau), "latency (ms)", lat, c)
			}
		}
		for _, p := range []float64{0, 0.1, 0.3, 0.5} {
			c := base()
			c.Modulator = fmt.Sprintf("flip:%g+grad-sign", p)
			add(fmt.Sprintf("flip p=%g", p), "τ_e 100 ms", "flip probability", p, c)
		}
		for _, g := range []string{"synapse", "neuron", "layer", "global"} {
			c := base()
			c.Modulator = "grad-sign@" + g
			add("grad-sign@"+g, "τ_e 100 ms", "", 0, c)
		}
		return cells, nil
	},
	Notes: []string{
		"Every cell is GHL in time on network.SpikingNet (see spiking-mnist) with T = 10 steps of 1 ms, so one presentation is 10 ms and every latency is a whole number of presentations.",
		"latency: the sign computed at the end of a presentation reaches the synapses that many ms later, where it meets the eligibility as it is then; the eligibility is kept across presentations (decaying with τ_e), so a late sign acts on the Hebbian history of the last ≈ τ_e ms.",
		"flip p: each synapse's sign is inverted with probability p; grad-sign@G: one sign per post-neuron, per layer or for the whole network (the sign of the summed gradient).",
		"cpu: a reduced image count (4 000 training images, one epoch in batches of 8 — 500 presentations, 5 s of simulated time —, 2 000 test images); full: 30 000 × 2 epochs, 10 000 test images. A latency of L ms leaves the first L/10 presentations without a modulator.",
	},
}
