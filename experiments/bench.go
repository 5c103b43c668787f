package experiments

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"ghlsim/backends"
	"ghlsim/internal/quote"
	"ghlsim/internal/runfiles"
	"ghlsim/network"
)

//go:embed benchref/pytorch_step.py
var pytorchStep []byte

// BenchConfig selects what `ghl bench` times.
type BenchConfig struct {
	Widths   []float64 // DeepHebb width multipliers (default 1 and 0.25)
	Rules    []string  // rules (default ghl and bp)
	Batch    int       // batch size (default 64)
	Repeats  int       // timed steps per configuration (default 5)
	Threads  int       // threads for every implementation (0 = all cores)
	Backends []string  // ghlsim backends (default cpu)
	// Python is the interpreter that has PyTorch ("" = /usr/bin/python3 if it
	// imports torch; "off" = skip PyTorch).
	Python string
	Seed   uint64
	// ISA restricts both sides to one instruction set: "generic", "avx2"
	// or "avx512" ("" = each uses what it would). ghlsim's cpu GEMM path is
	// chosen once, when the process starts, from GHLSIM_CPU_ISA, so the
	// process must have been started with GHLSIM_CPU_ISA=ISA (ghl bench
	// --isa re-executes itself so); Bench refuses to run otherwise.
	// PyTorch's process gets the matching ONEDNN_MAX_CPU_ISA and
	// ATEN_CPU_CAPABILITY (TorchISAEnv). A ghlsim torch backend is not
	// restricted.
	ISA string
	// Profile, after each configuration's timed steps, runs Repeats more
	// ghlsim steps through backends.Profile and reports the time per
	// backend op (BenchReport.Profiles); the timed steps are not affected.
	Profile bool
}

// BenchDefaults is the benchmark: DeepHebb at batch 64, widths 1 and
// 0.25, rules ghl and bp, 5 repeats, against PyTorch when installed.
func BenchDefaults() BenchConfig {
	return BenchConfig{Widths: []float64{1, 0.25}, Rules: []string{"ghl", "bp"}, Batch: 64, Repeats: 5, Backends: []string{"cpu"}, Seed: 1}
}

// BenchReport is the result of a benchmark run.
type BenchReport struct {
	PeakGFLOPS float64 // FMA probe before the runs
	PeakAfter  float64 // FMA probe after the runs (the machine's state may change)
	// PeakISA is the widest FMA the probe used and KernelISA the widest
	// ghlsim's cpu kernels use (avx512, avx2, generic).
	PeakISA, KernelISA string
	// ISA is BenchConfig.ISA; TorchISA is what PyTorch's process said it
	// uses, e.g. "ATen AVX2, oneDNN AVX2" ("" without PyTorch).
	ISA, TorchISA string
	Threads       int
	Rows          []runfiles.Bench
	// Profiles has one entry per ghlsim configuration when
	// BenchConfig.Profile is set.
	Profiles []BenchProfile
}

// BenchProfile is where one configuration's ghlsim step spends its time,
// measured on extra steps run through backends.Profile (each backend op
// followed by the backend's Sync, so an asynchronous device runs
// serialised and its profiled step is slower than the timed one).
type BenchProfile struct {
	Config  string `json:"config"` // as in bench.jsonl
	Impl    string `json:"impl"`   // "ghlsim/cpu", …
	Repeats int    `json:"repeats"`
	// StepMS is the mean wall time of a profiled step, MedianMS the median
	// of the configuration's unprofiled timed steps (bench.jsonl).
	StepMS   float64 `json:"step_ms"`
	MedianMS float64 `json:"median_ms"`
	// Ops are the backend ops by time per step, longest first; OtherMS is
	// the step's time outside them (the network's own Go code between ops).
	Ops     []BenchOp `json:"ops"`
	OtherMS float64   `json:"other_ms"`
}

// BenchOp is one backend op's share of a profiled step.
type BenchOp struct {
	Op           string  `json:"op"` // the Backend method, e.g. "Conv2D"
	CallsPerStep float64 `json:"calls_per_step"`
	MSPerStep    float64 `json:"ms_per_step"`
	PctOfStep    float64 `json:"pct_of_step"` // of StepMS
}

// BenchISAs are the values BenchConfig.ISA accepts besides "".
var BenchISAs = []string{"generic", "avx2", "avx512"}

// TorchISAEnv is the environment that restricts PyTorch to isa (one of
// BenchISAs): oneDNN's convolutions through ONEDNN_MAX_CPU_ISA (and its
// older name DNNL_MAX_CPU_ISA), ATen's vectorised kernels through
// ATEN_CPU_CAPABILITY. oneDNN has no scalar mode: for "generic" it gets
// SSE41, the lowest value ONEDNN_MAX_CPU_ISA accepts, and ATen "default"
// (no AVX). PyTorch's BLAS (the dense layer) is not restricted.
func TorchISAEnv(isa string) []string {
	var onednn, aten string
	switch isa {
	case "avx512":
		onednn, aten = "AVX512_CORE", "avx512"
	case "avx2":
		onednn, aten = "AVX2", "avx2"
	case "generic":
		onednn, aten = "SSE41", "default"
	default:
		return nil
	}
	return []string{"ONEDNN_MAX_CPU_ISA=" + onednn, "DNNL_MAX_CPU_ISA=" + onednn, "ATEN_CPU_CAPABILITY=" + aten}
}

// Bench times whole DeepHebb training steps (forward, backward, eligibility,
// update) for every configuration, interleaving each ghlsim step with a
// PyTorch step of the same configuration so both see the same machine state.
func Bench(cfg BenchConfig, log io.Writer) (*BenchReport, error) {
	if cfg.Batch < 1 || cfg.Repeats < 1 {
		return nil, fmt.Errorf("bench: batch %d and repeats %d must be ≥ 1", cfg.Batch, cfg.Repeats)
	}
	if err := checkBenchISA(cfg.ISA); err != nil {
		return nil, err
	}
	threads := cfg.Threads
	if threads == 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	rep := &BenchReport{Threads: threads, ISA: cfg.ISA}
	if cfg.ISA != "" {
		fmt.Fprintf(log, "restricted to %s: ghlsim's cpu kernels by GHLSIM_CPU_ISA=%s, PyTorch by %s\n", cfg.ISA, cfg.ISA, strings.Join(TorchISAEnv(cfg.ISA), " "))
	}
	fmt.Fprintf(log, "FMA peak probe (%d threads)… ", threads)
	rep.PeakGFLOPS, rep.PeakISA, rep.KernelISA = hostPeak(threads)
	fmt.Fprintf(log, "%.1f GFLOP/s with %s FMAs (ghlsim's cpu kernels use %s)\n", rep.PeakGFLOPS, rep.PeakISA, rep.KernelISA)
	python := pythonWithTorch(cfg.Python)
	if python == "" && cfg.Python != "off" {
		fmt.Fprintln(log, "PyTorch not found (apt-get install python3-torch puts it under /usr/bin/python3): timing ghlsim only")
	}
	type timedConfig struct {
		width      float64
		rule, name string
		row        int // its ghlsim row in rep.Rows
	}
	var timed []timedConfig
	for _, w := range cfg.Widths {
		for _, rule := range cfg.Rules {
			for _, bname := range cfg.Backends {
				rows, err := benchOne(cfg, rep, bname, python, w, rule, log)
				if err != nil {
					return rep, err
				}
				timed = append(timed, timedConfig{w, rule, bname, len(rep.Rows)})
				rep.Rows = append(rep.Rows, rows...)
			}
		}
	}
	rep.PeakAfter, _, _ = hostPeak(threads)
	if cfg.Profile {
		fmt.Fprintf(log, "profiling ghlsim's steps (%d more per configuration, every backend op timed and synced)…\n", cfg.Repeats)
		for _, c := range timed {
			pr, err := benchProfile(cfg, c.name, threads, c.width, c.rule, rep.Rows[c.row])
			if err != nil {
				return rep, err
			}
			printBenchProfile(log, pr)
			rep.Profiles = append(rep.Profiles, pr)
		}
	}
	return rep, nil
}

// checkBenchISA refuses an ISA restriction that is not one of BenchISAs or
// that the registered cpu backend does not run (the process was not started
// with GHLSIM_CPU_ISA=isa, or the CPU lacks the path: the cpu backend's
// refusal to open names the paths it has).
func checkBenchISA(isa string) error {
	if isa == "" {
		return nil
	}
	if !slices.Contains(BenchISAs, isa) {
		return fmt.Errorf("bench: instruction set %s: want %s", quote.Q(isa), strings.Join(BenchISAs, ", "))
	}
	if !slices.Contains(backends.Names(), "cpu") {
		return nil // no cpu backend to restrict; PyTorch still is
	}
	b, err := backends.New("cpu")
	if err != nil {
		return fmt.Errorf("bench: restricting to %s: %w", isa, err)
	}
	defer b.Close()
	if p, ok := b.(backends.PeakProber); ok && p.KernelISA() != isa {
		return fmt.Errorf("bench: restricting to %s, but the cpu backend runs its %s kernels: start the process with GHLSIM_CPU_ISA=%s (ghl bench --isa does)", isa, p.KernelISA(), isa)
	}
	return nil
}

// hostPeak measures the host's FMA peak (GFLOP/s) through the registered cpu
// backend's backends.PeakProber, so experiments depends on the backend
// interface only, and names the probe's and the kernels' ISAs; 0 (no "% of
// peak" columns) when none is registered. The probe is as wide as the
// kernels' GEMM path, so it follows GHLSIM_CPU_ISA.
func hostPeak(threads int) (gflops float64, peakISA, kernelISA string) {
	b, err := backends.New("cpu")
	if err != nil {
		return 0, "", ""
	}
	defer b.Close()
	p, ok := b.(backends.PeakProber)
	if !ok {
		return 0, "", ""
	}
	return p.PeakGFLOPS(threads, time.Second), p.PeakISA(), p.KernelISA()
}

// benchSettle is the pause before each timed step when ghlsim and PyTorch
// interleave: PyTorch's OpenMP workers keep spinning for tens of
// milliseconds after its step and would take the cores from the step timed
// next (measured: ghlsim's 74 ms width-0.25 step took 115 ms right after a
// PyTorch step); interleaving is for drift in the machine's speed, not for
// measuring one implementation in the other's shadow.
const benchSettle = 150 * time.Millisecond

// benchNet builds the benchmark's DeepHebb network on b with the step's
// hyperparameters and batch.
func benchNet(cfg BenchConfig, b backends.Backend, width float64, rule string) (*network.Network, network.Hyper, error) {
	n := network.New(b, cfg.Batch, cfg.Seed)
	if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: width}); err != nil {
		return nil, network.Hyper{}, err
	}
	if err := n.Build(network.Rules{Hidden: rule}); err != nil {
		return nil, network.Hyper{}, err
	}
	h := network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3}
	if rule == "bp" {
		h = network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-4, ReadoutLR: 1e-2}
		h.HiddenOpt.Kind, h.HiddenOpt.Momentum = "sgd", 0.9
		h.ReadoutOpt = h.HiddenOpt
	} else {
		h.HiddenOpt.Kind, h.ReadoutOpt.Kind = "sgd", "sgd"
	}
	return n, h, nil
}

func benchOne(cfg BenchConfig, rep *BenchReport, bname, python string, width float64, rule string, log io.Writer) ([]runfiles.Bench, error) {
	threads, peak := rep.Threads, rep.PeakGFLOPS
	if !resetPeakRSS() {
		fmt.Fprintln(log, "  (this system cannot reset the peak-memory counter: ghlsim's RSS column is the process's peak so far)")
	}
	b, err := backends.New(bname)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	b.SetThreads(threads)
	n, h, err := benchNet(cfg, b, width, rule)
	if err != nil {
		return nil, err
	}
	x, y := randomBatch(cfg.Seed, cfg.Batch, 3*32*32, 10)
	name := fmt.Sprintf("deephebb w%.2f b%d %s", width, cfg.Batch, rule)
	fmt.Fprintf(log, "%s: warming up…\n", name)
	var torch *torchProc
	if python != "" && bname == cfg.Backends[0] {
		torch, err = startTorch(python, width, cfg.Batch, rule, threads, cfg.Seed, cfg.ISA)
		if err != nil {
			fmt.Fprintf(log, "  PyTorch failed to start (%v): timing ghlsim only\n", err)
			torch = nil
		} else {
			defer torch.close()
			if rep.TorchISA == "" {
				rep.TorchISA = torch.isa
				fmt.Fprintf(log, "ghlsim cpu kernels: %s · PyTorch: %s\n", rep.KernelISA, torch.isa)
			}
		}
	}
	for i := 0; i < 2; i++ {
		if _, err := n.TrainStep(x, y, h); err != nil {
			return nil, err
		}
	}
	b.Sync()
	var ours, theirs []float64
	for r := 0; r < cfg.Repeats; r++ {
		if torch != nil {
			time.Sleep(benchSettle)
		}
		t0 := time.Now()
		if _, err := n.TrainStep(x, y, h); err != nil {
			return nil, err
		}
		b.Sync()
		ours = append(ours, time.Since(t0).Seconds())
		if torch != nil {
			time.Sleep(benchSettle)
			s, err := torch.step()
			if err != nil {
				return nil, fmt.Errorf("PyTorch step: %w", err)
			}
			theirs = append(theirs, s)
		}
	}
	flops := n.StepFLOPs()
	rows := []runfiles.Bench{benchRow(name, "ghlsim/"+bname, ours, cfg.Batch, flops, n.ExecutedStepFLOPs(), peak, selfRSS())}
	rows[0].Device = b.Device()
	if p, ok := b.(backends.PeakProber); ok {
		rows[0].ISA = p.KernelISA()
	}
	if torch != nil {
		// PyTorch's CPU convolutions (oneDNN direct / im2col kernels)
		// execute the direct count.
		rows = append(rows, benchRow(name, "pytorch", theirs, cfg.Batch, flops, flops, peak, torch.rss()))
		rows[1].ISA = torch.isa
	}
	for _, r := range rows {
		fmt.Fprintf(log, "  %-16s median %.3f s (%.3f–%.3f)  %7.1f img/s  %6.1f GFLOP/s (%5.1f%% of peak; executed %6.1f, %5.1f%%)  RSS %.0f MB\n",
			r.Impl, r.MedianS, r.MinS, r.MaxS, r.ImagesPerS, r.GFLOPs, r.PeakPct, r.ExecGFLOPs, r.ExecPeakPct, r.RSSMB)
	}
	if len(rows) == 2 {
		fmt.Fprintf(log, "  ratio ghlsim/PyTorch images/s: %.2f×\n", rows[0].ImagesPerS/rows[1].ImagesPerS)
	}
	return rows, nil
}

// benchProfile runs cfg.Repeats steps of a fresh benchmark network on
// backends.Profile of a fresh bname backend (after two warm-up steps, as
// timed) and summarises them against the configuration's timed row. It
// runs after every timed configuration, so it perturbs neither their times
// nor their peak RSS.
func benchProfile(cfg BenchConfig, bname string, threads int, width float64, rule string, timed runfiles.Bench) (BenchProfile, error) {
	b, err := backends.New(bname)
	if err != nil {
		return BenchProfile{}, err
	}
	defer b.Close()
	b.SetThreads(threads)
	prof := backends.Profile(b)
	n, h, err := benchNet(cfg, prof, width, rule)
	if err != nil {
		return BenchProfile{}, err
	}
	x, y := randomBatch(cfg.Seed, cfg.Batch, 3*32*32, 10)
	for i := 0; i < 2; i++ {
		if _, err := n.TrainStep(x, y, h); err != nil {
			return BenchProfile{}, err
		}
	}
	prof.Sync()
	prof.Reset()
	var total time.Duration
	for r := 0; r < cfg.Repeats; r++ {
		t0 := time.Now()
		if _, err := n.TrainStep(x, y, h); err != nil {
			return BenchProfile{}, err
		}
		prof.Sync()
		total += time.Since(t0)
	}
	reps := float64(cfg.Repeats)
	pr := BenchProfile{Config: timed.Config, Impl: timed.Impl, Repeats: cfg.Repeats,
		StepMS: total.Seconds() * 1e3 / reps, MedianMS: timed.MedianS * 1e3}
	pr.OtherMS = pr.StepMS
	for _, o := range prof.Report() {
		ms := o.Total.Seconds() * 1e3 / reps
		pr.Ops = append(pr.Ops, BenchOp{Op: o.Op, CallsPerStep: float64(o.Calls) / reps, MSPerStep: ms, PctOfStep: 100 * ms / pr.StepMS})
		pr.OtherMS -= ms
	}
	return pr, nil
}

// printBenchProfile writes a profile as a table: op, calls per step, ms
// per step, % of the profiled step.
func printBenchProfile(log io.Writer, pr BenchProfile) {
	fmt.Fprintf(log, "%s, %s: %d profiled steps, %.2f ms each (timed median %.2f ms)\n", pr.Config, pr.Impl, pr.Repeats, pr.StepMS, pr.MedianMS)
	fmt.Fprintf(log, "    %-26s %10s %9s %9s\n", "op", "calls/step", "ms/step", "% of step")
	for _, o := range pr.Ops {
		fmt.Fprintf(log, "    %-26s %10.1f %9.3f %9.1f\n", o.Op, o.CallsPerStep, o.MSPerStep, o.PctOfStep)
	}
	fmt.Fprintf(log, "    %-26s %10s %9.3f %9.1f\n", "(between ops)", "", pr.OtherMS, 100*pr.OtherMS/pr.StepMS)
}

// benchRow summarises one implementation's step times; flops is the
// direct-equivalent count of a step, exec the arithmetic it executes.
func benchRow(config, impl string, secs []float64, batch int, flops, exec, peak, rss float64) runfiles.Bench {
	s := append([]float64(nil), secs...)
	sort.Float64s(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	r := runfiles.Bench{Config: config, Impl: impl, Repeats: len(s), MedianS: med, MinS: s[0], MaxS: s[len(s)-1],
		ImagesPerS: float64(batch) / med, GFLOPs: flops / med / 1e9, ExecGFLOPs: exec / med / 1e9, RSSMB: rss}
	if peak > 0 {
		r.PeakPct = 100 * r.GFLOPs / peak
		r.ExecPeakPct = 100 * r.ExecGFLOPs / peak
	}
	return r
}

func randomBatch(seed uint64, n, feat, classes int) ([]float32, []int32) {
	r := rand.New(rand.NewPCG(seed, 0xbe7c4))
	x := make([]float32, n*feat)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	y := make([]int32, n)
	for i := range y {
		y[i] = int32(r.IntN(classes))
	}
	return x, y
}

// selfRSS is this process's peak resident set in MB (cumulative over the
// configurations benchmarked so far).
func selfRSS() float64 {
	if st, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(st), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
				if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
					return kb / 1024
				}
			}
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}

// resetPeakRSS returns the memory of earlier configurations to the OS and
// restarts the peak (VmHWM) from the current resident size, so that each
// configuration's row reports its own peak, not the largest so far
// (Linux: /proc/self/clear_refs; it reports false where that is refused).
func resetPeakRSS() bool {
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// pythonWithTorch returns an interpreter that imports torch, or "".
func pythonWithTorch(choice string) string { return pythonWith(choice, "torch") }

// pythonWith returns the chosen interpreter ("" = /usr/bin/python3, then
// python3 on PATH; "off" = none) if it imports module, or "".
func pythonWith(choice, module string) string {
	if choice == "off" {
		return ""
	}
	cands := []string{choice}
	if choice == "" {
		cands = []string{"/usr/bin/python3", "python3"}
	}
	for _, p := range cands {
		if exec.Command(p, "-c", "import "+module).Run() == nil {
			return p
		}
	}
	return ""
}

// torchProc is a running pytorch_step.py.
type torchProc struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
	dir string
	isa string // what the script says PyTorch's kernels use
}

// startTorch starts pytorch_step.py for one configuration, restricted to
// isa (TorchISAEnv) unless it is "", and asks it which ISA it uses.
func startTorch(python string, width float64, batch int, rule string, threads int, seed uint64, isa string) (*torchProc, error) {
	dir, err := os.MkdirTemp("", "ghl-bench")
	if err != nil {
		return nil, err
	}
	script := filepath.Join(dir, "pytorch_step.py")
	if err := os.WriteFile(script, pytorchStep, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(python, script, strconv.FormatFloat(width, 'g', -1, 64), strconv.Itoa(batch), rule, strconv.Itoa(threads), strconv.FormatUint(seed, 10))
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS="+strconv.Itoa(threads), "MKL_NUM_THREADS="+strconv.Itoa(threads))
	cmd.Env = append(cmd.Env, TorchISAEnv(isa)...) // later entries win
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &torchProc{cmd: cmd, in: in, out: bufio.NewScanner(outp), dir: dir}
	if !p.out.Scan() || strings.TrimSpace(p.out.Text()) != "ready" {
		p.close()
		return nil, fmt.Errorf("pytorch_step.py did not become ready")
	}
	if p.isa, err = p.askLine("isa"); err != nil || p.isa == "" {
		p.isa = "unknown"
	}
	return p, nil
}

// askLine sends one command and returns the script's one-line answer.
func (p *torchProc) askLine(cmd string) (string, error) {
	if _, err := fmt.Fprintln(p.in, cmd); err != nil {
		return "", err
	}
	if !p.out.Scan() {
		return "", fmt.Errorf("pytorch_step.py exited")
	}
	return strings.TrimSpace(p.out.Text()), nil
}

func (p *torchProc) ask(cmd string) (float64, error) {
	line, err := p.askLine(cmd)
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(line, 64)
}

func (p *torchProc) step() (float64, error) { return p.ask("step") }

func (p *torchProc) rss() float64 {
	v, _ := p.ask("rss")
	return v
}

func (p *torchProc) close() {
	p.in.Close()
	p.cmd.Wait()
	os.RemoveAll(p.dir)
}
