package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"

	"ghlsim/experiments"
	"ghlsim/internal/runfiles"
)

// tinyBench is a ghl bench command line that runs in about two seconds
// (most of it the FMA probe before and after).
func tinyBench(out string, extra ...string) []string {
	return append([]string{"bench", "--widths", "0.125", "--rules", "ghl", "--batch", "4", "--repeats", "1", "--python", "off", "--no-report", "--out", out}, extra...)
}

// benchISAs are the --isa values this machine runs (the amd64 build's
// paths; the purego build has only generic).
func benchISAs() []string {
	isas := []string{"generic"}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		isas = append(isas, "avx2")
		if cpu.X86.HasAVX512F {
			isas = append(isas, "avx512")
		}
	}
	return isas
}

// ghl bench --isa runs itself again with GHLSIM_CPU_ISA set when the
// environment differs (the GEMM path is chosen at start-up), and both the
// kernels and the FMA probe then use that ISA, as bench.jsonl and
// config.json record; with the environment already set it runs directly.
func TestBenchISA(t *testing.T) {
	for _, isa := range benchISAs() {
		if isa == "avx512" {
			continue // the widest path is what runs without --isa anyway
		}
		t.Run(isa, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bench")
			out := ghl(t, []string{"GHLSIM_CPU_ISA="}, 0, tinyBench(dir, "--isa", strings.ToUpper(isa))...)
			if !strings.Contains(out, "running again with GHLSIM_CPU_ISA="+isa) {
				t.Errorf("no re-execution with GHLSIM_CPU_ISA=%s:\n%s", isa, out)
			}
			if !strings.Contains(out, "with "+isa+" FMAs (ghlsim's cpu kernels use "+isa+")") {
				t.Errorf("the FMA probe or the kernels are not restricted to %s:\n%s", isa, out)
			}
			rows, err := runfiles.ReadJSONL[runfiles.Bench](filepath.Join(dir, runfiles.BenchFile))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].ISA != isa {
				t.Errorf("bench.jsonl: %+v, want one row with isa %s", rows, isa)
			}
			info, err := runfiles.ReadJSON[runfiles.RunInfo](filepath.Join(dir, runfiles.ConfigFile))
			if err != nil {
				t.Fatal(err)
			}
			if want := "with " + isa + " FMAs, ghlsim kernels " + isa + " (--isa " + isa + ")"; !strings.Contains(info.Device, want) {
				t.Errorf("config.json device %q lacks %q", info.Device, want)
			}
			if isa != "generic" {
				return // the direct run once is enough
			}
			out = ghl(t, []string{"GHLSIM_CPU_ISA=" + isa}, 0, tinyBench(filepath.Join(t.TempDir(), "again"), "--isa", isa)...)
			if strings.Contains(out, "running again") {
				t.Errorf("re-executed although GHLSIM_CPU_ISA=%s already:\n%s", isa, out)
			}
		})
	}
}

// A failing re-executed bench gives its exit status and its error (once),
// and an --isa value that is no instruction set is refused before any work.
func TestBenchISAErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bench")
	out := ghl(t, []string{"GHLSIM_CPU_ISA="}, 1, tinyBench(dir, "--isa", "generic", "--backend", "no-such-backend")...)
	if strings.Count(out, "no-such-backend") != 1 {
		t.Errorf("the child's error should appear once:\n%s", out)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a failed ghl bench --isa left %s behind (%v)", dir, err)
	}
	out = ghl(t, nil, 1, tinyBench(dir, "--isa", "sse9")...)
	if !strings.Contains(out, `--isa "sse9": want generic, avx2, avx512`) || strings.Contains(out, "running again") {
		t.Errorf("--isa sse9:\n%s", out)
	}
}

// An instruction set the CPU or build lacks is refused naming the ones it
// has: with the purego build (only the portable path) on any machine, and
// with the ordinary build where the CPU lacks one.
func TestBenchISAMissing(t *testing.T) {
	if missing := slices.DeleteFunc(slices.Clone(experiments.BenchISAs), func(s string) bool { return slices.Contains(benchISAs(), s) }); len(missing) > 0 {
		dir := filepath.Join(t.TempDir(), "bench")
		out := ghl(t, []string{"GHLSIM_CPU_ISA="}, 1, tinyBench(dir, "--isa", missing[len(missing)-1])...)
		if want := "supports only " + strings.Join(benchISAs(), ", "); !strings.Contains(out, want) {
			t.Errorf("--isa %s on this CPU: no %q in\n%s", missing[len(missing)-1], want, out)
		}
	}
	if testing.Short() {
		t.Skip("building the purego ghl takes a while")
	}
	goTool, err := exec.LookPath("go")
	if err != nil || ghlPath == "" {
		t.Skip("no go tool")
	}
	bin := filepath.Join(t.TempDir(), "ghl-purego")
	build := exec.Command(goTool, "build", "-tags", "purego", "-o", bin, "./cmd/ghl")
	build.Dir = filepath.Join("..", "..")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags purego: %v\n%s", err, b)
	}
	dir := filepath.Join(t.TempDir(), "bench")
	cmd := exec.Command(bin, tinyBench(dir, "--isa", "avx2")...)
	cmd.Env = append(os.Environ(), "GHLSIM_CPU_ISA=")
	b, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("purego ghl bench --isa avx2: %v, want exit status 1\n%s", err, b)
	}
	want := `ghl bench: --isa avx2: GHLSIM_CPU_ISA="avx2": this CPU or build supports only generic`
	if !strings.Contains(string(b), want) || strings.Contains(string(b), "; using") {
		t.Errorf("purego ghl bench --isa avx2: want %q in\n%s", want, b)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the refused bench left %s behind (%v)", dir, err)
	}
}

// PyTorch's process gets the oneDNN and ATen restrictions; where this
// machine has PyTorch it reports them back and bench.jsonl records them.
func TestBenchISATorch(t *testing.T) {
	for isa, want := range map[string][]string{
		"avx512":  {"ONEDNN_MAX_CPU_ISA=AVX512_CORE", "ATEN_CPU_CAPABILITY=avx512"},
		"avx2":    {"ONEDNN_MAX_CPU_ISA=AVX2", "ATEN_CPU_CAPABILITY=avx2"},
		"generic": {"ONEDNN_MAX_CPU_ISA=SSE41", "ATEN_CPU_CAPABILITY=default"},
	} {
		env := experiments.TorchISAEnv(isa)
		for _, w := range want {
			if !slices.Contains(env, w) {
				t.Errorf("TorchISAEnv(%s) = %v, lacks %s", isa, env, w)
			}
		}
	}
	if env := experiments.TorchISAEnv(""); env != nil {
		t.Errorf(`TorchISAEnv("") = %v`, env)
	}
	if testing.Short() {
		t.Skip("starts PyTorch")
	}
	if exec.Command("/usr/bin/python3", "-c", "import torch").Run() != nil {
		t.Skip("no PyTorch under /usr/bin/python3")
	}
	isa := benchISAs()[len(benchISAs())-1]
	if isa == "avx512" {
		isa = "avx2" // a restriction below the default, so it shows
	}
	dir := filepath.Join(t.TempDir(), "bench")
	args := tinyBench(dir, "--isa", isa)
	args = slices.DeleteFunc(args, func(a string) bool { return a == "--python" || a == "off" })
	out := ghl(t, []string{"GHLSIM_CPU_ISA="}, 0, args...)
	rows, err := runfiles.ReadJSONL[runfiles.Bench](filepath.Join(dir, runfiles.BenchFile))
	if err != nil {
		t.Fatal(err)
	}
	wantTorch := map[string]string{"avx2": "ATen AVX2, oneDNN AVX2", "generic": "ATen NO AVX, oneDNN SSE4.1"}[isa]
	if len(rows) != 2 || rows[1].Impl != "pytorch" || rows[1].ISA != wantTorch {
		t.Fatalf("bench.jsonl %+v: want a pytorch row with isa %q\n%s", rows, wantTorch, out)
	}
	if line := "ghlsim cpu kernels: " + isa + " · PyTorch: " + wantTorch; !strings.Contains(out, line) {
		t.Errorf("the log lacks %q:\n%s", line, out)
	}
}
