package experiments

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"time"

	"ghlsim/backends"
	"ghlsim/datasets"
	"ghlsim/network"
	"ghlsim/synapse"
)

// BenchSpikingConfig configures `ghl bench --spiking`: the spiking-mnist
// network's training presentation (network.SpikingNet, MNIST images) timed
// per conv rule.
type BenchSpikingConfig struct {
	Rules   []string // conv rules (ghl, sign, hebb, bp, rstdp)
	Batch   int      // images per presentation
	Steps   int      // presentation length T (steps of 1 ms)
	Repeats int      // timed presentations per rule (the median is reported)
	Threads int      // backend threads (0 = all cores)
	Backend string
	// Competition is the conv layers' soft-WTA: softmax ("" too) or lateral
	// (lateral inhibition, network.DefaultInhibition).
	Competition string
	// OpenBackend overrides backends.New (tests).
	OpenBackend func(name string) (backends.Backend, error)
}

// BenchSpikingDefaults is spiking-mnist's cpu budget: batch 32, T = 8.
func BenchSpikingDefaults() BenchSpikingConfig {
	return BenchSpikingConfig{Rules: spikingRules, Batch: 32, Steps: 8, Repeats: 5, Backend: "cpu"}
}

// BenchSpikingRow is one rule's measurement.
type BenchSpikingRow struct {
	Rule          string    `json:"rule"`
	Seconds       []float64 `json:"seconds"`         // each timed presentation
	Median        float64   `json:"median_s"`        // per presentation of Batch images
	ImagesPerS    float64   `json:"images_per_s"`    // training throughput
	Events        int64     `json:"synaptic_events"` // per presentation (SpikingNet.SynapticEvents)
	EventsPerS    float64   `json:"events_per_s"`
	BytesPerSyn   float64   `json:"bytes_per_synapse"`
	Synapses      int64     `json:"synapses"` // conv weights
	AllocsPerStep float64   `json:"allocs_per_presentation"`
}

// BenchSpikingReport is the result.
type BenchSpikingReport struct {
	Rows   []BenchSpikingRow `json:"rows"`
	Device string            `json:"device"`
	Batch  int               `json:"batch"`
	Steps  int               `json:"steps"`
	// Competition is the conv layers' soft-WTA (softmax or lateral).
	Competition string `json:"competition"`
}

// BenchSpiking times a training presentation of every rule in cfg on the
// first MNIST training images: two warm-up presentations, then Repeats
// timed ones; heap allocations are counted over the timed ones.
func BenchSpiking(cfg BenchSpikingConfig, log io.Writer) (*BenchSpikingReport, error) {
	if cfg.Batch < 1 || cfg.Steps < 1 || cfg.Steps > 64 || cfg.Repeats < 1 || cfg.Repeats > 1000 {
		return nil, fmt.Errorf("bench --spiking: batch %d, steps %d, repeats %d: need batch ≥ 1, steps 1–64, repeats 1–1000", cfg.Batch, cfg.Steps, cfg.Repeats)
	}
	train, _, err := datasets.Load("mnist", "")
	if err != nil {
		return nil, err
	}
	open := cfg.OpenBackend
	if open == nil {
		open = backends.New
	}
	b, err := open(cfg.Backend)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	if cfg.Threads > 0 {
		b.SetThreads(cfg.Threads)
	}
	p := network.DefaultSpiking()
	p.Steps = cfg.Steps
	p.Competition = cfg.Competition
	if p.Competition == "lateral" {
		p.Inhibition = network.DefaultInhibition
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("bench --spiking: %w", err)
	}
	if p.Competition == "" {
		p.Competition = "softmax"
	}
	n := cfg.Batch * train.ImageSize()
	if cfg.Batch > train.Len() {
		return nil, fmt.Errorf("bench --spiking: batch %d exceeds the %d MNIST images", cfg.Batch, train.Len())
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(train.Pixels[i]) / 255
	}
	y := train.Labels[:cfg.Batch]
	rep := &BenchSpikingReport{Device: b.Device(), Batch: cfg.Batch, Steps: cfg.Steps, Competition: p.Competition}
	for _, rule := range cfg.Rules {
		net, err := network.NewSpikingNet(b, p, cfg.Batch, 1, rule, "grad-sign")
		if err != nil {
			return nil, err
		}
		h := network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.05, HiddenOpt: synapse.PlainSGD, ReadoutOpt: synapse.Optimizer{Kind: "sgd", Momentum: 0.9}}
		for k := 0; k < 2; k++ {
			if _, err := net.TrainStep(x, y, h); err != nil {
				return nil, err
			}
		}
		row := BenchSpikingRow{Rule: rule, Seconds: make([]float64, 0, cfg.Repeats)}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for k := 0; k < cfg.Repeats; k++ {
			t0 := time.Now()
			if _, err := net.TrainStep(x, y, h); err != nil {
				return nil, err
			}
			b.Sync()
			row.Seconds = append(row.Seconds, time.Since(t0).Seconds())
		}
		runtime.ReadMemStats(&after)
		row.AllocsPerStep = float64(after.Mallocs-before.Mallocs) / float64(cfg.Repeats)
		s := append([]float64(nil), row.Seconds...)
		sort.Float64s(s)
		row.Median = s[len(s)/2]
		row.ImagesPerS = float64(cfg.Batch) / row.Median
		row.Events = net.SynapticEvents()
		row.EventsPerS = float64(row.Events) / row.Median
		row.BytesPerSyn, row.Synapses = net.SynapseBytes()
		if log != nil {
			fmt.Fprintf(log, "%-6s %8.1f img/s  %10.3g syn. events/s  median %.3f s (%s)\n", rule, row.ImagesPerS, row.EventsPerS, row.Median, spread(s))
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// spread is "min–max" of sorted values.
func spread(s []float64) string {
	return fmt.Sprintf("%.3f–%.3f", s[0], s[len(s)-1])
}
