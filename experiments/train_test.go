package experiments

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/internal/runfiles"
	"ghlsim/internal/safetensors"
)

// tinyConfig trains DeepHebb at a small width on a synthetic 3×16×16 set.
func tinyConfig(rule string) TrainConfig {
	c := Defaults()
	c.Dataset = "synthetic"
	c.Rule = rule
	c.Width = 0.05
	c.Epochs = 2
	c.Batch = 16
	c.TrainLimit = 160
	c.TestLimit = 64
	c.ValFraction = 0.2
	return c
}

func opts(dir string) Options {
	return Options{Out: dir, OpenBackend: func(string) (backends.Backend, error) { return cpu.New(2), nil }}
}

func TestTrainWritesRunDirectory(t *testing.T) {
	dir := t.TempDir()
	res, err := Train(tinyConfig("ghl"), opts(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Epochs) != 2 || res.TestAcc <= 0 || res.TestAcc > 1 {
		t.Fatalf("result %+v", res)
	}
	info, err := runfiles.ReadJSON[runfiles.RunInfo](filepath.Join(dir, runfiles.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Seed != 1 || info.Backend != "cpu" || info.GoVersion == "" || info.GitRevision == "" || info.Device == "" {
		t.Errorf("run info incomplete: %+v", info)
	}
	var cfg TrainConfig
	if err := json.Unmarshal(info.Config, &cfg); err != nil || cfg.HiddenLR == nil || *cfg.HiddenLR != 1e-2 {
		t.Errorf("effective config not recorded: %+v %v", cfg, err)
	}
	eps, err := runfiles.ReadJSONL[runfiles.Epoch](filepath.Join(dir, runfiles.MetricsFile))
	if err != nil || len(eps) != 2 || eps[1].Epoch != 2 || eps[1].ImagesPerS <= 0 || eps[1].ValAcc < 0 {
		t.Fatalf("metrics %+v %v", eps, err)
	}
	w, err := safetensors.ReadFile(filepath.Join(dir, runfiles.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"conv1.weight", "conv3.weight", "fc.weight", "fc.bias", "bn1.running_mean", "conv1.eligibility"} {
		if _, ok := w.Tensors[name]; !ok {
			t.Errorf("weights lack %s", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, runfiles.CheckpointFile)); err != nil {
		t.Error(err)
	}
}

func TestTrainRefusesToMixRuns(t *testing.T) {
	dir := t.TempDir()
	if _, err := Train(tinyConfig("ghl"), opts(dir)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, runfiles.MetricsFile))
	_, err := Train(tinyConfig("bp"), opts(dir))
	if err == nil || !strings.Contains(err.Error(), "already holds a run") {
		t.Fatalf("second run into the same directory: %v", err)
	}
	o := opts(dir)
	o.Resume = true
	_, err = Train(tinyConfig("bp"), o)
	if err == nil || !strings.Contains(err.Error(), "different config") {
		t.Fatalf("resume with another config: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, runfiles.MetricsFile))
	if string(before) != string(after) {
		t.Error("refused runs changed metrics.jsonl")
	}
}

// TestInterruptAndResume stops a run mid-epoch and resumes it; the final
// weights equal those of an uninterrupted run bit for bit.
func TestInterruptAndResume(t *testing.T) {
	cfg := tinyConfig("ghl")
	full := t.TempDir()
	if _, err := Train(cfg, opts(full)); err != nil {
		t.Fatal(err)
	}
	part := t.TempDir()
	stop := make(chan struct{})
	close(stop) // stop after the first step
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
	a, _ := safetensors.ReadFile(filepath.Join(full, runfiles.WeightsFile))
	b, _ := safetensors.ReadFile(filepath.Join(part, runfiles.WeightsFile))
	for name, ta := range a.Tensors {
		for i, v := range ta.Data {
			if b.Tensors[name].Data[i] != v {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", name, i, b.Tensors[name].Data[i], v)
			}
		}
	}
	ea, _ := runfiles.ReadJSONL[runfiles.Epoch](filepath.Join(full, runfiles.MetricsFile))
	eb, _ := runfiles.ReadJSONL[runfiles.Epoch](filepath.Join(part, runfiles.MetricsFile))
	if len(ea) != len(eb) || ea[1].TestAcc != eb[1].TestAcc || ea[1].Loss != eb[1].Loss {
		t.Errorf("metrics differ: %+v vs %+v", ea, eb)
	}
}

func TestTrainAllRules(t *testing.T) {
	for _, rule := range []string{"bp", "sign", "hebb", "softhebb"} {
		c := tinyConfig(rule)
		c.Epochs = 1
		if rule == "softhebb" {
			c.HebbianBatch = 8
		}
		res, err := Train(c, opts(t.TempDir()))
		if err != nil {
			t.Fatalf("%s: %v", rule, err)
		}
		if res.TestAcc <= 0 {
			t.Errorf("%s: test accuracy %v", rule, res.TestAcc)
		}
	}
}

func TestBadOutputDirectory(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, []byte("x"), 0o644)
	if _, err := Train(tinyConfig("ghl"), opts(filepath.Join(f, "sub"))); err == nil || !strings.Contains(err.Error(), "--out") {
		t.Fatalf("output under a file: %v", err)
	}
}

// TestTrainSetupFailureLeavesNoEmptyRun: when the backend cannot be opened,
// Train reports it and removes the output directory it created for the
// run, but never an existing one.
func TestTrainSetupFailureLeavesNoEmptyRun(t *testing.T) {
	fail := func(string) (backends.Backend, error) { return nil, errors.New("no such backend") }
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := Train(tinyConfig("ghl"), Options{Out: dir, OpenBackend: fail}); err == nil || !strings.Contains(err.Error(), "no such backend") {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the run directory was left behind (stat: %v)", err)
	}
	existing := t.TempDir()
	if _, err := Train(tinyConfig("ghl"), Options{Out: existing, OpenBackend: fail}); err == nil {
		t.Fatal("no error")
	}
	if _, err := os.Stat(existing); err != nil {
		t.Errorf("an existing directory was removed: %v", err)
	}
}
