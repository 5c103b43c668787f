package experiments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/datasets"
	"ghlsim/network"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// TestErrorsCutEchoedInput: an error about bad input used to quote the
// whole input (a 20 MB config on stderr). Every parser that quotes input —
// config fields and values, modulator specs, rule, architecture, backend,
// dataset and synthetic-spec names, experiment and budget names — now
// echoes at most 200 bytes of it, marked as cut.
func TestErrorsCutEchoedInput(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		msg := err.Error()
		if len(msg) > 1500 || !strings.Contains(msg, "bytes, cut)") {
			t.Errorf("%s: %d-byte error: %.400s", what, len(msg), msg)
		}
		if strings.Contains(msg, strings.Repeat("x", 201)) {
			t.Errorf("%s: error echoes more than 200 bytes of input", what)
		}
	}
	_, err := ParseConfig([]byte(`{"`+big+`": 1}`), Defaults())
	check("config field name", err)
	for name, mutate := range map[string]func(c *TrainConfig){
		"rule":      func(c *TrainConfig) { c.Rule = big },
		"arch":      func(c *TrainConfig) { c.Arch = big },
		"optimizer": func(c *TrainConfig) { c.Optimizer = big },
		"schedule":  func(c *TrainConfig) { c.Schedule = big },
	} {
		c := Defaults()
		c.RuleDefaults()
		mutate(&c)
		check("config "+name, c.Validate())
	}
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, []byte(`{"modulator": "`+big+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(path, Defaults())
	if err != nil {
		t.Fatal(err)
	}
	b := cpu.New(1)
	for _, spec := range []string{c.Modulator, "flip:" + big, "delay:" + big, big + "+grad-sign", "grad-sign@" + big, "constant:" + big} {
		_, err := neuromod.New(b, spec, backends.Shape{4, 3})
		check("modulator "+spec[:10], err)
	}
	_, err = synapse.NewRule(big)
	check("rule", err)
	check("arch", network.BuildArch(network.New(b, 1, 1), big, network.ArchOptions{C: 1, H: 8, W: 8, Classes: 2, Width: 1}))
	_, err = backends.New(big)
	check("backend", err)
	_, _, err = datasets.Load(big, "")
	check("dataset", err)
	_, _, err = datasets.Load("synthetic:"+big, "")
	check("synthetic spec", err)
	_, err = Lookup(big)
	check("experiment", err)
	check("budget", checkBudget(big))
}
