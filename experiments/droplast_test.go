package experiments

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/internal/runfiles"
)

// TestKeepsLastPartialBatch: ghl train dropped the last partial batch, so an
// epoch missed N mod batch images and the cosine schedule's T_max was
// epochs·⌊N/batch⌋ instead of the official code's epochs·⌈N/batch⌉. The
// batch is now kept unless DropLast is set.
func TestKeepsLastPartialBatch(t *testing.T) {
	c := tinyConfig("ghl") // 128 training images
	c.Batch = 20           // 6 full batches and one of 10
	var log bytes.Buffer
	o := opts(t.TempDir())
	o.Log = &log
	res, err := Train(c, o)
	if err != nil {
		t.Fatal(err)
	}
	if want := "data: training on 130 images (30 of 160 held out for validation by --val-fraction 0.2), testing on 64; 7 steps per epoch of batch 20, the last batch of 10 kept"; !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log.String())
	}
	if got := []int{res.Epochs[0].Step, res.Epochs[1].Step}; got[0] != 7 || got[1] != 14 {
		t.Errorf("kept last batch: steps after each epoch %v, want [7 14]", got)
	}
	c.DropLast = true
	res, err = Train(c, opts(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if got := []int{res.Epochs[0].Step, res.Epochs[1].Step}; got[0] != 6 || got[1] != 12 {
		t.Errorf("--drop-last: steps after each epoch %v, want [6 12]", got)
	}
}

// TestResumeWithPartialBatch interrupts a run with a partial last batch and
// a delayed modulator after its first step and resumes it; the weights and
// metrics equal the uninterrupted run's bit for bit.
func TestResumeWithPartialBatch(t *testing.T) {
	cfg := tinyConfig("ghl")
	cfg.Batch, cfg.Modulator, cfg.CheckpointEvery = 20, "delay:2", 3
	full := t.TempDir()
	if _, err := Train(cfg, opts(full)); err != nil {
		t.Fatal(err)
	}
	part := t.TempDir()
	stop := make(chan struct{})
	close(stop)
	o := opts(part)
	o.Stop = stop
	if _, err := Train(cfg, o); err != ErrInterrupted {
		t.Fatalf("interrupted run returned %v", err)
	}
	o = opts(part)
	o.Resume = true
	if _, err := Train(cfg, o); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(full, runfiles.WeightsFile))
	b, _ := os.ReadFile(filepath.Join(part, runfiles.WeightsFile))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatal("resumed weights differ from the uninterrupted run's")
	}
	ea, _ := runfiles.ReadJSONL[runfiles.Epoch](filepath.Join(full, runfiles.MetricsFile))
	eb, _ := runfiles.ReadJSONL[runfiles.Epoch](filepath.Join(part, runfiles.MetricsFile))
	if len(ea) != 2 || len(eb) != 2 || ea[1].Loss != eb[1].Loss || ea[1].TestAcc != eb[1].TestAcc || ea[1].Step != 14 {
		t.Errorf("metrics differ: %+v vs %+v", ea, eb)
	}
}

// TestOldRunRecordsKeepDroppingLastBatch: config.json written before
// drop_last existed (every run dropped the last batch) resumes as it ran.
func TestOldRunRecordsKeepDroppingLastBatch(t *testing.T) {
	c, err := ParseRunConfig([]byte(`{"dataset":"synthetic","batch":20}`))
	if err != nil || !c.DropLast {
		t.Fatalf("old record: DropLast %v, err %v; want true", c.DropLast, err)
	}
	c, err = ParseRunConfig([]byte(`{"dataset":"synthetic","batch":20,"drop_last":false}`))
	if err != nil || c.DropLast {
		t.Fatalf("new record: DropLast %v, err %v; want false", c.DropLast, err)
	}
}

// TestNoValidationNoBestEpoch: with --val-fraction 0 there is no
// validation set, and no "best-validation epoch" is reported.
func TestNoValidationNoBestEpoch(t *testing.T) {
	c := tinyConfig("ghl")
	c.ValFraction = 0
	var log bytes.Buffer
	o := opts(t.TempDir())
	o.Log = &log
	res, err := Train(c, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.BestValEpoch != -1 {
		t.Errorf("no validation set, yet best-validation epoch %d", res.BestValEpoch)
	}
	if !strings.Contains(log.String(), "no validation split (--val-fraction 0)") {
		t.Errorf("log does not say there is no validation split:\n%s", log.String())
	}
}
