package experiments

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"ghlsim/internal/runfiles"
	"ghlsim/internal/safetensors"
)

// killConfig is the run the SIGKILL test interrupts: 3 short epochs with a
// checkpoint every 2 steps, a partial last batch (258 images, batch 20) and
// a delayed modulator.
func killConfig() TrainConfig {
	c := tinyConfig("ghl")
	c.Epochs = 3
	c.TrainLimit = 320
	c.Batch = 20
	c.Modulator = "delay:2"
	c.CheckpointEvery = 2
	c.TelemetryStride = 3
	return c
}

// TestKillChild is the child process of TestSIGKILLResume: it trains (or
// resumes) the run in $GHLSIM_KILL_DIR until killed or done.
func TestKillChild(t *testing.T) {
	dir := os.Getenv("GHLSIM_KILL_DIR")
	if dir == "" {
		t.Skip("child of TestSIGKILLResume")
	}
	_, statErr := os.Stat(filepath.Join(dir, runfiles.ConfigFile))
	o := opts(dir)
	o.Resume = statErr == nil
	if _, err := Train(killConfig(), o); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
}

// TestSIGKILLResume kills a training subprocess with SIGKILL at random
// moments (several seeds), resumes it each time, and compares the final
// weights and metrics bit for bit with an uninterrupted run.
func TestSIGKILLResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns training subprocesses")
	}
	ref := t.TempDir()
	if _, err := Train(killConfig(), opts(ref)); err != nil {
		t.Fatal(err)
	}
	want, err := safetensors.ReadFile(filepath.Join(ref, runfiles.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	wantMetrics, _ := runfiles.ReadJSONL[runfiles.Epoch](filepath.Join(ref, runfiles.MetricsFile))
	wantTel, _ := runfiles.ReadJSONL[runfiles.Telemetry](filepath.Join(ref, runfiles.TelemetryFile))
	for seed := uint64(1); seed <= 3; seed++ {
		dir := t.TempDir()
		r := rand.New(rand.NewPCG(seed, 77))
		kills := 0
		ckpt := filepath.Join(dir, runfiles.CheckpointFile)
		for attempt := 0; ; attempt++ {
			cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "GHLSIM_KILL_DIR="+dir)
			before := modTime(ckpt)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Kill only after the child made progress (a new checkpoint),
			// then at a random moment within the next steps, so every
			// attempt moves the run forward however loaded the machine is.
			// After 6 kills the run is left to finish.
			killAt := make(<-chan time.Time)
			if kills < 6 {
				killAt = afterProgress(ckpt, before, time.Duration(r.IntN(300))*time.Millisecond)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("seed %d: child failed: %v", seed, err)
				}
			case <-killAt:
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				kills++
				continue
			}
			break
		}
		got, err := safetensors.ReadFile(filepath.Join(dir, runfiles.WeightsFile))
		if err != nil {
			t.Fatalf("seed %d: run never finished after %d kills: %v", seed, kills, err)
		}
		for name, tw := range want.Tensors {
			for i, v := range tw.Data {
				if got.Tensors[name].Data[i] != v {
					t.Fatalf("seed %d (%d kills): %s[%d] = %v, uninterrupted %v", seed, kills, name, i, got.Tensors[name].Data[i], v)
				}
			}
		}
		gotMetrics, _ := runfiles.ReadJSONL[runfiles.Epoch](filepath.Join(dir, runfiles.MetricsFile))
		if len(gotMetrics) != len(wantMetrics) {
			t.Fatalf("seed %d: %d metrics lines, want %d", seed, len(gotMetrics), len(wantMetrics))
		}
		for i := range wantMetrics {
			if gotMetrics[i].TestAcc != wantMetrics[i].TestAcc || gotMetrics[i].Loss != wantMetrics[i].Loss {
				t.Errorf("seed %d epoch %d: %+v vs %+v", seed, i+1, gotMetrics[i], wantMetrics[i])
			}
		}
		gotTel, _ := runfiles.ReadJSONL[runfiles.Telemetry](filepath.Join(dir, runfiles.TelemetryFile))
		if len(gotTel) != len(wantTel) {
			t.Errorf("seed %d: %d telemetry records, want %d", seed, len(gotTel), len(wantTel))
		}
		t.Logf("seed %d: %d SIGKILLs, final weights bit-identical", seed, kills)
	}
}

func modTime(path string) time.Time {
	if st, err := os.Stat(path); err == nil {
		return st.ModTime()
	}
	return time.Time{}
}

// afterProgress fires extra after path's modification time moves past before.
func afterProgress(path string, before time.Time, extra time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	go func() {
		for i := 0; i < 12000; i++ { // at most 2 minutes
			if modTime(path).After(before) {
				time.Sleep(extra)
				c <- time.Now()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return c
}
