package plots

import (
	"errors"
	"math"
	"testing"

	"ghlsim/internal/runfiles"
)

func TestLearningCurves(t *testing.T) {
	curves := []Curve{
		{Label: "A", Rule: "ghl", Epochs: fixtureEpochs(5, 0.8, 1)},
		{Label: "B", Rule: "bp", Epochs: fixtureEpochs(5, 0.9, 2)},
		{Label: "C", Rule: "GHL", Epochs: fixtureEpochs(3, 0.7, 3)}, // same colour as A: gets glyphs
	}
	b, err := LearningCurves(curves, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	for _, s := range []string{"A", "B", "C", "test", "validation", "train", "epoch", "training loss (nats)", "accuracy (%)"} {
		if n := d.countText(s); n != 1 {
			t.Errorf("text %q appears %d times, want once", s, n)
		}
	}
	ghl, bp := hexColor(RuleColor("ghl")), hexColor(RuleColor("bp"))
	// per run: 1 loss line + 3 accuracy lines; plus one legend line per label.
	if n := d.strokes(ghl, "1.2"); n != 2*4+2 {
		t.Errorf("%d stroked paths in the GHL colour, want 10 (8 curves + 2 legend lines)", n)
	}
	if n := d.strokes(bp, "1.2"); n != 4+1 {
		t.Errorf("%d stroked paths in the BP colour, want 5", n)
	}
	// C's glyphs (filled circles): at most 12 per series, 4 series of 3 points, plus the legend's.
	if n := d.fills(ghl); n != 4*3+1 {
		t.Errorf("%d filled glyphs in the GHL colour, want 13", n)
	}
	if d.width != "252pt" {
		t.Errorf("width %q, want 252pt (3.5 in)", d.width)
	}
	if m := d.minFontPt(t); m < 8 {
		t.Errorf("smallest font %.1f pt < 8 pt", m)
	}
}

func TestLearningCurvesManyRunsDrawTestOnly(t *testing.T) {
	var curves []Curve
	for i, r := range []string{"ghl", "bp", "sign", "hebb", "softhebb"} {
		curves = append(curves, Curve{Label: r, Rule: r, Epochs: fixtureEpochs(4, 0.6, uint64(i))})
	}
	b, err := LearningCurves(curves, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	if d.hasText("validation") || d.hasText("train") || !d.hasText("test") {
		t.Errorf("with 5 runs only test accuracy is drawn; legend: %v", d.texts())
	}
	for _, r := range []string{"ghl", "bp", "sign", "hebb", "softhebb"} {
		// loss + test line + legend line
		if n := d.strokes(hexColor(RuleColor(r)), "1.2"); n != 3 {
			t.Errorf("%s: %d stroked paths, want 3", r, n)
		}
	}
}

func TestLearningCurvesSkipsUnmeasured(t *testing.T) {
	eps := fixtureEpochs(3, 0.5, 1)
	for i := range eps {
		eps[i].ValAcc = -1 // no validation split
		eps[i].TrainAcc = math.NaN()
	}
	b, err := LearningCurves([]Curve{{Label: "x", Rule: "ghl", Epochs: eps}}, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	if d.hasText("validation") || d.hasText("train") {
		t.Error("unmeasured series must not get a legend entry")
	}
	if n := d.strokes(hexColor(RuleColor("ghl")), "1.2"); n != 3 {
		t.Errorf("%d GHL lines, want loss + test + legend = 3", n)
	}

	if _, err := LearningCurves(nil, DefaultStyle()); !errors.Is(err, ErrNoData) {
		t.Errorf("no curves: %v, want ErrNoData", err)
	}
	empty := []runfiles.Epoch{{Epoch: 1, Loss: math.NaN(), TrainAcc: -1, ValAcc: -1, TestAcc: -1}}
	if _, err := LearningCurves([]Curve{{Label: "x", Epochs: empty}}, DefaultStyle()); !errors.Is(err, ErrNoData) {
		t.Errorf("nothing measured: %v, want ErrNoData", err)
	}
	if _, err := LearningCurves([]Curve{{Label: "x", Epochs: eps}}, Style{Width: 252, Height: 170, FontSize: 6, LineWidth: 1}); err == nil {
		t.Error("a 6 pt style must be rejected")
	}
}

func TestLearningCurvesSingleEpoch(t *testing.T) {
	b, err := LearningCurves([]Curve{{Label: "x", Rule: "ghl", Epochs: fixtureEpochs(1, 0.5, 1)}}, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	// Filled dots for the loss and the test accuracy; validation is a ring, train a cross.
	if n := d.fills(hexColor(RuleColor("ghl"))); n != 2 {
		t.Errorf("%d filled dots in the GHL colour, want 2", n)
	}
	if n := d.strokes(hexColor(RuleColor("ghl")), ""); n < 1+2+1 {
		t.Errorf("%d GHL strokes, want the legend line, a ring and a cross", n)
	}
}

func TestEpochAxis(t *testing.T) {
	// A Hebbian phase then a readout phase that restarts its count.
	eps := []runfiles.Epoch{{Epoch: 1, Phase: "hebbian"}, {Epoch: 1, Phase: "readout"}, {Epoch: 2, Phase: "readout"}}
	if got := epochAxis(eps); got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Errorf("restarted count: %v, want 1 2 3", got)
	}
	eps = []runfiles.Epoch{{Epoch: 2}, {Epoch: 4}, {Epoch: 6}}
	if got := epochAxis(eps); got[0] != 2 || got[2] != 6 {
		t.Errorf("increasing epochs: %v, want 2 4 6", got)
	}
}
