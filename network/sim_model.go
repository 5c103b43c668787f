package network

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"ghlsim/internal/quote"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// SimModel is a simulation described as data: the JSON model file that
// `ghl sim` runs and that scripts/brian2/ghlsim_brian2.py runs in Brian2, so
// one file gives both simulators the same model (docs/SIMULATED_TIME.md,
// "Model files"). Times are steps of DT ms unless a field says otherwise.
type SimModel struct {
	DT          float64        `json:"dt"`
	Steps       int64          `json:"steps"`
	Seed        uint64         `json:"seed"`
	RecordEvery int64          `json:"record_every,omitempty"`
	MaxDelayMS  float64        `json:"max_delay_ms,omitempty"`
	Populations []SimModelPop  `json:"populations"`
	Projections []SimModelProj `json:"projections"`
	Modulators  []SimModelMod  `json:"modulators"`
}

// Scalars is a number or one number per neuron.
type Scalars []float64

// UnmarshalJSON accepts a number or an array of numbers.
func (s *Scalars) UnmarshalJSON(b []byte) error {
	var one float64
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Scalars{one}
		return nil
	}
	var many []float64
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a number or an array of numbers, got %s", quote.S(string(b)))
	}
	*s = many
	return nil
}

// SimModelRecord names what a state monitor records.
type SimModelRecord struct {
	Vars    []string `json:"vars"`
	Indices []int    `json:"indices"`
}

// SimModelPop is one population: model "spikes" (a spike source),
// "poisson", "lif" or "izhikevich", with its parameters (absent ones take
// the model's defaults).
type SimModelPop struct {
	Name   string     `json:"name"`
	Model  string     `json:"model"`
	N      int        `json:"n"`
	Spikes [][2]int64 `json:"spikes,omitempty"`  // spikes: [index, step]
	RateHz *float64   `json:"rate_hz,omitempty"` // poisson
	// LIF (pF, ms, mV, pA)
	CM     *float64 `json:"C_m,omitempty"`
	TauM   *float64 `json:"tau_m,omitempty"`
	TauEx  *float64 `json:"tau_ex,omitempty"`
	TauIn  *float64 `json:"tau_in,omitempty"`
	TRef   *float64 `json:"t_ref,omitempty"`
	EL     *float64 `json:"E_L,omitempty"`
	VReset *float64 `json:"V_reset,omitempty"`
	VTh    *float64 `json:"V_th,omitempty"`
	IE     Scalars  `json:"I_e,omitempty"`
	V0     Scalars  `json:"V0,omitempty"`
	// Izhikevich
	A      Scalars         `json:"a,omitempty"`
	Bv     Scalars         `json:"b,omitempty"`
	Cv     Scalars         `json:"c,omitempty"`
	Dv     Scalars         `json:"d,omitempty"`
	Vz0    Scalars         `json:"v0,omitempty"`
	Uz0    Scalars         `json:"u0,omitempty"`
	IExt   [][]float64     `json:"I_ext,omitempty"` // [steps][n] mV/ms added at step k
	Noise  *float64        `json:"noise,omitempty"`
	Record *SimModelRecord `json:"record,omitempty"`
}

// SimModelSTDP is a projection's plasticity.
type SimModelSTDP struct {
	TauPlus   float64 `json:"tau_plus"`
	TauMinus  float64 `json:"tau_minus"`
	APlus     float64 `json:"A_plus"`
	AMinus    float64 `json:"A_minus"`
	Nearest   bool    `json:"nearest"`
	WMin      float64 `json:"w_min"`
	WMax      float64 `json:"w_max"`
	Modulator string  `json:"modulator,omitempty"`
	TauC      float64 `json:"tau_c,omitempty"`
	Eta       float64 `json:"eta,omitempty"`
	DRef      float64 `json:"d_ref,omitempty"`
	Every     int64   `json:"update_every_steps,omitempty"`
}

// SimModelProj is one projection with explicit synapses.
type SimModelProj struct {
	Name   string          `json:"name"`
	Pre    string          `json:"pre"`
	Post   string          `json:"post"`
	I      []int           `json:"i"`
	J      []int           `json:"j"`
	Delay  []int64         `json:"delay_steps"`
	W      []float64       `json:"w"`
	STDP   *SimModelSTDP   `json:"stdp,omitempty"`
	Record *SimModelRecord `json:"record,omitempty"`
}

// SimModelMod is a neuromodulator with scheduled releases [step, amount].
type SimModelMod struct {
	Name     string       `json:"name"`
	DBase    float64      `json:"d_base"`
	TauD     float64      `json:"tau_d"`
	D0       *float64     `json:"d0,omitempty"`
	Releases [][2]float64 `json:"releases,omitempty"`
	Record   bool         `json:"record,omitempty"`
}

// ParseSimModel decodes a model file strictly: unknown fields (a misspelt
// parameter), trailing data and wrong types are errors naming the problem.
func ParseSimModel(data []byte) (*SimModel, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	dec.DisallowUnknownFields()
	var m SimModel
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("model file: %v (fields are those of docs/SIMULATED_TIME.md, \"Model files\")", quote.S(err.Error()))
	}
	if dec.More() {
		return nil, fmt.Errorf("model file: trailing data after the JSON object")
	}
	if !(m.Steps > 0) {
		return nil, fmt.Errorf("model file: steps = %d must be positive", m.Steps)
	}
	return &m, nil
}

// SimFromModel holds what BuildSimModel made, by name.
type SimFromModel struct {
	Sim         *Sim
	Pops        map[string]Neurons
	Projections map[string]*synapse.Projection
	Modulators  map[string]*neuromod.Concentration
	// Spikes monitors every population; State the recorded variables, keyed
	// "<name>.<var>".
	Spikes map[string]*SpikeMonitor
	State  map[string]*StateMonitor
}

// BuildSimModel builds a simulation from a model (event engine unless cfg
// says otherwise; cfg's DT, MaxDelayMS and Seed come from the model).
func BuildSimModel(m *SimModel, cfg SimConfig) (*SimFromModel, error) {
	cfg.DT, cfg.Seed = m.DT, m.Seed
	maxd := int64(1)
	for _, p := range m.Projections {
		for _, d := range p.Delay {
			maxd = max(maxd, d)
		}
	}
	cfg.MaxDelayMS = m.MaxDelayMS
	if cfg.MaxDelayMS == 0 {
		cfg.MaxDelayMS = float64(maxd) * m.DT
	}
	s, err := NewSim(cfg)
	if err != nil {
		return nil, err
	}
	out := &SimFromModel{Sim: s, Pops: map[string]Neurons{}, Projections: map[string]*synapse.Projection{},
		Modulators: map[string]*neuromod.Concentration{}, Spikes: map[string]*SpikeMonitor{}, State: map[string]*StateMonitor{}}
	every := float64(max(m.RecordEvery, 1)) * m.DT
	per := func(pop string, name string, v Scalars, n int, dst []float64) error {
		switch len(v) {
		case 0:
			return nil
		case 1:
			for i := range dst {
				dst[i] = v[0]
			}
		case n:
			copy(dst, v)
		default:
			return fmt.Errorf("model file: population %s: %s has %d values for %d neurons (give one, or one per neuron)", pop, name, len(v), n)
		}
		for _, x := range dst {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("model file: population %s: %s has a non-finite value", pop, name)
			}
		}
		return nil
	}
	for _, p := range m.Populations {
		var pop Neurons
		switch p.Model {
		case "spikes":
			idx, ms := make([]int, len(p.Spikes)), make([]float64, len(p.Spikes))
			for q, sp := range p.Spikes {
				idx[q], ms[q] = int(sp[0]), float64(sp[1])*m.DT
			}
			pop, err = s.AddSpikeSource(p.Name, p.N, idx, ms)
		case "poisson":
			rate := 0.0
			if p.RateHz != nil {
				rate = *p.RateHz
			}
			pop, err = s.AddPoisson(p.Name, p.N, rate)
		case "lif":
			lp := DefaultLIF()
			for _, f := range []struct {
				dst *float64
				src *float64
			}{{&lp.CM, p.CM}, {&lp.TauM, p.TauM}, {&lp.TauEx, p.TauEx}, {&lp.TauIn, p.TauIn}, {&lp.TRef, p.TRef},
				{&lp.EL, p.EL}, {&lp.VReset, p.VReset}, {&lp.VTh, p.VTh}} {
				if f.src != nil {
					*f.dst = *f.src
				}
			}
			var l *LIF
			if l, err = s.AddLIF(p.Name, p.N, lp); err == nil {
				if err = per(p.Name, "I_e", p.IE, p.N, l.IE); err == nil {
					err = per(p.Name, "V0", p.V0, p.N, l.V)
				}
				pop = l
			}
		case "izhikevich":
			zp := RegularSpiking()
			if p.Noise != nil {
				zp.Noise = *p.Noise
			}
			var z *Izhikevich
			if z, err = s.AddIzhikevich(p.Name, p.N, zp); err == nil {
				for _, f := range []struct {
					n   string
					v   Scalars
					dst []float64
				}{{"a", p.A, z.A}, {"b", p.Bv, z.B}, {"c", p.Cv, z.C}, {"d", p.Dv, z.D}, {"v0", p.Vz0, z.V}} {
					if err == nil {
						err = per(p.Name, f.n, f.v, p.N, f.dst)
					}
				}
				if err == nil {
					for i := range z.U {
						z.U[i] = z.B[i] * z.V[i]
					}
					err = per(p.Name, "u0", p.Uz0, p.N, z.U)
				}
				if err == nil && p.IExt != nil {
					if int64(len(p.IExt)) < m.Steps {
						err = fmt.Errorf("model file: population %s: I_ext has %d rows for %d steps", p.Name, len(p.IExt), m.Steps)
					}
					for k, row := range p.IExt {
						if err == nil && len(row) != p.N {
							err = fmt.Errorf("model file: population %s: I_ext row %d has %d values for %d neurons", p.Name, k, len(row), p.N)
						}
					}
					ext := p.IExt
					z.External = func(k int64, dst []float64) {
						if k < int64(len(ext)) {
							for i, v := range ext[k] {
								dst[i] += v
							}
						}
					}
				}
				pop = z
			}
		default:
			return nil, fmt.Errorf("model file: population %s: unknown model %s (spikes, poisson, lif, izhikevich)", p.Name, quote.Q(p.Model))
		}
		if err != nil {
			return nil, err
		}
		out.Pops[p.Name] = pop
		if out.Spikes[p.Name], err = s.MonitorSpikes(pop); err != nil {
			return nil, err
		}
		if p.Record != nil {
			for _, v := range p.Record.Vars {
				if out.State[p.Name+"."+v], err = s.MonitorState(pop, v, p.Record.Indices, every); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, md := range m.Modulators {
		cp := neuromod.ConcentrationParams{Base: md.DBase, TauMS: md.TauD, Initial: math.NaN()}
		if md.D0 != nil {
			cp.Initial = *md.D0
		}
		c, err := s.AddConcentration(md.Name, cp)
		if err != nil {
			return nil, fmt.Errorf("model file: modulator %s: %w", md.Name, err)
		}
		for _, r := range md.Releases {
			if r[0] != math.Trunc(r[0]) || r[0] < 0 {
				return nil, fmt.Errorf("model file: modulator %s: release step %v must be a whole number ≥ 0", md.Name, r[0])
			}
			if err := c.Schedule(int64(r[0]), r[1]); err != nil {
				return nil, fmt.Errorf("model file: %w", err)
			}
		}
		out.Modulators[md.Name] = c
		if md.Record {
			if out.State[md.Name+".d"], err = s.MonitorState(c, "d", []int{0}, every); err != nil {
				return nil, err
			}
		}
	}
	for _, pr := range m.Projections {
		pre, ok1 := out.Pops[pr.Pre]
		post, ok2 := out.Pops[pr.Post]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("model file: projection %s connects %s → %s; both must be populations of the file", pr.Name, quote.Q(pr.Pre), quote.Q(pr.Post))
		}
		if len(pr.Delay) != len(pr.I) {
			return nil, fmt.Errorf("model file: projection %s: %d delays for %d synapses", pr.Name, len(pr.Delay), len(pr.I))
		}
		delays := make([]float64, len(pr.Delay))
		for q, d := range pr.Delay {
			delays[q] = float64(d) * m.DT
		}
		spec := ConnectSpec{Name: pr.Name, Rule: "explicit", Pre: pr.I, Post: pr.J, Weights: pr.W, DelaysMS: delays}
		if st := pr.STDP; st != nil {
			sp := synapse.STDPParams{TauPlusMS: st.TauPlus, TauMinusMS: st.TauMinus, APlus: st.APlus, AMinus: st.AMinus,
				Nearest: st.Nearest, WMin: st.WMin, WMax: st.WMax}
			if st.Modulator != "" {
				c, ok := out.Modulators[st.Modulator]
				if !ok {
					return nil, fmt.Errorf("model file: projection %s: unknown modulator %s", pr.Name, quote.Q(st.Modulator))
				}
				sp.Modulated, sp.TauCMS, sp.Eta, sp.DRef = true, st.TauC, st.Eta, st.DRef
				sp.UpdateEveryMS = float64(max(st.Every, 1)) * m.DT
				spec.Modulator = c
			}
			spec.Plasticity = &sp
		}
		p, err := s.Connect(pre, post, spec)
		if err != nil {
			return nil, fmt.Errorf("model file: %w", err)
		}
		out.Projections[pr.Name] = p
		if pr.Record != nil {
			idx := make([]int, len(pr.Record.Indices))
			for q, e := range pr.Record.Indices {
				if e < 0 || e >= len(pr.I) {
					return nil, fmt.Errorf("model file: projection %s records synapse %d of %d", pr.Name, e, len(pr.I))
				}
				idx[q] = p.Index(pr.I[e], pr.J[e])
			}
			for _, v := range pr.Record.Vars {
				mon, err := s.MonitorState(p, v, idx, every)
				if err != nil {
					return nil, err
				}
				for _, e := range pr.Record.Indices {
					mon.Labels = append(mon.Labels, fmt.Sprintf("%s[%d]", v, e)) // the file's synapse numbers
				}
				out.State[pr.Name+"."+v] = mon
			}
		}
	}
	return out, nil
}
