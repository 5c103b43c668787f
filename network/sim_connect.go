package network

import (
	"fmt"
	"math"

	"ghlsim/internal/rng"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// ConnectSpec describes a projection between two populations of a Sim.
type ConnectSpec struct {
	// Name identifies the projection (monitors, checkpoints); unique.
	Name string
	// Rule is the connectivity: "all-to-all", "one-to-one",
	// "fixed-probability" (P), "fixed-out-degree" (OutDegree distinct
	// targets per presynaptic neuron, among the first Targets
	// postsynaptic neurons when Targets > 0), "convolutional" (Conv), or
	// "explicit" (Pre, Post).
	Rule string
	// Self allows i → i synapses when pre and post are the same population.
	Self bool
	// P is the connection probability of "fixed-probability".
	P float64
	// OutDegree is the out-degree of "fixed-out-degree".
	OutDegree int
	// Targets restricts "fixed-out-degree" targets to neurons [0, Targets).
	Targets int
	// Pre, Post list the synapses of "explicit".
	Pre, Post []int
	// Conv is the geometry of "convolutional": pre is a [C, H, W] map
	// (C·H·W neurons), post a [K, H', W'] map. ConvWeights, when set, is a
	// [K, C, Kernel, Kernel] kernel whose entries become the weights of the
	// synapses at those kernel positions (copied: each synapse then has its
	// own weight).
	Conv        *ConvGeometry
	ConvWeights []float64

	// Weight is every synapse's initial weight (pA into LIF neurons, mV/ms
	// into Izhikevich ones); Weights, when set, gives one per synapse in
	// connection order instead.
	Weight  float64
	Weights []float64
	// DelayMS is the synaptic delay (ms, ≥ dt, a multiple of dt). With
	// DelayMaxMS > DelayMS each synapse draws a delay uniformly from the
	// whole steps in [DelayMS, DelayMaxMS]. DelaysMS, when set, gives one
	// per synapse instead.
	DelayMS, DelayMaxMS float64
	DelaysMS            []float64

	// Plasticity makes the synapses plastic (STDP, optionally modulated).
	Plasticity *synapse.STDPParams
	// Modulator is the neuromodulator a Modulated plasticity reads.
	Modulator *neuromod.Concentration
}

// ConvGeometry is the shape of a convolutional projection: C input
// channels of H×W, K output channels, a square Kernel, Stride (0 means 1)
// and zero padding Pad, as the batched conv groups.
type ConvGeometry struct {
	C, H, W, K, Kernel, Stride, Pad int
}

// Connect adds a projection from pre to post. Connectivity and delay draws
// come from the stream "sim/connect/<Name>" of the run seed.
func (s *Sim) Connect(pre, post Neurons, spec ConnectSpec) (*synapse.Projection, error) {
	if s.frozen {
		return nil, fmt.Errorf("network: projection %s added after the simulation started", spec.Name)
	}
	if spec.Name == "" || s.popNames[spec.Name] {
		return nil, fmt.Errorf("network: projection name %q is empty or used twice", spec.Name)
	}
	if pre == nil || post == nil || pre.base().sim != s || post.base().sim != s {
		return nil, fmt.Errorf("network: projection %s: both populations must belong to this simulation", spec.Name)
	}
	ex, in := post.inputs()
	if ex == nil {
		return nil, fmt.Errorf("network: projection %s: %s (%s) takes no synaptic input; connect into a neuron population", spec.Name, post.Name(), post.Model())
	}
	r := rng.Stream(s.cfg.Seed, "sim/connect/"+spec.Name)
	var prei, posti []int32
	var err error
	nPre, nPost := pre.Size(), post.Size()
	same := pre == post
	switch spec.Rule {
	case "all-to-all":
		prei, posti = synapse.AllToAll(nPre, nPost, spec.Self || !same)
	case "one-to-one":
		prei, posti, err = synapse.OneToOne(nPre, nPost)
	case "fixed-probability":
		prei, posti, err = synapse.FixedProbability(nPre, nPost, spec.P, spec.Self || !same, r)
	case "fixed-out-degree":
		t := nPost
		if spec.Targets > 0 {
			if spec.Targets > nPost {
				return nil, fmt.Errorf("network: projection %s: Targets = %d exceeds the %d neurons of %s", spec.Name, spec.Targets, nPost, post.Name())
			}
			t = spec.Targets
		}
		prei, posti, err = synapse.FixedOutDegree(nPre, t, spec.OutDegree, spec.Self || !same, r)
	case "convolutional":
		g := spec.Conv
		if g == nil {
			return nil, fmt.Errorf("network: projection %s: the convolutional rule needs Conv (channels, map size, kernel, stride, padding)", spec.Name)
		}
		var widx []int32
		var oh, ow int
		prei, posti, widx, oh, ow, err = synapse.Convolutional(g.C, g.H, g.W, g.K, g.Kernel, max(g.Stride, 1), g.Pad)
		if err != nil {
			return nil, fmt.Errorf("projection %s: %w", spec.Name, err)
		}
		if nPre != g.C*g.H*g.W || nPost != g.K*oh*ow {
			return nil, fmt.Errorf("network: projection %s: a %d×%d×%d → %d×%d×%d convolution needs %d presynaptic and %d postsynaptic neurons; %s has %d and %s %d",
				spec.Name, g.C, g.H, g.W, g.K, oh, ow, g.C*g.H*g.W, g.K*oh*ow, pre.Name(), nPre, post.Name(), nPost)
		}
		if spec.ConvWeights != nil {
			if len(spec.ConvWeights) != g.K*g.C*g.Kernel*g.Kernel {
				return nil, fmt.Errorf("network: projection %s: ConvWeights has %d values; a [%d, %d, %d, %d] kernel has %d", spec.Name, len(spec.ConvWeights), g.K, g.C, g.Kernel, g.Kernel, g.K*g.C*g.Kernel*g.Kernel)
			}
			spec.Weights = make([]float64, len(widx))
			for q, wi := range widx {
				spec.Weights[q] = spec.ConvWeights[wi]
			}
		}
	case "explicit":
		if len(spec.Pre) != len(spec.Post) {
			return nil, fmt.Errorf("network: projection %s: %d presynaptic but %d postsynaptic indices", spec.Name, len(spec.Pre), len(spec.Post))
		}
		for q := range spec.Pre {
			prei, posti = append(prei, int32(spec.Pre[q])), append(posti, int32(spec.Post[q]))
		}
	default:
		return nil, fmt.Errorf("network: projection %s: unknown connectivity rule %q (all-to-all, one-to-one, fixed-probability, fixed-out-degree, convolutional, explicit)", spec.Name, spec.Rule)
	}
	if err != nil {
		return nil, fmt.Errorf("projection %s: %w", spec.Name, err)
	}
	n := len(prei)
	e := synapse.Edges{Pre: prei, Post: posti, DelaySteps: make([]uint16, n), W: make([]float32, n)}
	// weights
	switch {
	case spec.Weights != nil:
		if len(spec.Weights) != n {
			return nil, fmt.Errorf("network: projection %s: %d weights for %d synapses", spec.Name, len(spec.Weights), n)
		}
		for q, w := range spec.Weights {
			e.W[q] = float32(w)
		}
	default:
		if math.IsNaN(spec.Weight) || math.IsInf(spec.Weight, 0) {
			return nil, fmt.Errorf("network: projection %s: Weight = %v must be finite", spec.Name, spec.Weight)
		}
		for q := range e.W {
			e.W[q] = float32(spec.Weight)
		}
	}
	// delays
	what := "network: projection " + spec.Name + " delay"
	switch {
	case spec.DelaysMS != nil:
		if len(spec.DelaysMS) != n {
			return nil, fmt.Errorf("network: projection %s: %d delays for %d synapses", spec.Name, len(spec.DelaysMS), n)
		}
		for q, d := range spec.DelaysMS {
			k, err := stepsOf(what, d, s.cfg.DT)
			if err != nil {
				return nil, err
			}
			if err := s.checkDelay(spec.Name, d, k); err != nil {
				return nil, err
			}
			e.DelaySteps[q] = uint16(k)
		}
	default:
		lo, err := stepsOf(what, spec.DelayMS, s.cfg.DT)
		if err != nil {
			return nil, err
		}
		if err := s.checkDelay(spec.Name, spec.DelayMS, lo); err != nil {
			return nil, err
		}
		hi := lo
		if spec.DelayMaxMS > spec.DelayMS {
			if hi, err = stepsOf(what+" maximum", spec.DelayMaxMS, s.cfg.DT); err != nil {
				return nil, err
			}
			if err := s.checkDelay(spec.Name, spec.DelayMaxMS, hi); err != nil {
				return nil, err
			}
		}
		for q := range e.DelaySteps {
			d := lo
			if hi > lo {
				d = lo + int64(r.IntN(int(hi-lo+1)))
			}
			e.DelaySteps[q] = uint16(d)
		}
	}
	if spec.Plasticity != nil && spec.Plasticity.Modulated && spec.Modulator == nil {
		return nil, fmt.Errorf("network: projection %s: modulated plasticity needs a Modulator (add one with AddConcentration)", spec.Name)
	}
	if spec.Modulator != nil && (spec.Plasticity == nil || !spec.Plasticity.Modulated) {
		return nil, fmt.Errorf("network: projection %s: a Modulator needs Plasticity with Modulated set", spec.Name)
	}
	if _, rate := pre.(*Rate); rate && spec.Plasticity != nil {
		return nil, fmt.Errorf("network: projection %s: STDP needs presynaptic spikes; %s is a rate population", spec.Name, pre.Name())
	}
	p, err := synapse.NewProjection(spec.Name, nPre, nPost, e, s.cfg.DT, s.maxDelay, spec.Plasticity)
	if err != nil {
		return nil, err
	}
	p.Ex, p.In = ex, in
	s.popNames[spec.Name] = true
	s.projs = append(s.projs, &simProj{P: p, Pre: pre, Post: post, Mod: spec.Modulator})
	return p, nil
}

// checkDelay refuses a delay below one step or above the simulation's maximum.
func (s *Sim) checkDelay(name string, ms float64, steps int64) error {
	if steps < 1 {
		return fmt.Errorf("network: projection %s: delay %v ms is shorter than one %v ms step; use a smaller dt or a longer delay", name, ms, s.cfg.DT)
	}
	if steps > int64(s.maxDelay) {
		return fmt.Errorf("network: projection %s: delay %v ms exceeds the simulation's MaxDelayMS = %v ms; raise SimConfig.MaxDelayMS", name, ms, s.cfg.MaxDelayMS)
	}
	return nil
}

// Projections lists the projections in creation order.
func (s *Sim) Projections() []*synapse.Projection {
	out := make([]*synapse.Projection, len(s.projs))
	for i, p := range s.projs {
		out[i] = p.P
	}
	return out
}
