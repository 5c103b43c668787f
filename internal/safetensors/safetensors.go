package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// Tensor is one named float32 array with its shape (row-major).
type Tensor struct {
	Shape []int
	Data  []float32
}

// File is the content of a safetensors file.
type File struct {
	Tensors  map[string]Tensor
	Metadata map[string]string
	// Skipped lists the tensors of other dtypes (name → dtype) that
	// DecodeWith left out because Options.SkipOtherDTypes was set.
	Skipped map[string]string
}

// Options modify DecodeWith and ReadFileWith.
type Options struct {
	// SkipOtherDTypes leaves tensors whose dtype is not F32 (PyTorch's I64
	// bn.num_batches_tracked, …) out of Tensors, listing them in Skipped,
	// instead of failing. Their offsets are still checked.
	SkipOtherDTypes bool
}

// dtypeSize is the element size of the safetensors dtypes (0: unknown).
func dtypeSize(dtype string) int {
	switch dtype {
	case "F64", "I64", "U64":
		return 8
	case "F32", "I32", "U32":
		return 4
	case "F16", "BF16", "I16", "U16":
		return 2
	case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2":
		return 1
	}
	return 0
}

type entry struct {
	DType       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets [2]int `json:"data_offsets"`
}

// maxHeader bounds the JSON header so a corrupt length cannot exhaust memory.
const maxHeader = 100 << 20

// Encode serialises f. Tensors are laid out in name order.
func Encode(f File) ([]byte, error) {
	names := make([]string, 0, len(f.Tensors))
	for n := range f.Tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{}
	if len(f.Metadata) > 0 {
		header["__metadata__"] = f.Metadata
	}
	off := 0
	for _, n := range names {
		t := f.Tensors[n]
		count := 1
		for _, d := range t.Shape {
			count *= d
		}
		if count != len(t.Data) {
			return nil, fmt.Errorf("safetensors: tensor %q has shape %v but %d values", n, t.Shape, len(t.Data))
		}
		header[n] = entry{DType: "F32", Shape: append([]int{}, t.Shape...), DataOffsets: [2]int{off, off + 4*count}}
		off += 4 * count
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	for len(hb)%8 != 0 { // align the data section, as the reference writer does
		hb = append(hb, ' ')
	}
	out := make([]byte, 8+len(hb)+off)
	binary.LittleEndian.PutUint64(out, uint64(len(hb)))
	copy(out[8:], hb)
	p := 8 + len(hb)
	for _, n := range names {
		for _, v := range f.Tensors[n].Data {
			binary.LittleEndian.PutUint32(out[p:], math.Float32bits(v))
			p += 4
		}
	}
	return out, nil
}

// Decode parses a safetensors byte slice. Only F32 tensors are accepted.
func Decode(b []byte) (File, error) { return DecodeWith(b, Options{}) }

// DecodeWith is Decode with options.
func DecodeWith(b []byte, o Options) (File, error) {
	f := File{Tensors: map[string]Tensor{}}
	if len(b) < 8 {
		return f, errors.New("safetensors: file shorter than its 8-byte header length (truncated or not a safetensors file)")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > maxHeader || n > uint64(len(b)-8) {
		return f, fmt.Errorf("safetensors: header length %d does not fit the %d-byte file (truncated or not a safetensors file)", n, len(b))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &raw); err != nil {
		return f, fmt.Errorf("safetensors: header is not valid JSON: %w", err)
	}
	data := b[8+n:]
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return f, fmt.Errorf("safetensors: __metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		var e entry
		if err := json.Unmarshal(msg, &e); err != nil {
			return f, fmt.Errorf("safetensors: tensor %q: bad header entry: %w", name, err)
		}
		size := 4
		if e.DType != "F32" {
			if size = dtypeSize(e.DType); !o.SkipOtherDTypes || size == 0 {
				return f, fmt.Errorf("safetensors: tensor %q has dtype %s; ghlsim reads F32 only (convert with tensor.float())", name, e.DType)
			}
		}
		count := 1
		for _, d := range e.Shape {
			if d < 0 || (d > 0 && count > math.MaxInt32/d) {
				return f, fmt.Errorf("safetensors: tensor %q has an impossible shape %v", name, e.Shape)
			}
			count *= d
		}
		lo, hi := e.DataOffsets[0], e.DataOffsets[1]
		if lo < 0 || hi < lo || hi > len(data) || hi-lo != size*count {
			return f, fmt.Errorf("safetensors: tensor %q: offsets %v do not match shape %v within %d data bytes (truncated file?)", name, e.DataOffsets, e.Shape, len(data))
		}
		if e.DType != "F32" {
			if f.Skipped == nil {
				f.Skipped = map[string]string{}
			}
			f.Skipped[name] = e.DType
			continue
		}
		vals := make([]float32, count)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[lo+4*i:]))
		}
		f.Tensors[name] = Tensor{Shape: e.Shape, Data: vals}
	}
	return f, nil
}

// ReadFile loads a safetensors file from disk.
func ReadFile(path string) (File, error) { return ReadFileWith(path, Options{}) }

// ReadFileWith is ReadFile with options.
func ReadFileWith(path string, o Options) (File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return File{}, err
	}
	defer fh.Close()
	b, err := io.ReadAll(fh)
	if err != nil {
		return File{}, fmt.Errorf("read %s: %w", path, err)
	}
	f, err := DecodeWith(b, o)
	if err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}
