package network_test

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"ghlsim/backends/cpu"
	"ghlsim/internal/safetensors"
	"ghlsim/network"
)

// bnNet is a small network with a BN layer called "bn", as a PyTorch
// export names it.
func bnNet(t *testing.T, seed uint64) *network.Network {
	t.Helper()
	n := network.New(cpu.New(1), 2, seed)
	x := n.Input(1, 4, 4)
	h := n.BatchNorm(x, "bn", true)
	h = n.Conv(h, network.ConvSpec{Name: "conv1", Out: 2, Kernel: 3, Pad: 1})
	h = n.Flatten(h, "flat")
	n.Dense(h, network.DenseSpec{Name: "fc", Out: 3, Bias: true, Role: network.Readout})
	if err := n.Build(network.Rules{Hidden: "ghl"}); err != nil {
		t.Fatal(err)
	}
	return n
}

// writeTorchStyle writes f's F32 tensors plus I64 scalars named in i64 and
// extra F32 tensors, as torch's safetensors.save_file would.
func writeTorchStyle(t *testing.T, path string, f safetensors.File, i64 []string) {
	t.Helper()
	type entry struct {
		DType       string `json:"dtype"`
		Shape       []int  `json:"shape"`
		DataOffsets [2]int `json:"data_offsets"`
	}
	header := map[string]any{}
	var data []byte
	names := make([]string, 0, len(f.Tensors))
	for name := range f.Tensors {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		tn := f.Tensors[name]
		header[name] = entry{"F32", tn.Shape, [2]int{len(data), len(data) + 4*len(tn.Data)}}
		for _, v := range tn.Data {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
		}
	}
	for _, name := range i64 {
		header[name] = entry{"I64", []int{}, [2]int{len(data), len(data) + 8}}
		data = binary.LittleEndian.AppendUint64(data, 937)
	}
	hb, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hb)))
	out = append(append(out, hb...), data...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadWeightsIgnoreExtra: a file with tensors the network lacks — an
// I64 bn.num_batches_tracked as PyTorch writes it and an extra F32 tensor —
// used to be rejected; LoadWeightsWith{IgnoreExtra} loads the rest and
// lists the ignored names, LoadWeights still refuses, and a missing
// parameter is still an error.
func TestLoadWeightsIgnoreExtra(t *testing.T) {
	dir := t.TempDir()
	src := bnNet(t, 1)
	saved := filepath.Join(dir, "saved.safetensors")
	if err := src.WriteWeights(saved, nil); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	f.Tensors["fc.weight_momentum_buffer"] = safetensors.Tensor{Shape: []int{1}, Data: []float32{1}}
	torch := filepath.Join(dir, "torch.safetensors")
	writeTorchStyle(t, torch, f, []string{"bn.num_batches_tracked"})

	dst := bnNet(t, 2)
	if err := dst.LoadWeights(torch); err == nil || !strings.Contains(err.Error(), "num_batches_tracked") && !strings.Contains(err.Error(), "weight_momentum_buffer") {
		t.Errorf("LoadWeights without IgnoreExtra: got %v", err)
	}
	ignored, err := dst.LoadWeightsWith(torch, network.LoadOptions{IgnoreExtra: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"bn.num_batches_tracked", "fc.weight_momentum_buffer"}; !reflect.DeepEqual(ignored, want) {
		t.Errorf("ignored %q, want %q", ignored, want)
	}
	a, b := src.SaveState(network.KindWeight, network.KindBuffer), dst.SaveState(network.KindWeight, network.KindBuffer)
	if !reflect.DeepEqual(a, b) {
		t.Error("weights differ after loading")
	}

	delete(f.Tensors, "conv1.weight")
	partial := filepath.Join(dir, "partial.safetensors")
	writeTorchStyle(t, partial, f, []string{"bn.num_batches_tracked"})
	if _, err := dst.LoadWeightsWith(partial, network.LoadOptions{IgnoreExtra: true}); err == nil || !strings.Contains(err.Error(), "conv1.weight is missing") {
		t.Errorf("missing parameter with IgnoreExtra: got %v", err)
	}
}
