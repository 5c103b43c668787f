package plots

import (
	"errors"
	"math"
	"slices"
	"testing"

	"ghlsim/network"
)

func TestHistograms(t *testing.T) {
	panels := []HistPanel{
		{Title: "a", XLabel: "value (a.u.)", Values: []float64{0, 0, 1, 2, 3, 3, 3}},
		{Title: "b", XLabel: "value (a.u.)", Values: []float64{5, 5, 5}}, // constant: still drawn
		{Title: "c", XLabel: "value (a.u.)", Values: []float64{math.NaN(), 1, 2}},
		{Title: "empty", Values: []float64{math.Inf(1)}}, // nothing finite: dropped
	}
	b, err := Histograms(panels, 4, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	if n := d.count("g", hasClass("panel")); n != 3 {
		t.Errorf("%d panels, want 3", n)
	}
	// a: bins [0,.75) [.75,1.5) [1.5,2.25) [2.25,3] hold 2,1,1,3; b: one bin; c: two bins.
	if n := d.count("rect", hasClass("bar")); n != 4+1+2 {
		t.Errorf("%d bars, want 7", n)
	}
	for _, s := range []string{"a", "b", "c", "value (a.u.)", "count", "3"} {
		if !d.hasText(s) {
			t.Errorf("no text %q in %v", s, d.texts())
		}
	}
	if d.hasText("empty") {
		t.Error("a panel without finite values must be dropped")
	}
	if m := d.minFontPt(t); m < 8 {
		t.Errorf("smallest font %.1f pt", m)
	}
	uniform := make([]float64, 1000)
	for i := range uniform {
		uniform[i] = float64(i)
	}
	b, err = Histograms([]HistPanel{{Title: "u", Values: uniform}}, 0, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	if n := parseSVG(t, b).count("rect", hasClass("bar")); n != 20 {
		t.Errorf("automatic bins for 1000 values: %d bars, want 2·1000^⅓ = 20", n)
	}
	if _, err := Histograms(panels[3:], 0, DefaultStyle()); !errors.Is(err, ErrNoData) {
		t.Errorf("no finite values: %v, want ErrNoData", err)
	}
}

func TestWeightAndEligibilityPanels(t *testing.T) {
	f := network.SafetensorsFile{Tensors: map[string]network.HostTensor{
		// two neurons with norms 5 and 1
		"conv10.weight":      {Shape: []int{2, 1, 1, 2}, Data: []float32{3, 4, 0, 1}},
		"conv2.weight":       {Shape: []int{1, 1, 1, 1}, Data: []float32{2}},
		"bn1.weight":         {Shape: []int{4}, Data: []float32{1, 1, 1, 1}}, // 1-D: no norm panel
		"conv2.eligibility":  {Shape: []int{1, 1, 1, 1}, Data: []float32{0.25}},
		"conv10.eligibility": {Shape: []int{2, 1, 1, 2}, Data: []float32{1, -1, 0.5, 0}},
	}}
	w := WeightNormPanels(f)
	if len(w) != 2 || w[0].Title != "conv2 (1 neurons)" || w[1].Title != "conv10 (2 neurons)" {
		t.Fatalf("weight panels %+v", w)
	}
	if !slices.Equal(w[1].Values, []float64{5, 1}) {
		t.Errorf("conv10 norms %v, want [5 1]", w[1].Values)
	}
	e := EligibilityPanels(f)
	if len(e) != 2 || e[0].Title != "conv2 (1 synapses)" || len(e[1].Values) != 4 || e[1].Values[1] != -1 {
		t.Errorf("eligibility panels %+v", e)
	}
}
