package network

import (
	"fmt"
	"math"

	"ghlsim/internal/rng"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// DistalRewardParams configures Izhikevich's (2007) distal-reward network
// ("Solving the distal reward problem through linkage of STDP and dopamine
// signaling", Cerebral Cortex 17:2443), following his published daspnet code
// except where a field says otherwise.
type DistalRewardParams struct {
	NExc, NInh int     // 800 regular-spiking excitatory, 200 fast-spiking inhibitory
	OutDegree  int     // synapses per neuron, distinct targets: 100
	MaxDelayMS float64 // excitatory delays drawn uniformly from 1…MaxDelayMS ms: 20
	ExcWeight  float64 // initial excitatory weight, mV: 1
	InhWeight  float64 // inhibitory weight (static), mV: −1
	Noise      float64 // thalamic input I = Noise·(U − 0.5) per neuron and ms: 13
	// RewardedInitial is the chosen synapse's initial weight, mV (daspnet: 0).
	RewardedInitial float64
	// CoincidenceMS: a reward follows when n2 fires within this long after
	// n1 (strictly later, strictly less than the window): 10 (the paper's
	// text; daspnet's code uses 20).
	CoincidenceMS float64
	// RewardMinMS, RewardMaxMS: the reward's delay after the coincidence,
	// drawn uniformly in whole ms: 1000…3000 (daspnet: 1000 + ceil(2000·U)).
	RewardMinMS, RewardMaxMS float64
	STDP                     synapse.STDPParams
	Dopamine                 neuromod.ConcentrationParams
	DT                       float64 // ms: 1
	Seed                     uint64
}

// DefaultDistalReward returns the published model.
func DefaultDistalReward() DistalRewardParams {
	return DistalRewardParams{NExc: 800, NInh: 200, OutDegree: 100, MaxDelayMS: 20, ExcWeight: 1, InhWeight: -1,
		Noise: 13, RewardedInitial: 0, CoincidenceMS: 10, RewardMinMS: 1001, RewardMaxMS: 3000,
		STDP: synapse.IzhikevichSTDP(), Dopamine: neuromod.DefaultConcentration(), DT: 1, Seed: 1}
}

// DistalReward is the built model: the simulation, its parts and the reward
// protocol's state.
type DistalReward struct {
	P        DistalRewardParams
	Sim      *Sim
	Neurons  *Izhikevich         // excitatory 0…NExc−1, then inhibitory
	Exc, Inh *synapse.Projection // plastic excitatory, static inhibitory
	Dopamine *neuromod.Concentration
	// N1, N2 and Rewarded identify the chosen synapse (position in Exc).
	N1, N2, Rewarded int
	// state[0] = step of n1's last spike (−1e9 before any), state[1] =
	// rewards scheduled so far.
	state []float64
	key   uint64
}

// Rewards is the number of rewards scheduled so far.
func (d *DistalReward) Rewards() int { return int(d.state[1]) }

// NewDistalReward builds the network in a new simulation (event engine).
func NewDistalReward(p DistalRewardParams) (*DistalReward, error) {
	return newDistalReward(p, SimConfig{})
}

// NewDistalRewardOn builds the network with the engine, backend and trials
// of cfg (its DT, MaxDelayMS and Seed come from p).
func NewDistalRewardOn(p DistalRewardParams, cfg SimConfig) (*DistalReward, error) {
	return newDistalReward(p, cfg)
}

func newDistalReward(p DistalRewardParams, cfg SimConfig) (*DistalReward, error) {
	switch {
	case p.NExc < 2 || p.NInh < 0:
		return nil, fmt.Errorf("network: distal reward needs ≥ 2 excitatory and ≥ 0 inhibitory neurons, got %d and %d", p.NExc, p.NInh)
	case p.OutDegree < 1 || p.OutDegree > p.NExc-1:
		return nil, fmt.Errorf("network: distal reward out-degree %d must be in [1, %d]", p.OutDegree, p.NExc-1)
	case !(p.CoincidenceMS > 0) || !(p.RewardMinMS >= p.DT) || !(p.RewardMaxMS >= p.RewardMinMS):
		return nil, fmt.Errorf("network: distal reward windows: coincidence %v ms must be positive and reward delays %v…%v ms ordered and ≥ one step", p.CoincidenceMS, p.RewardMinMS, p.RewardMaxMS)
	}
	cfg.DT, cfg.MaxDelayMS, cfg.Seed = p.DT, p.MaxDelayMS, p.Seed
	s, err := NewSim(cfg)
	if err != nil {
		return nil, err
	}
	n := p.NExc + p.NInh
	z, err := s.AddIzhikevich("neurons", n, IzhikevichParams{A: 0.02, B: 0.2, C: -65, D: 8, V0: -65, Noise: p.Noise})
	if err != nil {
		return nil, err
	}
	fs := FastSpiking()
	for i := p.NExc; i < n; i++ {
		z.A[i], z.B[i], z.C[i], z.D[i] = fs.A, fs.B, fs.C, fs.D
		z.U[i] = fs.B * z.V[i]
	}
	da, err := s.AddConcentration("dopamine", p.Dopamine)
	if err != nil {
		return nil, err
	}
	// Excitatory: each of the NExc neurons reaches OutDegree distinct neurons
	// among all n, with a delay drawn from 1…MaxDelayMS ms (whole ms).
	r := rng.Stream(p.Seed, "distal/connect")
	ePre, ePost, err := synapse.FixedOutDegree(p.NExc, n, p.OutDegree, false, r)
	if err != nil {
		return nil, err
	}
	nd := int(math.Round(p.MaxDelayMS / p.DT))
	delays := make([]float64, len(ePre))
	weights := make([]float64, len(ePre))
	for q := range delays {
		delays[q] = float64(1+r.IntN(nd)) * p.DT
		weights[q] = p.ExcWeight
	}
	stdp := p.STDP
	exc, err := s.Connect(z, z, ConnectSpec{Name: "exc", Rule: "explicit", Pre: toInts(ePre), Post: toInts(ePost),
		Weights: weights, DelaysMS: delays, Plasticity: &stdp, Modulator: da})
	if err != nil {
		return nil, err
	}
	// The chosen synapse: neuron 0's synapse with the shortest delay (its
	// first in CSR order). daspnet takes n1's first synapse whatever its
	// delay; one longer than the coincidence window sees the rewarded
	// coincidence as post-before-pre at the synapse (depression), so the
	// reward could never potentiate it.
	d := &DistalReward{P: p, Sim: s, Neurons: z, Exc: exc, Dopamine: da, N1: 0, N2: int(exc.Post[exc.Start[0]]),
		Rewarded: int(exc.Start[0]), state: []float64{-1e9, 0}, key: rng.Key(p.Seed, "distal/reward")}
	exc.W[d.Rewarded] = float32(p.RewardedInitial)
	if p.NInh > 0 {
		iPre, iPost, err := synapse.FixedOutDegree(p.NInh, p.NExc, min(p.OutDegree, p.NExc), true, r)
		if err != nil {
			return nil, err
		}
		for q := range iPre {
			iPre[q] += int32(p.NExc)
		}
		d.Inh, err = s.Connect(z, z, ConnectSpec{Name: "inh", Rule: "explicit", Pre: toInts(iPre), Post: toInts(iPost),
			Weight: p.InhWeight, DelayMS: p.DT})
		if err != nil {
			return nil, err
		}
	}
	if err := s.RegisterState("distal/reward", d.state); err != nil {
		return nil, err
	}
	window := int64(math.Round(p.CoincidenceMS / p.DT))
	lo, hi := int64(math.Round(p.RewardMinMS/p.DT)), int64(math.Round(p.RewardMaxMS/p.DT))
	s.OnStep(func(k int64) {
		var n1, n2 bool
		for _, i := range z.Spikes() {
			if int(i) == d.N1 {
				n1 = true
			}
			if int(i) == d.N2 {
				n2 = true
			}
		}
		if n1 {
			d.state[0] = float64(k)
		}
		if n2 && !n1 && float64(k)-d.state[0] < float64(window) {
			lat := lo + int64(uniform01(d.key, k, 0)*float64(hi-lo+1))
			if err := da.Schedule(k+lat, p.Dopamine.Jump); err != nil {
				panic(err) // k+lat > k always: unreachable
			}
			d.state[1]++
		}
	})
	return d, nil
}

func toInts(x []int32) []int {
	out := make([]int, len(x))
	for i, v := range x {
		out[i] = int(v)
	}
	return out
}
