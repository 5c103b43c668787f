package experiments

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoBackendImplementationImports: experiments sits above network and
// reaches backends only through their interfaces (cmd → experiments →
// network → {synapse, neuromod} → backends). It used to import
// backends/cpu/gemm for the benchmark's FMA probe, now behind
// backends.PeakProber.
func TestNoBackendImplementationImports(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to list dependencies with")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "ghlsim/backends/cpu/gemm" || strings.HasPrefix(dep, "ghlsim/backends/") || dep == "ghlsim/cmd/ghl" {
			t.Errorf("experiments depends on %s", dep)
		}
	}
}
