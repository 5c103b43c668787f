package backendtest

import (
	"testing"

	"ghlsim/backends"
)

// Conformance runs the conformance suite on a backend from open: every op of
// backends.Backend (and backends.HebbGradFuser when implemented) against the
// float64 references of this package on seeded random cases, every backward
// op against central finite differences, a hand-computed Oja-SWTA case, and
// run-to-run determinism. The backend is closed at the end.
func Conformance(t *testing.T, open func() backends.Backend) {
	bk := open()
	t.Cleanup(func() {
		if err := bk.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	suite := []struct {
		name string
		run  func(*testing.T, backends.Backend)
	}{
		{"Elementwise", testElementwise},
		{"Conv2D", testConv},
		{"Linear", testLinear},
		{"MaxPool2D", testMaxPool},
		{"AvgPool2D", testAvgPool},
		{"BatchNorm", testBatchNorm},
		{"Activation", testActivation},
		{"Dropout", testDropout},
		{"SoftmaxCrossEntropy", testLoss},
		{"OjaSWTA", testOja},
		{"OjaSWTAHand", testOjaHand},
		{"Conv2DBackwardWeightHebb", testFused},
		{"OjaGivenY", testOjaGiven},
		{"Updates", testUpdates},
		{"Determinism", testDeterminism},
	}
	for _, s := range suite {
		t.Run(s.name, func(t *testing.T) { s.run(t, bk) })
	}
}
