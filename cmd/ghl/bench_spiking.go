package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"ghlsim/experiments"
)

// cmdBenchSpiking is `ghl bench --spiking`: spiking-mnist's training
// presentation per conv rule, as images/s and synaptic events/s.
func cmdBenchSpiking(args []string) error {
	fs := flag.NewFlagSet("ghl bench --spiking", flag.ContinueOnError)
	cfg := experiments.BenchSpikingDefaults()
	fs.Bool("spiking", true, "spiking-network benchmark (this mode)")
	rules := fs.String("rules", strings.Join(cfg.Rules, ","), "conv rules, comma-separated")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "images per presentation")
	fs.IntVar(&cfg.Steps, "steps", cfg.Steps, "presentation length T (steps of 1 ms)")
	fs.IntVar(&cfg.Repeats, "repeats", cfg.Repeats, "timed presentations per rule (median reported)")
	fs.IntVar(&cfg.Threads, "threads", 0, "backend threads (0 = all cores)")
	fs.StringVar(&cfg.Backend, "backend", cfg.Backend, "ghlsim backend (cpu, torch:cpu, torch:cuda)")
	fs.StringVar(&cfg.Competition, "competition", "softmax", "conv layers' soft-WTA: softmax, or lateral (lateral inhibition)")
	out := fs.String("out", "", "directory for bench_spiking.json (default runs/bench-spiking-TIME)")
	if rest, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	if err := checkThreads(cfg.Threads); err != nil {
		return err
	}
	cfg.Rules = strings.Split(*rules, ",")
	rep, err := experiments.BenchSpiking(cfg, os.Stdout)
	if err != nil {
		return err
	}
	fmt.Printf("\nspiking-mnist presentation: batch %d, T = %d steps of 1 ms, MNIST images, %s competition, %s\n", rep.Batch, rep.Steps, rep.Competition, rep.Device)
	fmt.Printf("%-6s %10s %16s %12s %12s %16s\n", "rule", "img/s", "syn. events/s", "events/img", "bytes/syn.", "allocs/present.")
	for _, r := range rep.Rows {
		fmt.Printf("%-6s %10.1f %16.3g %12.3g %12.1f %16.2f\n", r.Rule, r.ImagesPerS, r.EventsPerS, float64(r.Events)/float64(rep.Batch), r.BytesPerSyn, r.AllocsPerStep)
	}
	return writeBenchResult(*out, "bench-spiking", "bench_spiking", args, rep.Device, rep)
}
