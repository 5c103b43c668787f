package network

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"ghlsim/backends"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// TensorKind classifies a named state tensor.
type TensorKind int

const (
	// KindWeight is a learned parameter (weights, biases, BN affine).
	KindWeight TensorKind = iota
	// KindBuffer is non-learned model state (BN running statistics).
	KindBuffer
	// KindEligibility is a synapse group's eligibility trace.
	KindEligibility
	// KindOptimizer is optimiser state (momentum, Adam moments).
	KindOptimizer
	// KindModulator is modulator-source state (e.g. delay:k's ring buffer).
	KindModulator
)

// NamedTensor is one state tensor with its PyTorch-style name, e.g.
// "conv1.weight", "bn1.running_mean", "conv1.eligibility",
// "fc.weight.momentum_buffer".
type NamedTensor struct {
	Name string
	Kind TensorKind
	T    backends.Tensor
}

// StateTensors lists every tensor the next step depends on, in a stable
// order: parameters and buffers in layer order, then eligibility traces, then
// optimiser state that exists so far.
func (n *Network) StateTensors() []NamedTensor {
	var out, elig, opt []NamedTensor
	addParam := func(p *synapse.Param) {
		out = append(out, NamedTensor{p.Name, KindWeight, p.Value})
		if p.Moment1 != nil {
			opt = append(opt, NamedTensor{p.Name + ".moment1", KindOptimizer, p.Moment1})
		}
		if p.Moment2 != nil {
			opt = append(opt, NamedTensor{p.Name + ".moment2", KindOptimizer, p.Moment2})
		}
	}
	for _, o := range n.ops {
		switch o := o.(type) {
		case *synOp:
			for _, p := range o.g.Params() {
				addParam(p)
			}
			if o.g.Trace != nil {
				elig = append(elig, NamedTensor{o.g.Name + ".eligibility", KindEligibility, o.g.Trace})
			}
		case *bnOp:
			for _, p := range o.params() {
				addParam(p)
			}
			out = append(out,
				NamedTensor{o.name + ".running_mean", KindBuffer, o.st.RunMean},
				NamedTensor{o.name + ".running_var", KindBuffer, o.st.RunVar})
		}
	}
	out = append(out, elig...)
	out = append(out, opt...)
	return append(out, channelState(n.Channel)...)
}

// namedBytes is one host-memory state blob (a delay line's ring).
type namedBytes struct {
	Name string
	B    []byte
}

// hostState lists the modulator sources' host state (delay:k rings, one
// byte per synapse per pending step), named GROUP.modulator_delay.I. In
// checkpoints each is a float32 tensor of shape [⌈len/4⌉] whose bits are
// the bytes, little-endian, zero-padded (the format holds float32 only);
// they are restored bit for bit.
func (n *Network) hostState() []namedBytes { return channelHostState(n.Channel) }

// channelHostState is hostState for any network's channel (nil: none).
func channelHostState(ch *neuromod.Channel) []namedBytes {
	var out []namedBytes
	if ch == nil {
		return nil
	}
	for _, sub := range ch.Subscriptions() {
		for i, b := range neuromod.HostStateOf(sub.Source) {
			out = append(out, namedBytes{fmt.Sprintf("%s.modulator_delay.%d", sub.Name, i), b})
		}
	}
	return out
}

// channelState lists the device state tensors of ch's sources, named
// GROUP.modulator_state.I.
func channelState(ch *neuromod.Channel) []NamedTensor {
	var out []NamedTensor
	if ch == nil {
		return nil
	}
	for _, sub := range ch.Subscriptions() {
		for i, t := range neuromod.StateOf(sub.Source) {
			out = append(out, NamedTensor{fmt.Sprintf("%s.modulator_state.%d", sub.Name, i), KindModulator, t})
		}
	}
	return out
}

// stateful is what SaveState, LoadState and checkpoints need of a network
// (Network and SpikingNet).
type stateful interface {
	backend() backends.Backend
	StateTensors() []NamedTensor
	hostState() []namedBytes
	Params() []*synapse.Param
}

func (n *Network) backend() backends.Backend { return n.B }

// packBytes stores b as float32 bit patterns, 4 bytes each, little-endian.
func packBytes(b []byte) HostTensor {
	words := (len(b) + 3) / 4
	h := HostTensor{Shape: backends.Shape{words}, Data: make([]float32, words)}
	var w [4]byte
	for i := range h.Data {
		clear(w[:])
		copy(w[:], b[4*i:])
		h.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(w[:]))
	}
	return h
}

// unpackBytes is the inverse of packBytes into dst.
func unpackBytes(dst []byte, h HostTensor) error {
	words := (len(dst) + 3) / 4
	if len(h.Shape) != 1 || h.Shape[0] != words || len(h.Data) != words {
		return fmt.Errorf("has shape %v in the file, want [%d] (%d bytes: a different modulator spec or width?)", h.Shape, words, len(dst))
	}
	var w [4]byte
	for i, v := range h.Data {
		binary.LittleEndian.PutUint32(w[:], math.Float32bits(v))
		copy(dst[4*i:], w[:])
	}
	return nil
}

// Params lists every trainable parameter (synapse groups and BN affine).
func (n *Network) Params() []*synapse.Param {
	var out []*synapse.Param
	for _, o := range n.ops {
		switch o := o.(type) {
		case *synOp:
			out = append(out, o.g.Params()...)
		default:
			out = append(out, o.params()...)
		}
	}
	return out
}

// HostTensor is a named host copy of a state tensor.
type HostTensor struct {
	Shape backends.Shape
	Data  []float32
}

// SaveState downloads the state tensors of the selected kinds to the host.
func (n *Network) SaveState(kinds ...TensorKind) map[string]HostTensor { return saveState(n, kinds) }

func saveState(n stateful, kinds []TensorKind) map[string]HostTensor {
	want := map[TensorKind]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	out := map[string]HostTensor{}
	for _, t := range n.StateTensors() {
		if len(kinds) > 0 && !want[t.Kind] {
			continue
		}
		h := HostTensor{Shape: t.T.Shape().Clone(), Data: make([]float32, t.T.Shape().Len())}
		n.backend().Download(h.Data, t.T)
		out[t.Name] = h
	}
	if len(kinds) == 0 || want[KindModulator] {
		for _, hb := range n.hostState() {
			out[hb.Name] = packBytes(hb.B)
		}
	}
	return out
}

// LoadState uploads host tensors into the network by name. Every tensor in
// the network of the selected kinds must be present unless partial is true;
// unknown names and shape mismatches are errors. Optimiser state named in
// the map is allocated if the network has none yet.
func (n *Network) LoadState(state map[string]HostTensor, partial bool, kinds ...TensorKind) error {
	return loadState(n, state, partial, kinds)
}

func loadState(n stateful, state map[string]HostTensor, partial bool, kinds []TensorKind) error {
	b := n.backend()
	want := map[TensorKind]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	for _, p := range n.Params() {
		if _, ok := state[p.Name+".moment1"]; ok && p.Moment1 == nil {
			p.Moment1 = b.Alloc(p.Value.Shape())
		}
		if _, ok := state[p.Name+".moment2"]; ok && p.Moment2 == nil {
			p.Moment2 = b.Alloc(p.Value.Shape())
		}
	}
	known := map[string]bool{}
	devState := n.StateTensors()
	for _, t := range devState {
		known[t.Name] = true
	}
	for name := range state {
		if !known[name] && strings.Contains(name, ".modulator_state.") {
			return fmt.Errorf("tensor %s is a delay:k modulator buffer in the old float32 layout (k+1 weight-sized tensors), which this ghlsim no longer reads: "+
				"it stores one byte per synapse per pending step; restart the run without --resume, or resume it with the ghlsim that wrote it", name)
		}
	}
	for _, t := range devState {
		known[t.Name] = true
		if len(kinds) > 0 && !want[t.Kind] {
			continue
		}
		h, ok := state[t.Name]
		if !ok {
			if partial {
				continue
			}
			return fmt.Errorf("tensor %s is missing (the file was saved from a different architecture, width or rule?)", t.Name)
		}
		if !h.Shape.Equal(t.T.Shape()) {
			return fmt.Errorf("tensor %s has shape %v in the file but %v in the network (different width or dataset?)", t.Name, h.Shape, t.T.Shape())
		}
		b.Upload(t.T, h.Data)
	}
	for _, hb := range n.hostState() {
		known[hb.Name] = true
		if len(kinds) > 0 && !want[KindModulator] {
			continue
		}
		h, ok := state[hb.Name]
		if !ok {
			if partial {
				continue
			}
			return fmt.Errorf("tensor %s (the delayed modulator's pending values) is missing (the file was saved with a different --modulator?)", hb.Name)
		}
		if err := unpackBytes(hb.B, h); err != nil {
			return fmt.Errorf("tensor %s %w", hb.Name, err)
		}
	}
	for name := range state {
		if !known[name] {
			return fmt.Errorf("tensor %s in the file does not exist in this network (different architecture?)", name)
		}
	}
	return nil
}
