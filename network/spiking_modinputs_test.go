package network_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"ghlsim/backends/cpu"
	"ghlsim/network"
)

// A custom source on SpikingNet's channel reads the presentation's number,
// loss, correct count and labels, and the simulated time at the end of the
// presentation (Steps·DTMS per presentation).
func TestSpikingSourceSeesLossLabelsAndTime(t *testing.T) {
	p := network.SpikingParams{C: 1, H: 8, W: 8, Classes: 3, Channels: [2]int{2, 3}, TInv: [2]float32{1, 1}, Steps: 4, DTMS: 2.5,
		TauMMS: 5, Theta: 0.5, Width: 0.5, Encoding: "rate", MaxRate: 0.9, TauPreMS: 5, TauEMS: 20}
	n, err := network.NewSpikingNet(cpu.New(1), p, 2, 3, "ghl", "test-spy")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	img := make([]float32, 2*64)
	for k := 0; k < 2; k++ {
		for i := range img {
			img[i] = float32(r.Float64())
		}
		labels := []int32{int32(k), 2}
		spyLog = nil
		st, err := n.TrainStep(img, labels, network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01})
		if err != nil {
			t.Fatal(err)
		}
		if len(spyLog) != 2 {
			t.Fatalf("presentation %d: the source ran %d times, want once per conv layer", k, len(spyLog))
		}
		for _, s := range spyLog {
			if s.step != k || s.loss != st.Loss || s.correct != st.Correct || !slices.Equal(s.labels, labels) {
				t.Errorf("presentation %d %s: saw step %d loss %v correct %d labels %v; the step reported %v, %d, %v", k, s.group, s.step, s.loss, s.correct, s.labels, st.Loss, st.Correct, labels)
			}
			if want := float64(k+1) * 4 * 2.5; s.timeMS != want {
				t.Errorf("presentation %d %s: TimeMS %v, want %v (its end)", k, s.group, s.timeMS, want)
			}
		}
	}
}
