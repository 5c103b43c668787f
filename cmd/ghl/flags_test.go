package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/experiments"
)

// parseTrain parses ghl train flags over base the way cmdTrain does and
// returns the resulting config.
func parseTrain(t *testing.T, base experiments.TrainConfig, args ...string) experiments.TrainConfig {
	t.Helper()
	fs := flag.NewFlagSet("ghl train", flag.ContinueOnError)
	var file experiments.TrainConfig
	trainFlags(fs, &file)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	overrideSet(fs, nil, &base, &file)
	return base
}

// TestDropoutFlag: --dropout sets the rate before the classifier, 0
// included; without it the config keeps the architecture's default (nil).
func TestDropoutFlag(t *testing.T) {
	if c := parseTrain(t, experiments.Defaults(), "--dropout", "0"); c.Dropout == nil || *c.Dropout != 0 {
		t.Errorf("--dropout 0: %v", c.Dropout)
	}
	if c := parseTrain(t, experiments.Defaults(), "--dropout", "0.25"); c.Dropout == nil || *c.Dropout != 0.25 {
		t.Errorf("--dropout 0.25: %v", c.Dropout)
	}
	if c := parseTrain(t, experiments.Defaults(), "--epochs", "2"); c.Dropout != nil {
		t.Errorf("no --dropout: %v", *c.Dropout)
	}
}

// TestThreadsLimit: --threads 100000 used to be accepted; every command
// that takes it now refuses a value outside 0…1024 before doing anything,
// naming the flag and the range.
func TestThreadsLimit(t *testing.T) {
	dir := t.TempDir()
	const want = "--threads 100000 is out of range: use 0 (all cores) to 1024"
	for _, args := range [][]string{
		{"train", "--threads", "100000", "--out", filepath.Join(dir, "train")},
		{"run", "table5", "--budget", "smoke", "--threads", "100000", "--out", filepath.Join(dir, "run")},
		{"bench", "--threads", "100000", "--out", filepath.Join(dir, "bench")},
		{"cell", "--threads", "100000", filepath.Join(dir, "run"), "0"},
		{"train", "--threads", "-1", "--out", filepath.Join(dir, "train")},
	} {
		out := ghl(t, nil, 1, args...)
		w := want
		if args[2] == "-1" {
			w = "--threads -1 is out of range"
		}
		if !strings.Contains(out, w) {
			t.Errorf("ghl %s: %s", strings.Join(args, " "), out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused command left %v behind", entries)
	}
}

// TestBadInputErrorIsShort: a 20 MB config file with a bad value used to
// come back whole on stderr; the error now echoes at most 200 bytes of it.
func TestBadInputErrorIsShort(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("y", 20<<20)
	for name, body := range map[string]string{
		"value.json": `{"rule": "` + big + `"}`,
		"key.json":   `{"` + big + `": 1}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		out := ghl(t, nil, 1, "train", "--config", path, "--out", filepath.Join(dir, "run"))
		if len(out) > 2000 || !strings.Contains(out, "bytes, cut)") {
			t.Errorf("%s: %d bytes of output: %.500s", name, len(out), out)
		}
	}
}
