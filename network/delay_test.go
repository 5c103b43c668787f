package network_test

import (
	"strings"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/network"
)

// buildMod builds the tiny network with a modulator and run limits.
func buildMod(mod string, steps int, limit int64) error {
	n := network.New(cpu.New(1), 4, 1)
	x := n.Input(2, 6, 6)
	h := n.Conv(x, network.ConvSpec{Name: "conv1", Out: 3, Kernel: 3, Pad: 1, TInv: 1})
	h = n.Flatten(h, "flat")
	n.Dense(h, network.DenseSpec{Name: "fc", Out: 3, Bias: true, Init: network.InitUniform, Role: network.Readout})
	return n.Build(network.Rules{Hidden: "ghl", Modulator: mod, Steps: steps, DelayMemory: limit})
}

// TestBuildRefusesDelaysBeforeAllocating: a delay of at least the run's
// steps, or one whose line passes the memory limit, is refused by Build
// with K and the limit named, without allocating the line (delay:10⁹ used
// to grow until the OOM killer stopped it).
func TestBuildRefusesDelaysBeforeAllocating(t *testing.T) {
	for _, tc := range []struct {
		mod   string
		steps int
		limit int64
		want  []string
	}{
		{"delay:1000000000", 0, 0, []string{"1000000000 steps", "over the limit of 1.00 GiB"}},
		{"delay:100", 50, 0, []string{"100 steps", "run's 50 steps"}},
		{"flip:0.1+delay:30+delay:30", 50, 0, []string{"60 steps", "run's 50 steps"}},
		{"delay:2000", 0, 64 << 10, []string{"2000 steps", "over the limit of 64.00 KiB"}},
	} {
		err := buildMod(tc.mod, tc.steps, tc.limit)
		if err == nil {
			t.Errorf("%s: built", tc.mod)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v\nwant it to say %q", tc.mod, err, w)
			}
		}
	}
	if err := buildMod("delay:49", 50, 0); err != nil {
		t.Errorf("delay:49 in a 50-step run: %v", err)
	}
}

// TestOldDelayCheckpointRefused: a checkpoint holding the float32 delay
// buffers of earlier versions is refused with a message saying so, not as
// an unknown tensor of a "different architecture".
func TestOldDelayCheckpointRefused(t *testing.T) {
	n := tinyNetMod(t, cpu.New(1), "ghl", "delay:2", 3)
	path := t.TempDir() + "/c.ckpt"
	if err := n.WriteCheckpoint(path, nil); err != nil {
		t.Fatal(err)
	}
	ck, err := network.ReadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	delete(ck.Tensors, "conv1.modulator_delay.0")
	delete(ck.Tensors, "conv2.modulator_delay.0")
	for i := range 3 {
		ck.Tensors["conv1.modulator_state."+string(rune('0'+i))] = network.HostTensor{Shape: backends.Shape{3, 2, 3, 3}, Data: make([]float32, 54)}
	}
	err = tinyNetMod(t, cpu.New(1), "ghl", "delay:2", 3).RestoreCheckpoint(ck)
	if err == nil || !strings.Contains(err.Error(), "old float32 layout") || !strings.Contains(err.Error(), "modulator_state") {
		t.Fatalf("old delay checkpoint: %v", err)
	}
}
