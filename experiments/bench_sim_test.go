package experiments

import (
	"io"
	"testing"
)

// ghl bench --sim's ghlsim side: a short run reports rates, memory and no
// per-step allocations, with Brian2 off.
func TestBenchSimGhlsimOnly(t *testing.T) {
	rep, err := BenchSim(BenchSimConfig{Seconds: 0.5, Python: "off"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 1 {
		t.Fatalf("%d rows, want ghlsim only", len(rep.Rows))
	}
	r := rep.Rows[0]
	if r.WallPerSimS <= 0 || r.Spikes <= 0 || r.Events < 50*r.Spikes || r.BytesPerSyn <= 0 || r.BytesPerSyn > 32 {
		t.Fatalf("implausible row %+v", r)
	}
	if _, err := BenchSim(BenchSimConfig{Seconds: -1, Python: "off"}, io.Discard); err == nil {
		t.Fatal("negative duration accepted")
	}
}
