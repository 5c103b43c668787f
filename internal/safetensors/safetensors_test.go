package safetensors

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := File{
		Tensors: map[string]Tensor{
			"conv1.weight": {Shape: []int{2, 1, 2, 2}, Data: []float32{1, -2, 3.5, 0, 5, 6, 7, -8}},
			"fc.bias":      {Shape: []int{3}, Data: []float32{0.25, -0.5, 1e-30}},
		},
		Metadata: map[string]string{"format": "pt"},
	}
	b, err := Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	hlen := binary.LittleEndian.Uint64(b)
	if (8+hlen)%8 != 0 {
		t.Errorf("data section not 8-aligned: header %d", hlen)
	}
	out, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if out.Metadata["format"] != "pt" {
		t.Errorf("metadata lost: %v", out.Metadata)
	}
	for name, want := range in.Tensors {
		got := out.Tensors[name]
		if len(got.Data) != len(want.Data) || len(got.Shape) != len(want.Shape) {
			t.Fatalf("%s: got %v", name, got)
		}
		for i := range want.Data {
			if got.Data[i] != want.Data[i] {
				t.Errorf("%s[%d] = %v, want %v", name, i, got.Data[i], want.Data[i])
			}
		}
	}
	// The header JSON must name the F32 dtype exactly as PyTorch's loader expects.
	if !bytes.Contains(b, []byte(`"dtype":"F32"`)) {
		t.Error("header lacks dtype F32")
	}
}

func TestDecodeRejectsBadInput(t *testing.T) {
	good, _ := Encode(File{Tensors: map[string]Tensor{"w": {Shape: []int{4}, Data: []float32{1, 2, 3, 4}}}})
	cases := map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)-3],
		"huge header": func() []byte {
			b := make([]byte, 16)
			binary.LittleEndian.PutUint64(b, 1<<40)
			return b
		}(),
		"not json": append([]byte{4, 0, 0, 0, 0, 0, 0, 0}, []byte("abcd")...),
	}
	for name, b := range cases {
		if _, err := Decode(b); err == nil || !strings.HasPrefix(err.Error(), "safetensors:") {
			t.Errorf("%s: want a safetensors error, got %v", name, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	good, _ := Encode(File{Tensors: map[string]Tensor{"w": {Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}}})
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		Decode(b) // must not panic
	})
}
