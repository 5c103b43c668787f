package network

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"ghlsim/internal/quote"
	"ghlsim/internal/runfiles"
	"ghlsim/internal/safetensors"
)

// CheckpointVersion is the checkpoint format version this build writes and reads.
//
// A checkpoint is a safetensors file holding every state tensor of the
// network (StateTensors: parameters, BN running statistics, eligibility
// traces, optimiser moments) under its PyTorch-style name, plus string
// metadata:
//
//	ghlsim_checkpoint  format version ("1")
//	step               optimisation steps taken
//	checksum           SHA-256 over the tensors (name order; name, shape, float32 bits)
//	anything the trainer adds (data position, running sums, config digest)
const CheckpointVersion = 1

// Checkpoint is a decoded checkpoint file.
type Checkpoint struct {
	Step    int
	Meta    map[string]string
	Tensors map[string]HostTensor
}

// checksum digests tensors in name order.
func checksum(ts map[string]HostTensor) string {
	names := make([]string, 0, len(ts))
	for n := range ts {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	var buf [4]byte
	for _, n := range names {
		h.Write([]byte(n))
		for _, d := range ts[n].Shape {
			binary.LittleEndian.PutUint32(buf[:], uint32(d))
			h.Write(buf[:])
		}
		for _, v := range ts[n].Data {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
			h.Write(buf[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// WriteCheckpoint saves the network's full state and the trainer's metadata
// to path atomically (temp file, fsync, rename).
func (n *Network) WriteCheckpoint(path string, meta map[string]string) error {
	return writeCheckpoint(path, n.SaveState(), n.step, meta)
}

// writeCheckpoint writes state ts at step with the trainer's metadata to
// path atomically.
func writeCheckpoint(path string, ts map[string]HostTensor, step int, meta map[string]string) error {
	md := map[string]string{}
	for k, v := range meta {
		md[k] = v
	}
	md["ghlsim_checkpoint"] = strconv.Itoa(CheckpointVersion)
	md["step"] = strconv.Itoa(step)
	md["checksum"] = checksum(ts)
	b, err := safetensors.Encode(toFile(ts, md))
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	return runfiles.WriteFileAtomic(path, b)
}

// ReadCheckpoint loads and verifies a checkpoint file.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := DecodeCheckpoint(b)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return c, nil
}

// DecodeCheckpoint parses and verifies checkpoint bytes (format version,
// checksum, step).
func DecodeCheckpoint(b []byte) (*Checkpoint, error) {
	f, err := safetensors.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w (the file is damaged: delete it to restart the run, or restore a backup)", err)
	}
	v := f.Metadata["ghlsim_checkpoint"]
	if v == "" {
		return nil, fmt.Errorf("not a ghlsim checkpoint (no ghlsim_checkpoint metadata)")
	}
	if v != strconv.Itoa(CheckpointVersion) {
		return nil, fmt.Errorf("format version %s, this ghlsim reads version %d (resume with the ghlsim version that wrote it)", v, CheckpointVersion)
	}
	c := &Checkpoint{Meta: f.Metadata, Tensors: map[string]HostTensor{}}
	for name, t := range f.Tensors {
		c.Tensors[name] = HostTensor{Shape: t.Shape, Data: t.Data}
	}
	if got := checksum(c.Tensors); got != f.Metadata["checksum"] {
		return nil, fmt.Errorf("checksum mismatch (file corrupt); delete it to restart the run, or restore a backup")
	}
	c.Step, err = strconv.Atoi(f.Metadata["step"])
	if err != nil || c.Step < 0 {
		return nil, fmt.Errorf("bad step %s in the metadata", quote.Q(f.Metadata["step"]))
	}
	return c, nil
}

// RestoreCheckpoint loads a checkpoint's tensors and step into the network.
func (n *Network) RestoreCheckpoint(c *Checkpoint) error {
	if err := n.LoadState(c.Tensors, false); err != nil {
		return fmt.Errorf("checkpoint does not fit this network: %w", err)
	}
	n.SetStep(c.Step)
	return nil
}

// WriteWeights saves parameters, BN buffers and eligibility traces as a
// safetensors file (PyTorch names and layouts: conv1.weight [K,C,kh,kw],
// fc.weight [out,in], bn1.running_mean, conv1.eligibility, …).
func (n *Network) WriteWeights(path string, meta map[string]string) error {
	ts := n.SaveState(KindWeight, KindBuffer, KindEligibility)
	md := map[string]string{"format": "pt"}
	for k, v := range meta {
		md[k] = v
	}
	b, err := safetensors.Encode(toFile(ts, md))
	if err != nil {
		return err
	}
	return runfiles.WriteFileAtomic(path, b)
}

// LoadWeights initialises parameters and BN buffers from a safetensors file
// (eligibilities in the file are loaded when the network has them). Every
// parameter must be present with its exact shape, and a tensor the network
// has no place for is an error; LoadWeightsWith can ignore those instead.
func (n *Network) LoadWeights(path string) error {
	_, err := n.LoadWeightsWith(path, LoadOptions{})
	return err
}

// LoadOptions modify LoadWeightsWith.
type LoadOptions struct {
	// IgnoreExtra skips tensors of the file that this network does not have
	// (PyTorch's I64 bn.num_batches_tracked, an optimiser's state, …),
	// whatever their dtype, instead of failing; LoadWeightsWith returns
	// their names.
	IgnoreExtra bool
}

// LoadWeightsWith is LoadWeights with options. It returns the sorted names
// of the file's tensors that were not loaded: with IgnoreExtra, those the
// network does not have, and always the eligibility traces of a network
// without traces (a bp network).
func (n *Network) LoadWeightsWith(path string, o LoadOptions) (ignored []string, err error) {
	f, err := safetensors.ReadFileWith(path, safetensors.Options{SkipOtherDTypes: o.IgnoreExtra})
	if err != nil {
		return nil, err
	}
	params, elig := map[string]HostTensor{}, map[string]HostTensor{}
	have := map[string]bool{}
	for _, t := range n.StateTensors() {
		have[t.Name] = true
	}
	for name, dtype := range f.Skipped { // IgnoreExtra: tensors of other dtypes
		if have[name] {
			return nil, fmt.Errorf("%s: tensor %s has dtype %s; ghlsim reads F32 only (convert with tensor.float())", path, name, dtype)
		}
		ignored = append(ignored, name)
	}
	for name, t := range f.Tensors {
		h := HostTensor{Shape: t.Shape, Data: t.Data}
		switch {
		case strings.HasSuffix(name, ".eligibility"):
			if have[name] {
				elig[name] = h
			} else { // a bp network has no traces to fill
				ignored = append(ignored, name)
			}
		case o.IgnoreExtra && !have[name]:
			ignored = append(ignored, name)
		default:
			params[name] = h
		}
	}
	sort.Strings(ignored)
	for _, m := range []map[string]HostTensor{params, elig} {
		if err := checkFiniteHost(m); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := n.LoadState(params, false, KindWeight, KindBuffer); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := n.LoadState(elig, true, KindEligibility); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ignored, nil
}

func toFile(ts map[string]HostTensor, md map[string]string) safetensors.File {
	f := safetensors.File{Tensors: map[string]safetensors.Tensor{}, Metadata: md}
	for name, t := range ts {
		f.Tensors[name] = safetensors.Tensor{Shape: t.Shape, Data: t.Data}
	}
	return f
}

// checkFiniteHost reports the first NaN or ±Inf among the tensors (in name
// order), naming the tensor and the element.
func checkFiniteHost(ts map[string]HostTensor) error {
	names := make([]string, 0, len(ts))
	for n := range ts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for i, v := range ts[name].Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("tensor %s holds %v at element %d of %d (shape %v); a weight file to start from must be finite", name, v, i, len(ts[name].Data), ts[name].Shape)
			}
		}
	}
	return nil
}
