package experiments

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValidateNamesEachBadField(t *testing.T) {
	cases := map[string]func(c *TrainConfig){
		"hidden_lr":      func(c *TrainConfig) { c.HiddenLR = Float(-1) },
		"batch":          func(c *TrainConfig) { c.Batch = 0 },
		"epochs":         func(c *TrainConfig) { c.Epochs = 0 },
		"width":          func(c *TrainConfig) { c.Width = 0 },
		"rule":           func(c *TrainConfig) { c.Rule = "magic" },
		"arch":           func(c *TrainConfig) { c.Arch = "alexnet" },
		"val_fraction":   func(c *TrainConfig) { c.ValFraction = 1 },
		"trace_decay":    func(c *TrainConfig) { c.TraceDecay = 1.5 },
		"momentum":       func(c *TrainConfig) { c.Momentum = Float(1) },
		"optimizer":      func(c *TrainConfig) { c.Optimizer = "lbfgs" },
		"schedule":       func(c *TrainConfig) { c.Schedule = "linear" },
		"threads":        func(c *TrainConfig) { c.Threads = -2 },
		"dataset":        func(c *TrainConfig) { c.Dataset = "" },
		"readout_lr NaN": func(c *TrainConfig) { c.ReadoutLR = Float(nan()) },
	}
	for field, mutate := range cases {
		c := Defaults()
		c.RuleDefaults()
		mutate(&c)
		err := c.Validate()
		if err == nil {
			t.Errorf("%s: bad value accepted", field)
			continue
		}
		key := strings.Fields(field)[0]
		if !strings.Contains(err.Error(), key) {
			t.Errorf("%s: error %q does not name the field", field, err)
		}
	}
	c := Defaults()
	c.RuleDefaults()
	if err := c.Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestParseConfigRejectsUnknownFields(t *testing.T) {
	_, err := ParseConfig([]byte(`{"rule": "ghl", "hiden_lr": 0.1}`), Defaults())
	if err == nil || !strings.Contains(err.Error(), "hiden_lr") {
		t.Fatalf("misspelt field: %v", err)
	}
	c, err := ParseConfig([]byte(`{"rule": "bp", "epochs": 3}`), Defaults())
	if err != nil || c.Rule != "bp" || c.Epochs != 3 || c.Dataset != "mnist" {
		t.Fatalf("got %+v, %v", c, err)
	}
	if _, err := ParseConfig([]byte(`{"epochs": "three"}`), Defaults()); err == nil {
		t.Fatal("wrong type accepted")
	}
}

func TestRuleDefaults(t *testing.T) {
	c := TrainConfig{Rule: "ghl"}
	c.RuleDefaults()
	if *c.HiddenLR != 1e-2 || *c.HiddenWD != 5e-2 || *c.ReadoutLR != 5e-3 || *c.Momentum != 0 || c.Schedule != "cosine" {
		t.Errorf("ghl defaults %+v differ from ALGORITHM.md §3", c)
	}
	c = TrainConfig{Rule: "softhebb"}
	c.RuleDefaults()
	if c.HebbianBatch != 10 || c.Optimizer != "adam" || *c.ReadoutLR != 1e-3 || len(c.HebbianLRs) != 3 {
		t.Errorf("softhebb defaults %+v", c)
	}
	c = TrainConfig{Rule: "ghl", HiddenLR: Float(0.5)}
	c.RuleDefaults()
	if *c.HiddenLR != 0.5 {
		t.Error("RuleDefaults overwrote a set field")
	}
}

// TestThreadsRange: a config's threads must lie in 0…MaxThreads.
func TestThreadsRange(t *testing.T) {
	c := Defaults()
	c.RuleDefaults()
	for _, n := range []int{0, 1, MaxThreads} {
		c.Threads = n
		if err := c.Validate(); err != nil {
			t.Errorf("threads %d: %v", n, err)
		}
	}
	c.Threads = 100000
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "threads 100000 is out of range: use 0 (all cores) to 1024") {
		t.Errorf("threads 100000: %v", err)
	}
}

// TestZeroIsSettable: 0 used to mean "the rule's default", so momentum 0
// could not be set for bp (config.json recorded 0.9). The rule-dependent
// fields are now optional: absent takes the rule's default, 0 stays 0, and
// the effective value is what config.json records.
func TestZeroIsSettable(t *testing.T) {
	c, err := ParseConfig([]byte(`{"rule": "bp", "momentum": 0, "hidden_wd": 0}`), Defaults())
	if err != nil {
		t.Fatal(err)
	}
	c.RuleDefaults()
	if *c.Momentum != 0 || *c.HiddenWD != 0 || *c.HiddenLR != 1e-2 || *c.ReadoutLR != 1e-2 {
		t.Errorf("bp with momentum 0, hidden_wd 0: momentum %g, hidden_wd %g, hidden_lr %g, readout_lr %g", *c.Momentum, *c.HiddenWD, *c.HiddenLR, *c.ReadoutLR)
	}
	b, _ := json.Marshal(c)
	if !strings.Contains(string(b), `"momentum":0`) || !strings.Contains(string(b), `"hidden_lr":0.01`) {
		t.Errorf("effective values not recorded: %s", b)
	}
	c = TrainConfig{Rule: "bp"}
	c.RuleDefaults()
	if *c.Momentum != 0.9 {
		t.Errorf("bp default momentum %g, want 0.9", *c.Momentum)
	}
	// A resumed run re-reads config.json: the recorded 0 stays 0.
	again, err := ParseConfig(b, TrainConfig{})
	if err != nil {
		t.Fatal(err)
	}
	again.RuleDefaults()
	if *again.Momentum != 0 {
		t.Errorf("resumed momentum %g, want 0", *again.Momentum)
	}
}
