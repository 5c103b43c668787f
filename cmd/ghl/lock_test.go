//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ghlsim/internal/runlock"
)

// TestRunDirectoryLock: two ghl train --out X started together both ran
// (and interleaved metrics.jsonl), and --resume X trained beside X's live
// run. While one process holds a run directory, ghl train --out, ghl train
// --resume and ghl run on it now exit non-zero naming the directory and the
// holder's PID, and leave the directory untouched.
func TestRunDirectoryLock(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "train")
	ghl(t, nil, 0, quickTrain(run)...)
	metrics, _ := os.ReadFile(filepath.Join(run, "metrics.jsonl"))
	sweep := filepath.Join(dir, "sweep")
	os.MkdirAll(sweep, 0o755)
	for _, d := range []string{run, sweep} {
		if err := runlock.Hold(d); err != nil { // this test process plays the first ghl
			t.Fatal(err)
		}
		defer runlock.Drop(d)
	}
	for _, args := range [][]string{
		quickTrain(run),
		{"train", "--resume", run},
		{"run", "table5", "--budget", "smoke", "--seeds", "1", "--threads", "1", "--out", sweep},
	} {
		d := run
		if args[0] == "run" {
			d = sweep
		}
		want := fmt.Sprintf("run directory %s is in use by process %d", d, os.Getpid())
		if out := ghl(t, nil, 1, args...); !strings.Contains(out, want) {
			t.Errorf("ghl %s: want %q in\n%s", strings.Join(args, " "), want, out)
		}
	}
	if now, _ := os.ReadFile(filepath.Join(run, "metrics.jsonl")); string(now) != string(metrics) {
		t.Error("a refused run wrote metrics.jsonl")
	}
	if entries, _ := os.ReadDir(sweep); len(entries) != 1 {
		t.Errorf("a refused ghl run wrote into %s: %v", sweep, entries)
	}
}

// TestRunDirectoryLockTwoProcesses: a second ghl train on the directory of
// a live one is refused with the first's PID; once the first is killed
// (SIGKILL) its lock is gone, and what stops a third is only that the
// directory already holds a run.
func TestRunDirectoryLockTwoProcesses(t *testing.T) {
	if ghlPath == "" {
		t.Skip("no go tool to build ghl with")
	}
	run := filepath.Join(t.TempDir(), "train")
	first := exec.Command(ghlPath, quickTrain(run, "--epochs", "1000", "--train-limit", "1000")...)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	deadline := time.Now().Add(time.Minute)
	for {
		b, _ := os.ReadFile(filepath.Join(run, runlock.File))
		_, cfgErr := os.Stat(filepath.Join(run, "config.json"))
		if pid, _ := strconv.Atoi(strings.TrimSpace(string(b))); pid == first.Process.Pid && cfgErr == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first ghl train did not lock its directory within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := fmt.Sprintf("run directory %s is in use by process %d", run, first.Process.Pid)
	if out := ghl(t, nil, 1, quickTrain(run)...); !strings.Contains(out, want) {
		t.Errorf("second ghl train: want %q in\n%s", want, out)
	}
	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	out := ghl(t, nil, 1, quickTrain(run)...)
	if strings.Contains(out, "in use by") || !strings.Contains(out, "already holds a run") {
		t.Errorf("after SIGKILL of the holder:\n%s", out)
	}
}
