package plots

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestLoadRun(t *testing.T) {
	dir := t.TempDir()
	writeFixtureRun(t, dir, "ghl", 1)
	r, err := LoadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Info.Rule != "ghl" || len(r.Epochs) != 6 || len(r.Telemetry) != 120 || len(r.Bench) != 4 || r.Table != nil || len(r.Cells) != 0 {
		t.Errorf("loaded %d epochs, %d telemetry, %d bench, table %v, %d cells", len(r.Epochs), len(r.Telemetry), len(r.Bench), r.Table, len(r.Cells))
	}
	if r.Weights == nil || len(r.Weights.Tensors["conv1.weight"].Shape) != 4 {
		t.Error("weights not loaded")
	}
	if r.Label() != "ghl" {
		t.Errorf("Label = %q", r.Label())
	}
}

func TestLoadExperimentCells(t *testing.T) {
	dir := t.TempDir()
	writeFixtureExperiment(t, dir)
	r, err := LoadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Table == nil || len(r.Cells) != 24 {
		t.Fatalf("table %v, %d cells (want 24; the unstarted one skipped)", r.Table != nil, len(r.Cells))
	}
	for _, c := range r.Cells {
		if c.Weights != nil || len(c.Epochs) != 4 {
			t.Errorf("cell %s: weights loaded or %d epochs", c.Dir, len(c.Epochs))
		}
	}
	curves := CellCurves(r)
	var labels []string
	for _, c := range curves {
		if len(labels) == 0 || labels[len(labels)-1] != c.Label {
			labels = append(labels, c.Label)
		}
	}
	want := []string{"DeepHebb · GHL", "DeepHebb · BP", "DeepHebb · SoftHebb", "FastHebb · GHL", "FastHebb · BP", "FastHebb · SoftHebb",
		"p=0 · GHL", "p=0 · BP", "p=0.1 · GHL", "p=0.1 · BP", "p=0.3 · GHL", "p=0.3 · BP"}
	if !slices.Equal(labels, want) {
		t.Errorf("cell curves in order %v, want table order %v", labels, want)
	}
}

func TestCompareCurvesKeepsRunsApart(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeFixtureRun(t, a, "ghl", 1)
	writeFixtureRun(t, b, "ghl", 2)
	ra, _ := LoadRun(a)
	rb, _ := LoadRun(b)
	c := CompareCurves([]Run{ra, rb})
	if c[0].Label == c[1].Label || c[0].Label != "ghl ("+filepath.Base(a)+")" {
		t.Errorf("labels %q %q must differ and name the directory", c[0].Label, c[1].Label)
	}
}
