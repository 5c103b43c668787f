package plots

import (
	"math"
	"testing"

	"ghlsim/internal/runfiles"
)

// TestFiguresDegenerateInputs feeds each figure the smallest inputs a run in
// progress can produce; each must still give a well-formed SVG, not an
// error or a panic inside gonum/plot.
func TestFiguresDegenerateInputs(t *testing.T) {
	noLoss := fixtureEpochs(3, 0.5, 1)
	noAcc := fixtureEpochs(3, 0.5, 1)
	for i := range noLoss {
		noLoss[i].Loss = math.NaN()
		noAcc[i].TestAcc, noAcc[i].ValAcc, noAcc[i].TrainAcc = -1, -1, -1
	}
	oneRow := sweepTable()
	oneRow.Rows = oneRow.Rows[:1]
	zeros := plainTable()
	for i := range zeros.Rows {
		for j := range zeros.Rows[i].Cells {
			c := &zeros.Rows[i].Cells[j]
			c.Mean, c.Std, c.Paper = 0, 0, nil
		}
	}
	st := DefaultStyle()
	cases := map[string]func() ([]byte, error){
		"curves without loss":     func() ([]byte, error) { return LearningCurves([]Curve{{Label: "x", Epochs: noLoss}}, st) },
		"curves without accuracy": func() ([]byte, error) { return LearningCurves([]Curve{{Label: "x", Epochs: noAcc}}, st) },
		"sweep of one value":      func() ([]byte, error) { return SweepCurves(oneRow, "flip", st) },
		"bars all zero":           func() ([]byte, error) { return GroupedBars(zeros, st) },
		"raster of one step": func() ([]byte, error) {
			return PolarityRaster([]runfiles.Telemetry{{Step: 7, Layer: "conv1", Potentiated: 0.5}}, st)
		},
		"histogram of one value": func() ([]byte, error) { return Histograms([]HistPanel{{Title: "z", Values: []float64{0}}}, 0, st) },
		"bench without timings": func() ([]byte, error) {
			return Throughput([]runfiles.Bench{{Config: "a", Impl: "b", ImagesPerS: 5}}, st)
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := f()
			if err != nil {
				t.Fatal(err)
			}
			parseSVG(t, b)
		})
	}
}
