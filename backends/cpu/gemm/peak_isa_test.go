package gemm

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The probe is as wide as the GEMM path, not as the CPU: for every path
// this CPU and build run, the probe chosen for it uses that path's FMA
// width and does the FLOPs per iteration of that width.
func TestPeakFollowsKernelPath(t *testing.T) {
	flops := map[string]float64{"avx512": 384, "avx2": 192, "generic": 16}
	for _, p := range supportedPaths() {
		isa := peakISA(p.isa)
		if isa != p.isa {
			t.Errorf("GEMM path %s: probe ISA %s", p.isa, isa)
		}
		var sink float32
		if got := fmaLoopISA(isa, 100, &sink); got != flops[isa] {
			t.Errorf("probe %s does %v FLOPs per iteration, want %v", isa, got, flops[isa])
		}
	}
	if PeakISA() != KernelISA() {
		t.Errorf("PeakISA %s, KernelISA %s", PeakISA(), KernelISA())
	}
}

// With GHLSIM_CPU_ISA restricting the kernels (read at start-up, so in a
// child process), PeakISA names the restricted width: on an AVX-512
// machine GHLSIM_CPU_ISA=avx2 probes with the AVX2 loop, and the probed
// peak is about half the AVX-512 one (not checked: a loaded machine).
func TestPeakHonoursISAEnv(t *testing.T) {
	if want := os.Getenv("GHLSIM_TEST_PEAK_CHILD"); want != "" {
		if KernelISA() != want || PeakISA() != want {
			t.Fatalf("%s=%s: KernelISA %s, PeakISA %s", ISAEnv, want, KernelISA(), PeakISA())
		}
		if g := PeakGFLOPS(1, 20*time.Millisecond); !(g > 0) {
			t.Fatalf("PeakGFLOPS = %v", g)
		}
		return
	}
	for _, p := range supportedPaths() {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestPeakHonoursISAEnv$", "-test.v")
		cmd.Env = append(os.Environ(), "GHLSIM_TEST_PEAK_CHILD="+p.isa, ISAEnv+"="+p.isa)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "PASS") {
			t.Fatalf("child with %s=%s: %v\n%s", ISAEnv, p.isa, err, out)
		}
	}
}
