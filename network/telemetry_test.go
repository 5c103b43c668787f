package network_test

import (
	"math"
	"path/filepath"
	"testing"

	"ghlsim/backends/cpu"
	"ghlsim/internal/runfiles"
	"ghlsim/network"
)

func TestTelemetry(t *testing.T) {
	b := cpu.New(1)
	n := tinyNet(t, b, "ghl", 4)
	path := filepath.Join(t.TempDir(), runfiles.TelemetryFile)
	m := &network.Telemetry{Stride: 2, Path: path}
	h := network.Hyper{HiddenLR: 0.05, HiddenWD: 0.01, ReadoutLR: 0.05}
	for s := 0; s < 5; s++ {
		x, y := batch(uint64(s), 4, 2*6*6, 3)
		if _, err := n.TrainStep(x, y, h, m); err != nil {
			t.Fatal(err)
		}
	}
	if m.Err != nil {
		t.Fatal(m.Err)
	}
	// Steps 0, 2, 4 × two hidden groups.
	if len(m.Records) != 6 {
		t.Fatalf("%d records, want 6", len(m.Records))
	}
	for _, r := range m.Records {
		if r.Step%2 != 0 {
			t.Errorf("record at step %d with stride 2", r.Step)
		}
		// The paper's modulator is the gradient sign itself.
		if r.SignAgreement != 1 {
			t.Errorf("%s step %d: sign agreement %v, want 1 for grad-sign", r.Layer, r.Step, r.SignAgreement)
		}
		if s := r.Potentiated + r.Depressed + r.Unchanged; math.Abs(s-1) > 1e-12 || r.Potentiated == 0 || r.Depressed == 0 {
			t.Errorf("%s: shares %v %v %v", r.Layer, r.Potentiated, r.Depressed, r.Unchanged)
		}
		if r.HebbGradAgreement < 0 || r.HebbGradAgreement > 1 || r.WeightNorm <= 0 {
			t.Errorf("%s: hebb-grad agreement %v, norm %v", r.Layer, r.HebbGradAgreement, r.WeightNorm)
		}
		// 3 channels: entropy in (0, ln 3].
		if r.WinnerEntropy <= 0 || r.WinnerEntropy > math.Log(3)+1e-9 {
			t.Errorf("%s: winner entropy %v", r.Layer, r.WinnerEntropy)
		}
	}
	recs, err := runfiles.ReadJSONL[runfiles.Telemetry](path)
	if err != nil || len(recs) != 6 {
		t.Fatalf("telemetry.jsonl: %d records, %v", len(recs), err)
	}
}
