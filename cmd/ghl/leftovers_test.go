package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNoReportKeptOnResume: a run started with --no-report wrote a report
// when resumed without the flag; config.json now records the choice.
func TestNoReportKeptOnResume(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	ghl(t, nil, 0, quickTrain(dir)...)
	ghl(t, nil, 0, "train", "--resume", dir)
	for _, f := range []string{"report.html", "report.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("the resume of a --no-report run wrote %s", f)
		}
	}
}

// TestFailedBenchLeavesNoDirectory: ghl bench created its --out directory
// before benchmarking and left it behind, empty, when the bench failed.
func TestFailedBenchLeavesNoDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bench")
	ghl(t, nil, 1, "bench", "--backend", "no-such-backend", "--widths", "0.05", "--rules", "ghl", "--repeats", "1", "--python", "off", "--out", dir)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a failed ghl bench left %s behind (%v)", dir, err)
	}
}
