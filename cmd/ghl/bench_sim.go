package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"ghlsim/experiments"
)

// cmdBenchSim is `ghl bench --sim`: the distal-reward network for --seconds
// of simulated time on ghlsim, then on Brian2's targets, with the ratios.
func cmdBenchSim(args []string) error {
	fs := flag.NewFlagSet("ghl bench --sim", flag.ContinueOnError)
	var cfg experiments.BenchSimConfig
	fs.Bool("sim", true, "simulated-time benchmark (this mode)")
	fs.Float64Var(&cfg.Seconds, "seconds", 10, "simulated seconds per measurement")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "network seed")
	fs.StringVar(&cfg.Python, "python", "", "Python with Brian2 (default /usr/bin/python3; off = ghlsim only)")
	targets := fs.String("brian2", "runtime,cpp_standalone", "Brian2 targets, comma-separated (runtime, numpy, cython, cpp_standalone)")
	fs.IntVar(&cfg.Threads, "threads", 1, "threads for Brian2's cpp_standalone (ghlsim's event engine and Brian2's runtime are single-threaded)")
	out := fs.String("out", "", "directory for bench_sim.json (default runs/bench-sim-TIME)")
	if rest, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	if err := checkThreads(cfg.Threads); err != nil {
		return err
	}
	cfg.Targets = strings.Split(*targets, ",")
	rep, err := experiments.BenchSim(cfg, os.Stdout)
	if err != nil {
		return err
	}
	fmt.Printf("\ndistal-reward network, %g s simulated, %s\n", cfg.Seconds, rep.CPU)
	fmt.Printf("%-22s %14s %12s %14s %12s %10s\n", "engine", "wall s/sim s", "spikes/s", "syn events/s", "compile s", "ghlsim ×")
	g := rep.Rows[0]
	for _, r := range rep.Rows {
		if r.Error != "" {
			fmt.Printf("%-22s failed: %s\n", r.Engine, r.Error)
			continue
		}
		ratio := r.WallPerSimS / g.WallPerSimS
		fmt.Printf("%-22s %14.4f %12.0f %14.3g %12.1f %10.2f\n", r.Engine, r.WallPerSimS, r.SpikesPerS, r.EventsPerS, r.CompileS, ratio)
	}
	fmt.Printf("ghlsim runs (interleaved with Brian2, wall s per simulated s): %.4f; the table uses their median\n", g.WallRuns)
	fmt.Printf("ghlsim memory: %.1f bytes per plastic synapse; %.2f heap allocations per simulated step\n", g.BytesPerSyn, g.AllocsPerStep)
	return writeBenchResult(*out, "bench-sim", "bench_sim", args, rep.CPU, rep)
}
