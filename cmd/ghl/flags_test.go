package main

import (
	"flag"
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
