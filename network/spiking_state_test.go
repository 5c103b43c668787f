package network

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"ghlsim/backends/cpu"
	"ghlsim/synapse"
)

// A SpikingNet checkpoint holds everything the next presentation depends
// on: weights, the readout's momentum, the kept eligibility and the delayed
// modulator's pending signs. Training two presentations, saving, and
// training two more equals restoring that checkpoint into a fresh network
// and training the same two, bit for bit.
func TestSpikingCheckpointResumesBitIdentically(t *testing.T) {
	p := SpikingParams{C: 1, H: 8, W: 8, Classes: 3, Channels: [2]int{2, 3}, TInv: [2]float32{1, 1}, Steps: 4, DTMS: 1,
		TauMMS: 5, Theta: 0.5, Width: 0.5, Encoding: "rate", MaxRate: 0.9, TauPreMS: 5, TauEMS: 20, LatencyMS: 8, KeepEligibility: true}
	r := rand.New(rand.NewPCG(9, 9))
	batches := make([][]float32, 4)
	for i := range batches {
		batches[i] = make([]float32, 2*64)
		for j := range batches[i] {
			batches[i][j] = float32(r.Float64())
		}
	}
	labels := []int32{1, 2}
	newNet := func() *SpikingNet {
		n, err := NewSpikingNet(cpu.New(1), p, 2, 5, "ghl", "flip:0.2+grad-sign")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	h := Hyper{HiddenLR: 0.05, ReadoutLR: 0.05, ReadoutOpt: synapse.Optimizer{Kind: "sgd", Momentum: 0.9}}
	a := newNet()
	for _, x := range batches[:2] {
		if _, err := a.TrainStep(x, labels, h); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "spiking.ckpt")
	if err := a.WriteCheckpoint(path, map[string]string{"epoch": "0"}); err != nil {
		t.Fatal(err)
	}
	for _, x := range batches[2:] {
		if _, err := a.TrainStep(x, labels, h); err != nil {
			t.Fatal(err)
		}
	}
	ck, err := ReadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Step != 2 || ck.Meta["epoch"] != "0" {
		t.Fatalf("checkpoint step %d meta %v", ck.Step, ck.Meta)
	}
	b := newNet()
	if err := b.RestoreCheckpoint(ck); err != nil {
		t.Fatal(err)
	}
	for _, x := range batches[2:] {
		if _, err := b.TrainStep(x, labels, h); err != nil {
			t.Fatal(err)
		}
	}
	sa, sb := a.SaveState(), b.SaveState()
	if len(sa) != len(sb) || len(sa) < 8 {
		t.Fatalf("state has %d and %d tensors", len(sa), len(sb))
	}
	for name, ta := range sa {
		tb := sb[name]
		for i := range ta.Data {
			if ta.Data[i] != tb.Data[i] {
				t.Fatalf("%s[%d]: %v uninterrupted, %v resumed", name, i, ta.Data[i], tb.Data[i])
			}
		}
	}
	// a checkpoint of another shape is refused, naming the tensor
	p.Channels = [2]int{3, 3}
	c, err := NewSpikingNet(cpu.New(1), p, 2, 5, "ghl", "flip:0.2+grad-sign")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RestoreCheckpoint(ck); err == nil {
		t.Fatal("a checkpoint of a narrower network was accepted")
	} else {
		t.Log(err)
	}
}

// After warm-up a SpikingNet presentation allocates nothing on the heap,
// for every conv rule it runs (rstdp and a delayed, flipped sign included).
func TestSpikingStepAllocatesNothing(t *testing.T) {
	p := SpikingParams{C: 1, H: 8, W: 8, Classes: 3, Channels: [2]int{2, 3}, TInv: [2]float32{1, 1}, Steps: 4, DTMS: 1,
		TauMMS: 5, Theta: 0.5, Width: 0.5, Encoding: "rate", MaxRate: 0.9, TauPreMS: 5, TauEMS: 20, LatencyMS: 8, STDPDepression: 0.75}
	r := rand.New(rand.NewPCG(2, 2))
	img := randomImages(r, 2*64)
	labels := []int32{0, 1}
	for _, label := range []string{"ghl", "sign", "hebb", "bp", "rstdp", "ghl/lateral"} {
		p, rule := p, label
		if label == "ghl/lateral" {
			rule, p.Competition, p.Inhibition = "ghl", "lateral", DefaultInhibition
		}
		n, err := NewSpikingNet(cpu.New(1), p, 2, 5, rule, "flip:0.1+grad-sign")
		if err != nil {
			t.Fatal(err)
		}
		h := Hyper{HiddenLR: 0.01, ReadoutLR: 0.01, HiddenOpt: synapse.PlainSGD, ReadoutOpt: synapse.Optimizer{Kind: "sgd", Momentum: 0.9}}
		for k := 0; k < 3; k++ {
			if _, err := n.TrainStep(img, labels, h); err != nil {
				t.Fatal(err)
			}
		}
		if a := testing.AllocsPerRun(5, func() {
			if _, err := n.TrainStep(img, labels, h); err != nil {
				t.Fatal(err)
			}
		}); a != 0 {
			t.Errorf("%s: %v heap allocations per presentation", label, a)
		}
	}
}
