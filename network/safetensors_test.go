package network_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ghlsim/backends"
	"ghlsim/network"
)

// TestSafetensorsRoundTrip writes tensors and metadata with
// WriteSafetensors and reads them back bit for bit, and checks the layout
// PyTorch's loader expects (8-aligned data, dtype F32).
func TestSafetensorsRoundTrip(t *testing.T) {
	in := network.SafetensorsFile{
		Tensors: map[string]network.HostTensor{
			"conv1.weight": {Shape: backends.Shape{2, 1, 2, 2}, Data: []float32{1, -2, 3.5, 0, 5, 6, 7, -8}},
			"fc.bias":      {Shape: backends.Shape{3}, Data: []float32{0.25, -0.5, 1e-30}},
		},
		Metadata: map[string]string{"format": "pt"},
	}
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := network.WriteSafetensors(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := network.ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Tensors, in.Tensors) || !reflect.DeepEqual(out.Metadata, in.Metadata) || out.Skipped != nil {
		t.Fatalf("read back %+v, wrote %+v", out, in)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b)
	if (8+n)%8 != 0 || !strings.Contains(string(b[8:8+n]), `"dtype":"F32"`) {
		t.Errorf("header %q: data not 8-aligned or dtype not F32", b[8:8+n])
	}
	if _, err := network.EncodeSafetensors(network.SafetensorsFile{Tensors: map[string]network.HostTensor{
		"bad": {Shape: backends.Shape{2, 2}, Data: []float32{1}}}}); err == nil {
		t.Error("a tensor with 4 elements in its shape and 1 value encoded without error")
	}
}

// torchLike is a safetensors file as PyTorch writes a state dict with a
// BatchNorm layer: an F32 weight and the I64 num_batches_tracked counter.
func torchLike(t *testing.T) []byte {
	t.Helper()
	header, err := json.Marshal(map[string]any{
		"bn.weight":              map[string]any{"dtype": "F32", "shape": []int{2}, "data_offsets": []int{0, 8}},
		"bn.num_batches_tracked": map[string]any{"dtype": "I64", "shape": []int{}, "data_offsets": []int{8, 16}},
	})
	if err != nil {
		t.Fatal(err)
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	b = binary.LittleEndian.AppendUint32(b, 0x3f800000) // 1
	b = binary.LittleEndian.AppendUint32(b, 0x40000000) // 2
	return binary.LittleEndian.AppendUint64(b, 7)
}

// TestSafetensorsOtherDTypes: an I64 tensor is an error naming it, unless
// SkipOtherDTypes, which lists it in Skipped and keeps the F32 tensors.
func TestSafetensorsOtherDTypes(t *testing.T) {
	b := torchLike(t)
	if _, err := network.DecodeSafetensors(b, network.SafetensorsOptions{}); err == nil || !strings.Contains(err.Error(), "bn.num_batches_tracked") {
		t.Errorf("decoding an I64 tensor: err = %v, want an error naming it", err)
	}
	f, err := network.DecodeSafetensors(b, network.SafetensorsOptions{SkipOtherDTypes: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"bn.num_batches_tracked": "I64"}; !reflect.DeepEqual(f.Skipped, want) {
		t.Errorf("Skipped = %v, want %v", f.Skipped, want)
	}
	if got := f.Tensors["bn.weight"]; !reflect.DeepEqual(got, network.HostTensor{Shape: backends.Shape{2}, Data: []float32{1, 2}}) {
		t.Errorf("bn.weight = %+v", got)
	}
	path := filepath.Join(t.TempDir(), "torch.safetensors")
	if err := os.WriteFile(path, b[:len(b)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := network.ReadSafetensorsWith(path, network.SafetensorsOptions{SkipOtherDTypes: true}); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("reading a truncated file: err = %v, want an error naming %s", err, path)
	}
}

// Reading a safetensors file — a run's weights.safetensors or a PyTorch
// export — and listing its tensors.
func ExampleReadSafetensors() {
	path := filepath.Join(os.TempDir(), "example.safetensors")
	defer os.Remove(path)
	err := network.WriteSafetensors(path, network.SafetensorsFile{
		Tensors: map[string]network.HostTensor{
			"fc.weight": {Shape: backends.Shape{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}},
			"fc.bias":   {Shape: backends.Shape{2}, Data: []float32{0.5, -0.5}},
		},
		Metadata: map[string]string{"format": "pt"},
	})
	if err != nil {
		panic(err)
	}
	f, err := network.ReadSafetensors(path)
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Metadata["format"], f.Tensors["fc.weight"].Shape, f.Tensors["fc.bias"].Data)
	// Output: pt [2×3] [0.5 -0.5]
}
