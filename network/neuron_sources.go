package network

import (
	"fmt"
	"math"
	"sort"

	"ghlsim/internal/rng"
)

// Poisson is a population of independent Poisson spike sources: neuron i
// spikes at step k iff U(seed, name, k, i) < Rates[i]·dt/1000 (Brian2's
// PoissonGroup). The draw is counter-based, so resumed runs reproduce it.
type Poisson struct {
	neuronBase
	// Rates are the firing rates in Hz, one per neuron (≥ 0; set them
	// between runs to change the stimulus).
	Rates []float64
	key   uint64
	keys  []uint64 // per trial (dense engine), keys[0] = key
}

// AddPoisson adds n Poisson sources firing at rateHz each.
func (s *Sim) AddPoisson(name string, n int, rateHz float64) (*Poisson, error) {
	if math.IsNaN(rateHz) || rateHz < 0 || math.IsInf(rateHz, 0) {
		return nil, fmt.Errorf("network: population %s: Poisson rate %v Hz must be finite and ≥ 0", name, rateHz)
	}
	if p := rateHz * s.cfg.DT / 1000; p > 1 {
		return nil, fmt.Errorf("network: population %s: Poisson rate %v Hz exceeds one spike per %v ms step", name, rateHz, s.cfg.DT)
	}
	p := &Poisson{}
	if err := s.addPop(&p.neuronBase, p, name, n); err != nil {
		return nil, err
	}
	p.Rates = make([]float64, n)
	for i := range p.Rates {
		p.Rates[i] = rateHz
	}
	p.key = rng.Key(s.cfg.Seed, "sim/poisson/"+name)
	return p, nil
}

// Model is "poisson".
func (p *Poisson) Model() string { return "poisson" }

// Vars lists rate (Hz).
func (p *Poisson) Vars() []string { return []string{"rate"} }

// Read returns neuron i's rate.
func (p *Poisson) Read(name string, i int) (float64, error) { return readVar(p, name, i) }

func (p *Poisson) update(k int64) {}

func (p *Poisson) threshold(k int64) { p.spikes = p.draw(k, 0, p.spikes[:0]) }

// draw appends the spikes of trial tr at step k to dst (trial 0 is the
// event engine's draw).
func (p *Poisson) draw(k int64, tr int, dst []int32) []int32 {
	for len(p.keys) <= tr {
		t := len(p.keys)
		if t == 0 {
			p.keys = append(p.keys, p.key)
		} else {
			p.keys = append(p.keys, rng.Key(p.sim.cfg.Seed, fmt.Sprintf("sim/poisson/%s/trial%d", p.name, t)))
		}
	}
	scale := p.sim.cfg.DT / 1000
	for i, r := range p.Rates {
		if r > 0 && uniform01(p.keys[tr], k, i) < r*scale {
			dst = append(dst, int32(i))
		}
	}
	return dst
}

func (p *Poisson) reset(k int64)               {}
func (p *Poisson) inputs() (ex, in []float64)  { return nil, nil }
func (p *Poisson) state() map[string][]float64 { return map[string][]float64{"rate": p.Rates} }

// SpikeTime is one spike of a spike source: neuron Index at step Step.
type SpikeTime struct {
	Index int32
	Step  int64
}

// SpikeSource plays given spike times (Brian2's SpikeGeneratorGroup, NEST's
// spike_generator).
type SpikeSource struct {
	neuronBase
	times []SpikeTime // sorted by (Step, Index)
	next  int
}

// AddSpikeSource adds n neurons that fire at the given times: indices[s]
// fires at timesMS[s] (each a multiple of dt; a pair may not repeat).
func (s *Sim) AddSpikeSource(name string, n int, indices []int, timesMS []float64) (*SpikeSource, error) {
	if len(indices) != len(timesMS) {
		return nil, fmt.Errorf("network: spike source %s: %d indices but %d times", name, len(indices), len(timesMS))
	}
	src := &SpikeSource{}
	if err := s.addPop(&src.neuronBase, src, name, n); err != nil {
		return nil, err
	}
	src.times = make([]SpikeTime, len(indices))
	for q, i := range indices {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("network: spike source %s: spike %d names neuron %d of %d", name, q, i, n)
		}
		k, err := stepsOf(fmt.Sprintf("network: spike source %s: spike %d time", name, q), timesMS[q], s.cfg.DT)
		if err != nil {
			return nil, err
		}
		src.times[q] = SpikeTime{Index: int32(i), Step: k}
	}
	sort.Slice(src.times, func(a, b int) bool {
		if src.times[a].Step != src.times[b].Step {
			return src.times[a].Step < src.times[b].Step
		}
		return src.times[a].Index < src.times[b].Index
	})
	for q := 1; q < len(src.times); q++ {
		if src.times[q] == src.times[q-1] {
			return nil, fmt.Errorf("network: spike source %s: neuron %d fires twice at step %d", name, src.times[q].Index, src.times[q].Step)
		}
	}
	return src, nil
}

// Model is "spike-source".
func (src *SpikeSource) Model() string { return "spike-source" }

// Vars is empty: a spike source has no state to record.
func (src *SpikeSource) Vars() []string { return nil }

// Read always fails: a spike source has no variables.
func (src *SpikeSource) Read(name string, i int) (float64, error) { return readVar(src, name, i) }

func (src *SpikeSource) update(k int64) {}

func (src *SpikeSource) threshold(k int64) {
	src.spikes = src.spikes[:0]
	for src.next < len(src.times) && src.times[src.next].Step < k {
		src.next++ // times before the current step (a simulation resumed later)
	}
	for src.next < len(src.times) && src.times[src.next].Step == k {
		src.spikes = append(src.spikes, src.times[src.next].Index)
		src.next++
	}
}

func (src *SpikeSource) reset(k int64)               {}
func (src *SpikeSource) inputs() (ex, in []float64)  { return nil, nil }
func (src *SpikeSource) state() map[string][]float64 { return map[string][]float64{} }
