package cpu_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"ghlsim/backends/cpu"
)

// A GHLSIM_CPU_ISA value the CPU cannot honour makes cpu.Open (and so the
// registered backend, and ghl) refuse to start, naming the variable; the
// path is chosen at start-up, so this runs in a child process.
func TestOpenRefusesUnusableISA(t *testing.T) {
	if os.Getenv("GHLSIM_TEST_ISA_CHILD") == "1" {
		_, err := cpu.Open(1)
		if err == nil || !strings.Contains(err.Error(), "GHLSIM_CPU_ISA") || strings.Contains(err.Error(), "using") {
			t.Fatalf("cpu.Open with GHLSIM_CPU_ISA=%q: %v", os.Getenv("GHLSIM_CPU_ISA"), err)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestOpenRefusesUnusableISA$")
	cmd.Env = append(os.Environ(), "GHLSIM_TEST_ISA_CHILD=1", "GHLSIM_CPU_ISA=sse9")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if b, err := cpu.Open(1); err != nil {
		t.Fatalf("cpu.Open without a bad GHLSIM_CPU_ISA: %v", err)
	} else {
		b.Close()
	}
}
