package experiments

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/experiments/runfiles"
	"ghlsim/network"
)

func tinySpiking(rule string) SpikingConfig {
	c := spikingBase("smoke")
	c.Rule, c.Epochs, c.Data, c.Batch = rule, 2, "n=48,test=16", 8
	c.Modulator = "flip:0.2+grad-sign"
	c.Net.LatencyMS = 8 // two presentations of 4 ms
	c.Net.KeepEligibility = true
	c.TelemetryStride = 2
	return c
}

func spikingOpts(dir string) SpikingOptions {
	return SpikingOptions{Out: dir, OpenBackend: func(string) (backends.Backend, error) { return cpu.New(1), nil }}
}

// A spiking run writes config.json, one metrics record per epoch and
// telemetry; interrupted in the middle of an epoch (the Stop channel) and
// resumed, it ends with the same weights, metrics and telemetry as the
// uninterrupted run, bit for bit.
func TestSpikingRunResumesBitIdentically(t *testing.T) {
	for _, rule := range []string{"ghl", "rstdp"} {
		t.Run(rule, func(t *testing.T) {
			cfg := tinySpiking(rule)
			whole := t.TempDir()
			var log bytes.Buffer
			o := spikingOpts(whole)
			o.Log = &log
			res, err := RunSpiking(cfg, o)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Epochs) != 2 || res.TestAcc < 0 || res.TestAcc > 1 || !strings.Contains(log.String(), "epoch 2/2: test loss") {
				t.Fatalf("result %+v, log %q", res, log.String())
			}
			info, err := runfiles.ReadJSON[runfiles.RunInfo](filepath.Join(whole, runfiles.ConfigFile))
			if err != nil || info.Arch != "spiking" || info.Rule != rule || info.Seed != cfg.Seed || info.GitRevision == "" {
				t.Fatalf("config.json %+v (%v)", info, err)
			}
			cut := t.TempDir()
			o = spikingOpts(cut)
			o.stopAfter = 3 // in the middle of the first epoch (6 presentations)
			if _, err := RunSpiking(cfg, o); !errors.Is(err, ErrInterrupted) {
				t.Fatalf("interrupted run: %v", err)
			}
			o = spikingOpts(cut)
			if _, err := RunSpiking(cfg, o); err == nil || !strings.Contains(err.Error(), "already holds a run") {
				t.Fatalf("a second run into the same directory without resume: %v", err)
			}
			o.Resume = true
			if _, err := RunSpiking(cfg, o); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{runfiles.MetricsFile, runfiles.TelemetryFile} {
				a, _ := os.ReadFile(filepath.Join(whole, f))
				b, _ := os.ReadFile(filepath.Join(cut, f))
				if len(a) == 0 || !sameRecords(a, b) {
					t.Fatalf("%s differs after the resume:\n%s\nvs\n%s", f, a, b)
				}
			}
			ca, err := network.ReadCheckpoint(filepath.Join(whole, runfiles.CheckpointFile))
			if err != nil {
				t.Fatal(err)
			}
			cb, err := network.ReadCheckpoint(filepath.Join(cut, runfiles.CheckpointFile))
			if err != nil {
				t.Fatal(err)
			}
			if ca.Meta["checksum"] != cb.Meta["checksum"] || ca.Step != cb.Step {
				t.Fatalf("final state differs: step %d vs %d", ca.Step, cb.Step)
			}
		})
	}
}

// sameRecords compares JSONL records ignoring wall-clock fields.
func sameRecords(a, b []byte) bool {
	strip := func(x []byte) string {
		var out []string
		for _, line := range strings.Split(strings.TrimSpace(string(x)), "\n") {
			var kept []string
			for _, f := range strings.Split(line, ",") {
				if !strings.Contains(f, `"seconds"`) && !strings.Contains(f, `"images_per_s"`) {
					kept = append(kept, f)
				}
			}
			out = append(out, strings.Join(kept, ","))
		}
		return strings.Join(out, "\n")
	}
	return strip(a) == strip(b)
}

// Bad spiking configs are refused before anything runs, naming the field.
func TestSpikingConfigErrors(t *testing.T) {
	for _, c := range []struct {
		edit func(*SpikingConfig)
		want string
	}{
		{func(c *SpikingConfig) { c.Rule = "softhebb" }, "spiking rule"},
		{func(c *SpikingConfig) { c.Batch = 0 }, "batch"},
		{func(c *SpikingConfig) { c.HiddenLR = -1 }, "hidden_lr"},
		{func(c *SpikingConfig) { c.Net.TauEMS = -5 }, "time constants"},
		{func(c *SpikingConfig) { c.Schedule = "linear" }, "schedule"},
		{func(c *SpikingConfig) { c.HiddenOptimizer = "rmsprop" }, "hidden_optimizer"},
		{func(c *SpikingConfig) { c.Net.LatencyMS = 400 }, "never arrive"},
	} {
		cfg := tinySpiking("ghl")
		c.edit(&cfg)
		dir := filepath.Join(t.TempDir(), "run")
		_, err := RunSpiking(cfg, spikingOpts(dir))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error about %q, got %v", c.want, err)
		}
		if _, statErr := os.Stat(dir); statErr == nil {
			t.Errorf("%q: a refused run left %s behind", c.want, dir)
		}
	}
}
