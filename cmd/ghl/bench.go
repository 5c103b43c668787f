package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"ghlsim/experiments"
	"ghlsim/internal/buildinfo"
	"ghlsim/internal/quote"
	"ghlsim/internal/runfiles"
)

func cmdBench(args []string) (err error) {
	for _, a := range args {
		if a == "--sim" || a == "-sim" || a == "--sim=true" {
			return cmdBenchSim(args)
		}
		if a == "--spiking" || a == "-spiking" || a == "--spiking=true" {
			return cmdBenchSpiking(args)
		}
	}
	fs := flag.NewFlagSet("ghl bench", flag.ContinueOnError)
	cfg := experiments.BenchDefaults()
	widths := fs.String("widths", "1,0.25", "DeepHebb width multipliers, comma-separated")
	rules := fs.String("rules", "ghl,bp", "rules, comma-separated")
	backendList := fs.String("backend", "cpu", "ghlsim backends, comma-separated (e.g. cpu,torch:cpu)")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "batch size")
	fs.IntVar(&cfg.Repeats, "repeats", cfg.Repeats, "timed steps per configuration (median, min–max reported)")
	fs.IntVar(&cfg.Threads, "threads", 0, "threads for ghlsim and PyTorch (0 = all cores)")
	fs.StringVar(&cfg.Python, "python", "", "Python with PyTorch for the side-by-side step (default /usr/bin/python3; off = skip)")
	out := fs.String("out", "", "directory for bench.jsonl and the report (default runs/bench-TIME)")
	noReport := fs.Bool("no-report", false, "do not write report.html")
	if rest, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %s", quote.S(fmt.Sprintf("%q", rest)))
	}
	if err := checkThreads(cfg.Threads); err != nil {
		return err
	}
	cfg.Widths = nil
	for _, w := range strings.Split(*widths, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
		if err != nil || v <= 0 {
			return fmt.Errorf("--widths: %s is not a positive number", quote.Q(w))
		}
		cfg.Widths = append(cfg.Widths, v)
	}
	cfg.Rules = strings.Split(*rules, ",")
	cfg.Backends = strings.Split(*backendList, ",")
	if *out == "" {
		*out = filepath.Join("runs", "bench-"+time.Now().Format("20060102-150405"))
	}
	_, statErr := os.Stat(*out)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if os.IsNotExist(statErr) {
		// A failed bench leaves no run directory it created behind.
		defer func() {
			if err != nil {
				os.Remove(filepath.Join(*out, runfiles.BenchFile))
				os.Remove(*out) // only if empty
			}
		}()
	}
	rep, err := experiments.Bench(cfg, os.Stdout)
	if err != nil {
		return err
	}
	path := filepath.Join(*out, runfiles.BenchFile)
	os.Remove(path)
	for _, r := range rep.Rows {
		if err := runfiles.AppendJSONL(path, r); err != nil {
			return err
		}
	}
	info := runfiles.RunInfo{Tool: "ghlsim", Command: "ghl bench " + strings.Join(args, " "), Created: time.Now().UTC().Format(time.RFC3339),
		Seed: cfg.Seed, Backend: *backendList, Device: fmt.Sprintf("%d threads, FMA peak %.1f GFLOP/s (%.1f after) with %s FMAs, ghlsim kernels %s", rep.Threads, rep.PeakGFLOPS, rep.PeakAfter, rep.PeakISA, rep.KernelISA),
		GoVersion: runtime.Version(), GitRevision: buildinfo.Revision(), Rule: *rules, Dataset: "random 3×32×32", Arch: "deephebb", Label: "bench"}
	if err := runfiles.WriteJSONAtomic(filepath.Join(*out, runfiles.ConfigFile), info); err != nil {
		return err
	}
	printBenchTable(rep)
	if !*noReport {
		writeReport(*out)
	}
	fmt.Printf("results: %s\n", path)
	return nil
}

// printBenchTable prints the summary table with the ghlsim/PyTorch ratio.
func printBenchTable(rep *experiments.BenchReport) {
	fmt.Printf("\nFMA peak %.1f GFLOP/s before, %.1f after (%d threads, %s FMAs; ghlsim's cpu kernels use %s, so %%peak is against the widest FMA the machine has)\n", rep.PeakGFLOPS, rep.PeakAfter, rep.Threads, rep.PeakISA, rep.KernelISA)
	fmt.Printf("%-26s %-16s %9s %9s %9s %7s %9s %7s %8s %8s\n", "config", "impl", "median s", "img/s", "GFLOP/s", "%peak", "exec GF/s", "exec %", "RSS MB", "vs torch")
	torch := map[string]float64{}
	for _, r := range rep.Rows {
		if r.Impl == "pytorch" {
			torch[r.Config] = r.ImagesPerS
		}
	}
	for _, r := range rep.Rows {
		ratio := ""
		if t, ok := torch[r.Config]; ok && r.Impl != "pytorch" {
			ratio = fmt.Sprintf("%.2f×", r.ImagesPerS/t)
		}
		fmt.Printf("%-26s %-16s %9.3f %9.1f %9.1f %7.1f %9.1f %7.1f %8.0f %8s\n", r.Config, r.Impl, r.MedianS, r.ImagesPerS, r.GFLOPs, r.PeakPct, r.ExecGFLOPs, r.ExecPeakPct, r.RSSMB, ratio)
	}
}
