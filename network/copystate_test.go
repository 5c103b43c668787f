package network_test

import (
	"testing"

	"ghlsim/backends/cpu"
	"ghlsim/network"
)

// TestPartialBatchTwinAllocatesNothing: a run that keeps the last, partial
// batch of each epoch takes that step on a twin network of the smaller
// batch, copying the state over and back (CopyStateFrom) and sharing the
// modulator sources. After warm-up an epoch's worth of steps — full steps,
// the copies and the partial step — makes no heap allocation, and the twin
// continues the run's step count and delay line.
func TestPartialBatchTwinAllocatesNothing(t *testing.T) {
	for _, c := range []struct{ rule, mod string }{{"ghl", "delay:2+flip:0.1"}, {"bp", ""}, {"sign", "grad-sign@neuron"}} {
		b := cpu.New(2)
		main := tinyNetBatch(t, b, c.rule, c.mod, 1, 4)
		tail := tinyNetBatch(t, b, c.rule, c.mod, 1, 3)
		if err := tail.ShareModulators(main); err != nil {
			t.Fatal(err)
		}
		x, y := batch(3, 4, 72, 3)
		xt, yt := batch(4, 3, 72, 3)
		h := network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}
		h.HiddenOpt.Kind, h.HiddenOpt.Momentum = "sgd", 0.9
		h.ReadoutOpt = h.HiddenOpt
		epoch := func() {
			for range 2 {
				if _, err := main.TrainStep(x, y, h); err != nil {
					t.Fatal(err)
				}
			}
			if err := tail.CopyStateFrom(main); err != nil {
				t.Fatal(err)
			}
			if _, err := tail.TrainStep(xt, yt, h); err != nil {
				t.Fatal(err)
			}
			if err := main.CopyStateFrom(tail); err != nil {
				t.Fatal(err)
			}
		}
		epoch()
		epoch()
		if main.Step() != 6 || tail.Step() != 6 {
			t.Fatalf("%s %s: steps %d and %d after two epochs of 3, want 6", c.rule, c.mod, main.Step(), tail.Step())
		}
		if allocs := testing.AllocsPerRun(3, epoch); allocs != 0 {
			t.Errorf("%s %s: %.1f allocations per epoch of 2 full steps and a partial one", c.rule, c.mod, allocs)
		}
		// The state the main network holds is the twin's after its step.
		a, w := main.SaveState(), tail.SaveState()
		for name, ta := range a {
			for i, v := range ta.Data {
				if w[name].Data[i] != v {
					t.Fatalf("%s: %s[%d] differs after the copy back", c.rule, name, i)
				}
			}
		}
	}
}

// TestPartialBatchTwinMatchesRestart: main and twin taking turns through
// CopyStateFrom give, bit for bit, the weights of a reference that rebuilds
// a fresh network of the step's batch size and restores the previous
// step's checkpoint before every step.
func TestPartialBatchTwinMatchesRestart(t *testing.T) {
	const mod = "delay:2+flip:0.2"
	h := network.Hyper{HiddenLR: 0.05, ReadoutLR: 0.05}
	h.HiddenOpt.Kind, h.HiddenOpt.Momentum = "sgd", 0.9
	h.ReadoutOpt = h.HiddenOpt
	sizes := []int{4, 4, 3, 4, 4, 3, 4}
	b := cpu.New(1)
	main := tinyNetBatch(t, b, "ghl", mod, 5, 4)
	tail := tinyNetBatch(t, b, "ghl", mod, 5, 3)
	if err := tail.ShareModulators(main); err != nil {
		t.Fatal(err)
	}
	for s, size := range sizes {
		x, y := batch(uint64(60+s), size, 72, 3)
		n := main
		if size == 3 {
			if err := tail.CopyStateFrom(main); err != nil {
				t.Fatal(err)
			}
			n = tail
		}
		if _, err := n.TrainStep(x, y, h); err != nil {
			t.Fatal(err)
		}
		if n == tail {
			if err := main.CopyStateFrom(tail); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := t.TempDir() + "/c.ckpt"
	var ref *network.Network
	for s, size := range sizes {
		n := tinyNetBatch(t, b, "ghl", mod, 5, size)
		if ref != nil {
			if err := ref.WriteCheckpoint(path, nil); err != nil {
				t.Fatal(err)
			}
			ck, err := network.ReadCheckpoint(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := n.RestoreCheckpoint(ck); err != nil {
				t.Fatal(err)
			}
		}
		x, y := batch(uint64(60+s), size, 72, 3)
		if _, err := n.TrainStep(x, y, h); err != nil {
			t.Fatal(err)
		}
		ref = n
	}
	a, w := main.SaveState(), ref.SaveState()
	for name, ta := range a {
		for i, v := range ta.Data {
			if w[name].Data[i] != v {
				t.Fatalf("%s[%d]: twin run %v, restart reference %v", name, i, v, w[name].Data[i])
			}
		}
	}
}
