package network_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/backends/cpu"
	"ghlsim/internal/safetensors"
	"ghlsim/network"
)

func TestCheckpointRejectsDamage(t *testing.T) {
	n := trainSteps(t, "ghl", 3, 2)
	dir := t.TempDir()
	path := filepath.Join(dir, "c.ckpt")
	if err := n.WriteCheckpoint(path, nil); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	flip := append([]byte(nil), good...)
	flip[len(flip)-5] ^= 0x40 // one bit of the last tensor's data
	f, _ := safetensors.Decode(good)
	f.Metadata["ghlsim_checkpoint"] = "99"
	future, _ := safetensors.Encode(f)
	delete(f.Metadata, "ghlsim_checkpoint")
	foreign, _ := safetensors.Encode(f)
	cases := map[string]struct {
		data []byte
		want string
	}{
		"truncated":        {good[:len(good)/2], "damaged"},
		"bit flip":         {flip, "checksum mismatch"},
		"version mismatch": {future, "format version 99"},
		"not a checkpoint": {foreign, "not a ghlsim checkpoint"},
		"empty":            {nil, "damaged"},
	}
	for name, c := range cases {
		p := filepath.Join(dir, name)
		os.WriteFile(p, c.data, 0o644)
		_, err := network.ReadCheckpoint(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v (want %q and the path)", name, err, c.want)
		}
	}
	// A checkpoint of another architecture does not restore.
	ck, err := network.ReadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	other := network.New(cpu.New(1), 4, 1)
	x := other.Input(2, 6, 6)
	h := other.Flatten(x, "flat")
	other.Dense(h, network.DenseSpec{Name: "fc", Out: 3, Bias: true, Role: network.Readout})
	if err := other.Build(network.Rules{Hidden: "ghl"}); err != nil {
		t.Fatal(err)
	}
	if err := other.RestoreCheckpoint(ck); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("restoring into another architecture: %v", err)
	}
}

func FuzzDecodeCheckpoint(f *testing.F) {
	n := trainSteps(f, "ghl", 3, 1)
	path := filepath.Join(f.TempDir(), "c.ckpt")
	if err := n.WriteCheckpoint(path, map[string]string{"epoch": "0"}); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	f.Add(good)
	f.Add(good[:100])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := network.DecodeCheckpoint(b)
		if err == nil && c.Step < 0 {
			t.Fatalf("accepted a negative step")
		}
	})
}
