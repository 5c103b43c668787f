package plots

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReportRendersInChromium writes one report covering the fixture run
// and the fixture experiment (every kind of figure) and renders it with
// scripts/render_report.sh, which screenshots it in headless Chromium and
// checks the PNG is not blank. One browser start keeps the test short. It
// skips where /usr/bin/chromium is not installed (fails instead under
// GHLSIM_REQUIRE_CHROMIUM=1, as in CI), and with -short.
func TestReportRendersInChromium(t *testing.T) {
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		if os.Getenv("GHLSIM_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("GHLSIM_REQUIRE_CHROMIUM=1 but /usr/bin/chromium is missing (Debian: apt-get install -y chromium)")
		}
		t.Skip("headless check needs /usr/bin/chromium (Debian: apt-get install -y chromium); GHLSIM_REQUIRE_CHROMIUM=1 makes this a failure")
	}
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	root := t.TempDir()
	run, exp := filepath.Join(root, "run"), filepath.Join(root, "experiment")
	writeFixtureRun(t, run, "ghl", 1)
	writeFixtureExperiment(t, exp)
	out := filepath.Join(root, "report")
	if err := Report([]string{run, exp}, ReportOptions{Out: out}); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("../scripts/render_report.sh")
	if err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(root, "report.png")
	start := time.Now()
	msg, err := exec.Command(script, out, png).CombinedOutput()
	if err != nil {
		t.Fatalf("render_report.sh: %v\n%s", err, msg)
	}
	if !strings.Contains(string(msg), "pngcheck: ok") {
		t.Errorf("no verdict from pngcheck:\n%s", msg)
	}
	t.Logf("rendered in %v: %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(string(msg)))
}
