package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestListShowsNeuronModelsAndDistalReward: ghl list names the simulated-time
// neuron models and the distal-reward experiment.
func TestListShowsNeuronModelsAndDistalReward(t *testing.T) {
	out := ghl(t, nil, 0, "list")
	for _, want := range []string{"neuron models", "lif", "izhikevich", "poisson", "spike-source", "encoder-rate", "encoder-ttfs", "distal-reward"} {
		if !strings.Contains(out, want) {
			t.Errorf("ghl list lacks %q:\n%s", want, out)
		}
	}
}

// TestDistalRewardCLI runs `ghl run distal-reward --budget smoke --seeds 1`
// (under a minute, report included), checks its report and status, then
// interrupts a cpu-budget run with SIGTERM and checks that it checkpointed.
func TestDistalRewardCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the distal-reward experiment")
	}
	dir := filepath.Join(t.TempDir(), "smoke")
	began := time.Now()
	out := ghl(t, nil, 0, "run", "distal-reward", "--budget", "smoke", "--seeds", "1", "--out", dir)
	if d := time.Since(began); d > time.Minute {
		t.Errorf("the smoke budget took %v, want under a minute", d)
	}
	if !strings.Contains(out, "rewarded (mV)") || !strings.Contains(out, "results: "+dir) {
		t.Errorf("output:\n%s", out)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="fig-weight-trajectories"`, `id="fig-seed-1-spike-raster"`, `id="fig-seed-1-dopamine"`, `id="fig-seed-1-state-traces"`, "first 4 mV"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if st := ghl(t, nil, 0, "status", dir); !strings.Contains(st, "finished 1") || !strings.Contains(st, "rewarded") {
		t.Errorf("status:\n%s", st)
	}

	if ghlPath == "" {
		t.Skip("no ghl binary")
	}
	cpu := filepath.Join(t.TempDir(), "cpu")
	cmd := exec.Command(ghlPath, "run", "distal-reward", "--budget", "cpu", "--seeds", "1", "--out", cpu, "--no-report")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	recs := filepath.Join(cpu, "cells", "distal-reward__da-stdp__s1", "sim.jsonl")
	deadline := time.Now().Add(time.Minute)
	for {
		b, _ := os.ReadFile(recs)
		if bytes.Count(b, []byte("\n")) >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("after SIGTERM: %v (want exit status 130)\n%s", err, buf.String())
	}
	cell := filepath.Dir(recs)
	if _, err := os.Stat(filepath.Join(cell, "sim.ckpt")); err != nil {
		t.Errorf("no checkpoint after SIGTERM: %v", err)
	}
	if e, _ := os.ReadFile(filepath.Join(cell, "error.txt")); !strings.Contains(string(e), "interrupted") {
		t.Errorf("error.txt: %q", e)
	}
	if !strings.Contains(buf.String(), "rerun the same command to resume") {
		t.Errorf("output:\n%s", buf.String())
	}
}
