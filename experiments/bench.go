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
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"ghlsim/backends"
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
	Threads            int
	Rows               []runfiles.Bench
}

// Bench times whole DeepHebb training steps (forward, backward, eligibility,
// update) for every configuration, interleaving each ghlsim step with a
// PyTorch step of the same configuration so both see the same machine state.
func Bench(cfg BenchConfig, log io.Writer) (*BenchReport, error) {
	if cfg.Batch < 1 || cfg.Repeats < 1 {
		return nil, fmt.Errorf("bench: batch %d and repeats %d must be ≥ 1", cfg.Batch, cfg.Repeats)
	}
	threads := cfg.Threads
	if threads == 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	rep := &BenchReport{Threads: threads}
	fmt.Fprintf(log, "FMA peak probe (%d threads)… ", threads)
	rep.PeakGFLOPS, rep.PeakISA, rep.KernelISA = hostPeak(threads)
	fmt.Fprintf(log, "%.1f GFLOP/s with %s FMAs (ghlsim's cpu kernels use %s)\n", rep.PeakGFLOPS, rep.PeakISA, rep.KernelISA)
	python := pythonWithTorch(cfg.Python)
	if python == "" && cfg.Python != "off" {
		fmt.Fprintln(log, "PyTorch not found (apt-get install python3-torch puts it under /usr/bin/python3): timing ghlsim only")
	}
	for _, w := range cfg.Widths {
		for _, rule := range cfg.Rules {
			for _, bname := range cfg.Backends {
				rows, err := benchOne(cfg, bname, python, w, rule, threads, rep.PeakGFLOPS, log)
				if err != nil {
					return rep, err
				}
				rep.Rows = append(rep.Rows, rows...)
			}
		}
	}
	rep.PeakAfter, _, _ = hostPeak(threads)
	return rep, nil
}

// hostPeak measures the host's FMA peak (GFLOP/s) through the registered cpu
// backend's backends.PeakProber, so experiments depends on the backend
// interface only, and names the probe's and the kernels' ISAs; 0 (no "% of
// peak" columns) when none is registered.
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

func benchOne(cfg BenchConfig, bname, python string, width float64, rule string, threads int, peak float64, log io.Writer) ([]runfiles.Bench, error) {
	b, err := backends.New(bname)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	b.SetThreads(threads)
	n := network.New(b, cfg.Batch, cfg.Seed)
	if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: width}); err != nil {
		return nil, err
	}
	if err := n.Build(network.Rules{Hidden: rule}); err != nil {
		return nil, err
	}
	x, y := randomBatch(cfg.Seed, cfg.Batch, 3*32*32, 10)
	h := network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3}
	if rule == "bp" {
		h = network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-4, ReadoutLR: 1e-2}
		h.HiddenOpt.Kind, h.HiddenOpt.Momentum = "sgd", 0.9
		h.ReadoutOpt = h.HiddenOpt
	} else {
		h.HiddenOpt.Kind, h.ReadoutOpt.Kind = "sgd", "sgd"
	}
	name := fmt.Sprintf("deephebb w%.2f b%d %s", width, cfg.Batch, rule)
	fmt.Fprintf(log, "%s: warming up…\n", name)
	var torch *torchProc
	if python != "" && bname == cfg.Backends[0] {
		torch, err = startTorch(python, width, cfg.Batch, rule, threads, cfg.Seed)
		if err != nil {
			fmt.Fprintf(log, "  PyTorch failed to start (%v): timing ghlsim only\n", err)
			torch = nil
		} else {
			defer torch.close()
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
	if torch != nil {
		// PyTorch's CPU convolutions (oneDNN direct / im2col kernels on
		// AVX2) execute the direct count.
		rows = append(rows, benchRow(name, "pytorch", theirs, cfg.Batch, flops, flops, peak, torch.rss()))
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
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
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
}

func startTorch(python string, width float64, batch int, rule string, threads int, seed uint64) (*torchProc, error) {
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
	return p, nil
}

func (p *torchProc) ask(cmd string) (float64, error) {
	if _, err := fmt.Fprintln(p.in, cmd); err != nil {
		return 0, err
	}
	if !p.out.Scan() {
		return 0, fmt.Errorf("pytorch_step.py exited")
	}
	return strconv.ParseFloat(strings.TrimSpace(p.out.Text()), 64)
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
