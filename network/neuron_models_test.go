package network

import "testing"

// TestNeuronModelsListEveryModel: NeuronModels (what ghl list prints)
// names exactly the models the populations report.
func TestNeuronModelsListEveryModel(t *testing.T) {
	s, err := NewSim(SimConfig{DT: 1})
	if err != nil {
		t.Fatal(err)
	}
	var pops []Neurons
	add := func(p Neurons, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		pops = append(pops, p)
	}
	add(s.AddLIF("lif", 2, DefaultLIF()))
	add(s.AddIzhikevich("izh", 2, RegularSpiking()))
	add(s.AddPoisson("poisson", 2, 10))
	add(s.AddSpikeSource("src", 2, []int{0}, []float64{1}))
	add(s.AddEncoder("rate", 2, EncoderParams{Mode: "rate", MaxRateHz: 100}))
	add(s.AddEncoder("ttfs", 2, EncoderParams{Mode: "ttfs", WindowMS: 10}))
	listed := NeuronModels()
	if len(listed) != len(pops) {
		t.Fatalf("NeuronModels lists %d models, the engine has %d", len(listed), len(pops))
	}
	for i, p := range pops {
		if listed[i].Name != p.Model() || listed[i].Summary == "" {
			t.Errorf("model %d: listed %+v, population reports %q", i, listed[i], p.Model())
		}
	}
}
