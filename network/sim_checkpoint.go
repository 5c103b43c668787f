package network

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"fmt"
	"os"

	"ghlsim/internal/runfiles"
	"ghlsim/neuromod"
)

// simCheckpointMagic starts every simulation checkpoint file.
const simCheckpointMagic = "ghlsim-sim-v1\n"

// simState is everything the next step depends on. Monitors are not part of
// it: their recordings belong in their own files.
type simState struct {
	Step       int64
	DT         float64
	Seed       uint64
	SpikeCount int64
	Pops       []popState
	Projs      []projState
	Mods       []modState
	// Extra holds state registered with Sim.RegisterState (model logic
	// such as a reward protocol's last spike times).
	Extra map[string][]float64
}

type popState struct {
	Name, Model string
	Vars        map[string][]float64
	Spikes      []int32
}

type projState struct {
	Name               string
	N                  int
	W, APre, C, APost  []float32
	Last, APostLast    []int32
	Queue              [][]int32
	QueueAmp           [][]float32
	Events, PostEvents int64
}

type modState struct {
	Name  string
	State neuromod.ConcentrationState
}

// Save writes the simulation's full state to path atomically (temp file,
// fsync, rename) with a SHA-256 checksum: neuron state, synaptic weights and
// traces, spikes still travelling along axons, pending neuromodulator
// releases, the step. Restoring it into a simulation built the same way
// (same code, same seed) continues bit-identically.
func (s *Sim) Save(path string) error {
	if s.dense != nil {
		return fmt.Errorf("network: checkpoints hold the event engine's state; the dense engine keeps its state on the device and cannot be saved yet")
	}
	st := simState{Step: s.step, DT: s.cfg.DT, Seed: s.cfg.Seed, SpikeCount: s.spikeCount}
	for _, p := range s.pops {
		st.Pops = append(st.Pops, popState{Name: p.Name(), Model: p.Model(), Vars: p.state(), Spikes: p.Spikes()})
	}
	for _, sp := range s.projs {
		p := sp.P
		st.Projs = append(st.Projs, projState{Name: p.Name, N: p.Len(), W: p.W, APre: p.APre, C: p.C, APost: p.APost,
			Last: p.Last, APostLast: p.APostLast, Queue: p.Pending(), QueueAmp: p.PendingAmp(), Events: p.Events, PostEvents: p.PostEvents})
	}
	for _, c := range s.mods {
		st.Mods = append(st.Mods, modState{Name: c.Name, State: c.State()})
	}
	st.Extra = s.extra
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(&st); err != nil {
		return fmt.Errorf("network: encoding simulation checkpoint: %w", err)
	}
	sum := sha256.Sum256(body.Bytes())
	out := append([]byte(simCheckpointMagic), sum[:]...)
	out = append(out, body.Bytes()...)
	return runfiles.WriteFileAtomic(path, out)
}

// Load restores a state written by Save into s, which must have been built
// with the same populations, projections and neuromodulators (names, sizes,
// models) and the same dt and seed. Nothing is changed if the file is
// damaged or does not fit.
func (s *Sim) Load(path string) error {
	if s.cfg.Engine == "dense" {
		return fmt.Errorf("network: checkpoints hold the event engine's state (spikes in flight on its queues); a dense-engine simulation cannot load one")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("network: reading simulation checkpoint: %w", err)
	}
	if len(raw) < len(simCheckpointMagic)+sha256.Size || string(raw[:len(simCheckpointMagic)]) != simCheckpointMagic {
		return fmt.Errorf("network: %s is not a ghlsim simulation checkpoint (bad header); it may be truncated or another file", path)
	}
	sum := raw[len(simCheckpointMagic) : len(simCheckpointMagic)+sha256.Size]
	body := raw[len(simCheckpointMagic)+sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return fmt.Errorf("network: simulation checkpoint %s is damaged (checksum mismatch); use an earlier copy", path)
	}
	var st simState
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&st); err != nil {
		return fmt.Errorf("network: simulation checkpoint %s does not decode: %w", path, err)
	}
	if err := s.checkFits(&st); err != nil {
		return fmt.Errorf("network: simulation checkpoint %s does not fit this simulation: %w", path, err)
	}
	for q, p := range s.pops {
		ps := st.Pops[q]
		for name, dst := range p.state() {
			copy(dst, ps.Vars[name])
		}
		b := p.base()
		b.spikes = append(b.spikes[:0], ps.Spikes...)
		if src, ok := p.(*SpikeSource); ok {
			src.next = 0
		}
	}
	for q, sp := range s.projs {
		p, ps := sp.P, st.Projs[q]
		copy(p.W, ps.W)
		copy(p.APre, ps.APre)
		copy(p.C, ps.C)
		copy(p.APost, ps.APost)
		copy(p.Last, ps.Last)
		copy(p.APostLast, ps.APostLast)
		if err := p.SetPending(ps.Queue); err != nil {
			return err // checked by checkFits; unreachable
		}
		if err := p.SetPendingAmp(ps.QueueAmp); err != nil {
			return err // checked by checkFits; unreachable
		}
		p.Events, p.PostEvents = ps.Events, ps.PostEvents
	}
	for q, c := range s.mods {
		c.SetState(st.Mods[q].State)
	}
	for name, dst := range s.extra {
		copy(dst, st.Extra[name])
	}
	s.step, s.spikeCount, s.err = st.Step, st.SpikeCount, nil
	s.frozen = true
	return nil
}

// checkFits verifies a decoded state matches the simulation's structure.
func (s *Sim) checkFits(st *simState) error {
	if st.DT != s.cfg.DT || st.Seed != s.cfg.Seed {
		return fmt.Errorf("it was saved with dt %v ms and seed %d, this simulation has dt %v ms and seed %d", st.DT, st.Seed, s.cfg.DT, s.cfg.Seed)
	}
	if len(st.Pops) != len(s.pops) || len(st.Projs) != len(s.projs) || len(st.Mods) != len(s.mods) {
		return fmt.Errorf("it has %d populations, %d projections, %d neuromodulators; this simulation %d, %d, %d",
			len(st.Pops), len(st.Projs), len(st.Mods), len(s.pops), len(s.projs), len(s.mods))
	}
	for q, p := range s.pops {
		ps := st.Pops[q]
		if ps.Name != p.Name() || ps.Model != p.Model() {
			return fmt.Errorf("population %d is %s (%s) there, %s (%s) here", q, ps.Name, ps.Model, p.Name(), p.Model())
		}
		for name, dst := range p.state() {
			if len(ps.Vars[name]) != len(dst) {
				return fmt.Errorf("population %s variable %s has %d values there, %d here", p.Name(), name, len(ps.Vars[name]), len(dst))
			}
		}
		for _, i := range ps.Spikes {
			if i < 0 || int(i) >= p.Size() {
				return errors.New("a spike names a neuron outside its population")
			}
		}
	}
	for q, sp := range s.projs {
		p, ps := sp.P, st.Projs[q]
		if ps.Name != p.Name || ps.N != p.Len() || len(ps.W) != len(p.W) || len(ps.APre) != len(p.APre) || len(ps.C) != len(p.C) ||
			len(ps.APost) != len(p.APost) || len(ps.Last) != len(p.Last) || len(ps.APostLast) != len(p.APostLast) || len(ps.Queue) != p.MaxDelay+1 {
			return fmt.Errorf("projection %d is %s with %d synapses there, %s with %d here (or its plasticity differs)", q, ps.Name, ps.N, p.Name, p.Len())
		}
		if ps.QueueAmp != nil {
			if len(ps.QueueAmp) != len(ps.Queue) {
				return fmt.Errorf("projection %s: graded amplitudes do not match the queued events", p.Name)
			}
			for r := range ps.QueueAmp {
				if len(ps.QueueAmp[r]) != len(ps.Queue[r]) {
					return fmt.Errorf("projection %s: graded amplitudes do not match the queued events", p.Name)
				}
			}
		}
		for _, slot := range ps.Queue {
			for _, g := range slot {
				if g < 0 || int(g) >= p.Segments() {
					return fmt.Errorf("projection %s: a queued event is corrupt", p.Name)
				}
			}
		}
	}
	for q, c := range s.mods {
		if st.Mods[q].Name != c.Name {
			return fmt.Errorf("neuromodulator %d is %s there, %s here", q, st.Mods[q].Name, c.Name)
		}
	}
	for name, dst := range s.extra {
		if len(st.Extra[name]) != len(dst) {
			return fmt.Errorf("registered state %q has %d values there, %d here", name, len(st.Extra[name]), len(dst))
		}
	}
	return nil
}

// RegisterState adds vals (owned by the caller, updated in place) to what
// Save writes and Load restores: the place for the state of model logic in
// OnStep callbacks, so a resumed run continues bit-identically.
func (s *Sim) RegisterState(name string, vals []float64) error {
	if s.extra == nil {
		s.extra = map[string][]float64{}
	}
	if _, dup := s.extra[name]; dup || name == "" {
		return fmt.Errorf("network: registered state name %q is empty or used twice", name)
	}
	s.extra[name] = vals
	return nil
}
