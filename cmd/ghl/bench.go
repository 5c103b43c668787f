package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"ghlsim/backends/cpu/gemm"
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
	isa := fs.String("isa", "", "restrict ghlsim's cpu kernels and PyTorch to one instruction set: generic, avx2 or avx512 (re-runs ghl bench with GHLSIM_CPU_ISA set)")
	fs.BoolVar(&cfg.Profile, "profile", false, "after the timed steps, time each backend op of ghlsim's step (more steps, through backends.Profile) and write profile.json")
	out := fs.String("out", "", "directory for bench.jsonl and the report (default runs/bench-TIME)")
	noReport := fs.Bool("no-report", false, "do not write report.html")
	if rest, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %s", quote.S(fmt.Sprintf("%q", rest)))
	}
	if *isa != "" {
		cfg.ISA = strings.ToLower(strings.TrimSpace(*isa))
		if !slices.Contains(experiments.BenchISAs, cfg.ISA) {
			return fmt.Errorf("--isa %s: want %s", quote.Q(*isa), strings.Join(experiments.BenchISAs, ", "))
		}
		if os.Getenv(gemm.ISAEnv) != cfg.ISA {
			// The GEMM path is chosen once, when the process starts.
			benchReexec(cfg.ISA)
		}
		if err := gemm.ISAError(); err != nil {
			msg, _, _ := strings.Cut(err.Error(), "; using ")
			return fmt.Errorf("--isa %s: %s", cfg.ISA, msg)
		}
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
		Seed: cfg.Seed, Backend: *backendList, Device: benchDevice(rep),
		GoVersion: runtime.Version(), GitRevision: buildinfo.Revision(), Rule: *rules, Dataset: "random 3×32×32", Arch: "deephebb", Label: "bench"}
	if err := runfiles.WriteJSONAtomic(filepath.Join(*out, runfiles.ConfigFile), info); err != nil {
		return err
	}
	profPath := filepath.Join(*out, benchProfileFile)
	os.Remove(profPath)
	if cfg.Profile {
		if err := runfiles.WriteJSONAtomic(profPath, rep.Profiles); err != nil {
			return err
		}
	}
	printBenchTable(rep)
	if !*noReport {
		writeReport(*out)
	}
	fmt.Printf("results: %s\n", path)
	if cfg.Profile {
		fmt.Printf("profile: %s\n", profPath)
	}
	return nil
}

// benchProfileFile is where ghl bench --profile writes the per-op profiles
// (a JSON array of experiments.BenchProfile), beside bench.jsonl.
const benchProfileFile = "profile.json"

// benchDevice is config.json's device string: threads, the FMA probe, the
// ISA restriction and what each side's kernels used.
func benchDevice(rep *experiments.BenchReport) string {
	d := fmt.Sprintf("%d threads, FMA peak %.1f GFLOP/s (%.1f after) with %s FMAs, ghlsim kernels %s", rep.Threads, rep.PeakGFLOPS, rep.PeakAfter, rep.PeakISA, rep.KernelISA)
	if rep.ISA != "" {
		d += " (--isa " + rep.ISA + ")"
	}
	if rep.TorchISA != "" {
		d += ", PyTorch " + rep.TorchISA
	}
	return d
}

// benchReexec runs this executable again with the same arguments and
// GHLSIM_CPU_ISA=isa added to the environment, and exits with its status:
// the cpu backend's GEMM path is chosen when the process starts. Signals
// that reach this process are passed on to the child, which prints its own
// errors.
func benchReexec(isa string) {
	fmt.Fprintf(os.Stderr, "ghl bench: --isa %s: running again with %s=%s (the GEMM path is chosen at start-up)\n", isa, gemm.ISAEnv, isa)
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ghl bench: --isa %s: cannot find this executable to run it again (%v); set %s=%s instead\n", isa, err, gemm.ISAEnv, isa)
		os.Exit(1)
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), gemm.ISAEnv+"="+isa)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "ghl bench: --isa %s: %v\n", isa, err)
		os.Exit(1)
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	signal.Stop(sigs)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal()) // as a shell reports it
		}
	} else if err != nil {
		fmt.Fprintf(os.Stderr, "ghl bench: --isa %s: %v\n", isa, err)
		code = 1
	}
	os.Exit(code)
}

// printBenchTable prints the summary table with the ghlsim/PyTorch ratio.
func printBenchTable(rep *experiments.BenchReport) {
	fmt.Printf("\nFMA peak %.1f GFLOP/s before, %.1f after (%d threads, %s FMAs, the widest ghlsim's cpu kernels (%s) may use)\n", rep.PeakGFLOPS, rep.PeakAfter, rep.Threads, rep.PeakISA, rep.KernelISA)
	if rep.TorchISA != "" {
		fmt.Printf("ghlsim cpu kernels: %s · PyTorch: %s\n", rep.KernelISA, rep.TorchISA)
	}
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
