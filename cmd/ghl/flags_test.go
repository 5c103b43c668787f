package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/experiments"
	"ghlsim/internal/runfiles"
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

// TestSplitArgs: flags and positionals in any order; "--" ends the flags.
func TestSplitArgs(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.String("out", "", "")
	fs.Bool("no-report", false, "")
	for _, c := range []struct {
		args, flags, pos []string
	}{
		{[]string{"a", "b", "--out", "c"}, []string{"--out", "c"}, []string{"a", "b"}},
		{[]string{"--out=c", "a", "--no-report", "b"}, []string{"--out=c", "--no-report"}, []string{"a", "b"}},
		{[]string{"a", "--", "--out", "b"}, nil, []string{"a", "--out", "b"}},
		{[]string{"-out", "--", "a"}, []string{"-out", "--"}, []string{"a"}}, // "--" as a flag's value
		{[]string{"a", "--bogus", "b"}, []string{"--bogus"}, []string{"a", "b"}},
		{[]string{"-", "a"}, nil, []string{"-", "a"}},
	} {
		flags, pos, _ := splitArgs(fs, c.args)
		if strings.Join(flags, " ") != strings.Join(c.flags, " ") || strings.Join(pos, " ") != strings.Join(c.pos, " ") {
			t.Errorf("%q: flags %q, positional %q; want %q, %q", c.args, flags, pos, c.flags, c.pos)
		}
	}
}

// TestFlagsAfterPositionals: the README's `ghl report runs/a runs/b --out
// runs/compare` failed because flags after positional arguments were not
// parsed; every subcommand now takes flags anywhere (report and run shown).
func TestFlagsAfterPositionals(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, run := range []string{a, b} {
		ghl(t, nil, 0, "train", "--dataset", "synthetic", "--width", "0.05", "--epochs", "1", "--train-limit", "100", "--test-limit", "50", "--threads", "1", "--no-report", "--out", run)
	}
	compare := filepath.Join(dir, "compare")
	ghl(t, nil, 0, "report", a, b, "--out", compare)
	if _, err := os.Stat(filepath.Join(compare, "report.html")); err != nil {
		t.Errorf("report with --out after the run directories: %v", err)
	}
	if _, err := os.Stat(filepath.Join(a, "report.html")); err == nil {
		t.Errorf("--out after the run directories was taken for a run directory: %s has its own report", a)
	}
	sweep := filepath.Join(dir, "sweep")
	out := ghl(t, nil, 0, "run", "--out", sweep, "--budget", "smoke", "table5", "--seeds", "1", "--threads", "1", "--no-report")
	if _, err := os.Stat(filepath.Join(sweep, "table.json")); err != nil || !strings.Contains(out, "results: "+sweep) {
		t.Errorf("run with flags on both sides of the experiment: %v\n%s", err, out)
	}
	if out := ghl(t, nil, 2, "report", a, "--bogus"); !strings.Contains(out, "flag provided but not defined: -bogus") {
		t.Errorf("unknown flag after a positional: %s", out)
	}
}

// TestZeroFlags: --momentum 0 could not be set for --rule bp (0 meant "the
// rule's default 0.9", and config.json recorded 0.9). Every numeric flag
// now takes 0 as a value, config.json records the effective values, and
// ghl train -h shows each flag's default and the rules' defaults.
func TestZeroFlags(t *testing.T) {
	c := parseTrain(t, experiments.Defaults(), "--rule", "bp", "--momentum", "0", "--hidden-wd", "0", "--readout-lr", "0.5")
	c.RuleDefaults()
	if *c.Momentum != 0 || *c.HiddenWD != 0 || *c.ReadoutLR != 0.5 || *c.HiddenLR != 1e-2 {
		t.Errorf("--rule bp --momentum 0 --hidden-wd 0: momentum %g, hidden_wd %g, readout_lr %g, hidden_lr %g", *c.Momentum, *c.HiddenWD, *c.ReadoutLR, *c.HiddenLR)
	}
	c = parseTrain(t, experiments.Defaults(), "--rule", "bp")
	if c.RuleDefaults(); *c.Momentum != 0.9 {
		t.Errorf("--rule bp: momentum %g, want 0.9", *c.Momentum)
	}
	for _, z := range [][]string{{"--val-fraction", "0"}, {"--seed", "0"}, {"--trace-decay", "0"}, {"--readout-wd", "0"}} {
		base := experiments.Defaults()
		base.ValFraction, base.Seed, base.TraceDecay, base.ReadoutWD = 0.3, 7, 0.5, 0.1
		c := parseTrain(t, base, z...)
		v := map[string]float64{"--val-fraction": c.ValFraction, "--seed": float64(c.Seed), "--trace-decay": c.TraceDecay, "--readout-wd": c.ReadoutWD}[z[0]]
		if v != 0 {
			t.Errorf("%s 0 over a non-zero config: %g", z[0], v)
		}
	}

	run := filepath.Join(t.TempDir(), "bp")
	ghl(t, nil, 0, quickTrain(run, "--rule", "bp", "--momentum", "0")...)
	info, err := runfiles.ReadJSON[runfiles.RunInfo](filepath.Join(run, runfiles.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	var rec experiments.TrainConfig
	if err := json.Unmarshal(info.Config, &rec); err != nil || rec.Momentum == nil || *rec.Momentum != 0 || *rec.HiddenLR != 1e-2 {
		t.Errorf("config.json does not record momentum 0 and bp's hidden_lr: %v\n%s", err, info.Config)
	}

	help := ghl(t, nil, 0, "train", "-h")
	for _, want := range []string{`--dataset string`, `(default "mnist")`, `--epochs int`, `(default 1)`, `--threads int`, `(default 0)`,
		"--momentum float", "rule defaults", "bp        0.01       0.0005     0.01        0.9"} {
		if !strings.Contains(help, want) {
			t.Errorf("ghl train -h lacks %q:\n%s", want, help)
		}
	}
}

// quickTrain is a ghl train of a second or so on synthetic data.
func quickTrain(out string, extra ...string) []string {
	return append([]string{"train", "--dataset", "synthetic", "--width", "0.05", "--epochs", "1", "--train-limit", "100", "--test-limit", "50", "--threads", "1", "--no-report", "--out", out}, extra...)
}
