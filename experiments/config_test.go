package experiments

import (
	"strings"
	"testing"
)

func TestValidateNamesEachBadField(t *testing.T) {
	cases := map[string]func(c *TrainConfig){
		"hidden_lr":      func(c *TrainConfig) { c.HiddenLR = -1 },
		"batch":          func(c *TrainConfig) { c.Batch = 0 },
		"epochs":         func(c *TrainConfig) { c.Epochs = 0 },
		"width":          func(c *TrainConfig) { c.Width = 0 },
		"rule":           func(c *TrainConfig) { c.Rule = "magic" },
		"arch":           func(c *TrainConfig) { c.Arch = "alexnet" },
		"val_fraction":   func(c *TrainConfig) { c.ValFraction = 1 },
		"trace_decay":    func(c *TrainConfig) { c.TraceDecay = 1.5 },
		"momentum":       func(c *TrainConfig) { c.Momentum = 1 },
		"optimizer":      func(c *TrainConfig) { c.Optimizer = "lbfgs" },
		"schedule":       func(c *TrainConfig) { c.Schedule = "linear" },
		"threads":        func(c *TrainConfig) { c.Threads = -2 },
		"dataset":        func(c *TrainConfig) { c.Dataset = "" },
		"readout_lr NaN": func(c *TrainConfig) { c.ReadoutLR = nan() },
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
	if c.HiddenLR != 1e-2 || c.HiddenWD != 5e-2 || c.ReadoutLR != 5e-3 || c.Momentum != 0 || c.Schedule != "cosine" {
		t.Errorf("ghl defaults %+v differ from ALGORITHM.md §3", c)
	}
	c = TrainConfig{Rule: "softhebb"}
	c.RuleDefaults()
	if c.HebbianBatch != 10 || c.Optimizer != "adam" || c.ReadoutLR != 1e-3 || len(c.HebbianLRs) != 3 {
		t.Errorf("softhebb defaults %+v", c)
	}
	c = TrainConfig{Rule: "ghl", HiddenLR: 0.5}
	c.RuleDefaults()
	if c.HiddenLR != 0.5 {
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
