package experiments

import (
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
)

// BenchSpiking measures every rule it is given: positive throughput and
// event rates, the per-synapse memory, and no allocation per presentation.
func TestBenchSpiking(t *testing.T) {
	cfg := BenchSpikingConfig{Rules: []string{"ghl", "rstdp"}, Batch: 2, Steps: 3, Repeats: 2, Backend: "cpu",
		OpenBackend: func(string) (backends.Backend, error) { return cpu.New(1), nil }}
	rep, err := BenchSpiking(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 2 {
		t.Fatalf("%d rows", len(rep.Rows))
	}
	for _, r := range rep.Rows {
		if !(r.ImagesPerS > 0) || r.Events <= 0 || !(r.EventsPerS > 0) || r.Synapses != 16*25+32*16*25 || r.BytesPerSyn < 16 || r.AllocsPerStep != 0 {
			t.Errorf("%+v", r)
		}
	}
	cfg.Rules, cfg.Competition = []string{"ghl"}, "lateral"
	if rep, err = BenchSpiking(cfg, nil); err != nil || rep.Competition != "lateral" || rep.Rows[0].AllocsPerStep != 0 {
		t.Fatalf("lateral: %+v, %v", rep, err)
	}
	cfg.Competition = "wta"
	if _, err := BenchSpiking(cfg, nil); err == nil {
		t.Error("unknown competition accepted")
	}
	cfg.Competition, cfg.Steps = "", 0
	if _, err := BenchSpiking(cfg, nil); err == nil {
		t.Error("steps 0 accepted")
	}
}
