package network

import (
	"ghlsim/backends"
	"ghlsim/internal/runfiles"
	"ghlsim/internal/safetensors"
)

// SafetensorsFile is the content of a safetensors file
// (https://huggingface.co/docs/safetensors) as ghlsim reads and writes it:
// float32 tensors by name in PyTorch layout (the names and layouts of
// WriteWeights, e.g. conv1.weight [K, C, kh, kw], fc.weight [out, in],
// conv1.eligibility), and the header's "__metadata__" string map. Files
// written by WriteSafetensors load with safetensors.torch.load_file and
// numpy; weights.safetensors of a run directory and PyTorch exports read
// with ReadSafetensors.
type SafetensorsFile struct {
	// Tensors maps each tensor's name to its shape and row-major data.
	Tensors map[string]HostTensor
	// Metadata is the header's "__metadata__" map (nil when absent).
	Metadata map[string]string
	// Skipped lists the tensors of dtypes other than F32 (name → dtype, e.g.
	// PyTorch's I64 bn1.num_batches_tracked) that a read with
	// SafetensorsOptions.SkipOtherDTypes left out of Tensors.
	Skipped map[string]string
}

// SafetensorsOptions modify ReadSafetensorsWith and DecodeSafetensors.
type SafetensorsOptions struct {
	// SkipOtherDTypes leaves tensors whose dtype is not F32 out of Tensors,
	// listing them in Skipped, instead of failing. Their offsets are still
	// checked.
	SkipOtherDTypes bool
}

// ReadSafetensors reads a safetensors file of F32 tensors; a tensor of any
// other dtype, a truncated file or a malformed header is an error naming
// the file and the tensor.
func ReadSafetensors(path string) (SafetensorsFile, error) {
	return ReadSafetensorsWith(path, SafetensorsOptions{})
}

// ReadSafetensorsWith is ReadSafetensors with options.
func ReadSafetensorsWith(path string, o SafetensorsOptions) (SafetensorsFile, error) {
	f, err := safetensors.ReadFileWith(path, safetensors.Options{SkipOtherDTypes: o.SkipOtherDTypes})
	return fromSafetensors(f), err
}

// DecodeSafetensors parses the bytes of a safetensors file.
func DecodeSafetensors(b []byte, o SafetensorsOptions) (SafetensorsFile, error) {
	f, err := safetensors.DecodeWith(b, safetensors.Options{SkipOtherDTypes: o.SkipOtherDTypes})
	return fromSafetensors(f), err
}

// EncodeSafetensors serialises f's tensors (as F32, in name order, the data
// section 8-byte aligned) and metadata; f.Skipped is ignored. A tensor
// whose shape does not match its data length is an error.
func EncodeSafetensors(f SafetensorsFile) ([]byte, error) {
	return safetensors.Encode(toFile(f.Tensors, f.Metadata))
}

// WriteSafetensors writes f to path atomically (a temporary file, fsync,
// rename), as EncodeSafetensors lays it out.
func WriteSafetensors(path string, f SafetensorsFile) error {
	b, err := EncodeSafetensors(f)
	if err != nil {
		return err
	}
	return runfiles.WriteFileAtomic(path, b)
}

// fromSafetensors converts the internal decoder's result (sharing the data).
func fromSafetensors(f safetensors.File) SafetensorsFile {
	out := SafetensorsFile{Tensors: make(map[string]HostTensor, len(f.Tensors)), Metadata: f.Metadata, Skipped: f.Skipped}
	for name, t := range f.Tensors {
		out.Tensors[name] = HostTensor{Shape: backends.Shape(t.Shape), Data: t.Data}
	}
	return out
}
