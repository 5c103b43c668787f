package plots

import (
	"errors"
	"math"
	"testing"

	"ghlsim/internal/runfiles"
)

func TestPolarityRaster(t *testing.T) {
	var tel []runfiles.Telemetry
	for step := 5; step <= 50; step += 5 {
		tel = append(tel,
			runfiles.Telemetry{Step: step, Layer: "conv1", Potentiated: 0.5},
			runfiles.Telemetry{Step: step, Layer: "conv2", Potentiated: 0.6},
			runfiles.Telemetry{Step: step, Layer: "fc", Potentiated: 0.4})
	}
	tel = append(tel, runfiles.Telemetry{Step: 55, Layer: "conv1", Potentiated: math.NaN()}) // ignored
	b, err := PolarityRaster(tel, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	if n := d.count("rect", hasClass("cell")); n != 3*10 {
		t.Errorf("%d cells, want 3 layers × 10 steps", n)
	}
	if n := d.count("rect", hasClass("cbar")); n != 50 {
		t.Errorf("%d colour-bar segments, want 50", n)
	}
	for _, s := range []string{"conv1", "conv2", "fc", "layer", "training step", "potentiated share", "0.4", "0.5", "0.6"} {
		if !d.hasText(s) {
			t.Errorf("no text %q in %v", s, d.texts())
		}
	}
	// 0.5 is the neutral white; 0.6 and 0.4 are the ends of the symmetric scale.
	fills := map[string]int{}
	for _, e := range d.elems {
		if e.attrs["class"] == "cell" {
			fills[e.attrs["fill"]]++
		}
	}
	for _, c := range []string{"#f7f7f7", hexColor(OkabeIto[6]), hexColor(OkabeIto[5])} {
		if fills[c] != 10 {
			t.Errorf("%d cells of %s, want 10 (fills %v)", fills[c], c, fills)
		}
	}
	if m := d.minFontPt(t); m < 8 {
		t.Errorf("smallest font %.1f pt", m)
	}
}

func TestPolarityRasterBinsLongRuns(t *testing.T) {
	var tel []runfiles.Telemetry
	for step := 1; step <= 1000; step++ {
		tel = append(tel, runfiles.Telemetry{Step: step, Layer: "conv1", Potentiated: 0.5 + 0.1*math.Sin(float64(step)/100)})
	}
	b, err := PolarityRaster(tel, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	if n := parseSVG(t, b).count("rect", hasClass("cell")); n != maxRasterColumns {
		t.Errorf("%d cells, want %d bins", n, maxRasterColumns)
	}
	if _, err := PolarityRaster(nil, DefaultStyle()); !errors.Is(err, ErrNoData) {
		t.Errorf("no telemetry: %v, want ErrNoData", err)
	}
}
