package network

import (
	"fmt"
	"math"

	"ghlsim/internal/rng"
)

// IzhikevichParams are the parameters of Izhikevich's (2003) simple model:
//
//	v' = 0.04v² + 5v + 140 − u + I,   u' = a(bv − u)   (ms, mV)
//	spike when v ≥ 30 mV: v ← c, u ← u + d
//
// integrated as in his published code (spnet, daspnet): two half-steps of v,
// then u with the new v (docs/SIMULATED_TIME.md).
type IzhikevichParams struct {
	A, B, C, D float64
	// V0 is the initial membrane potential (mV); u starts at B·V0.
	V0 float64
	// Noise is the amplitude of the random "thalamic" input current drawn
	// per neuron and step, I = Noise·(U − 0.5) with U uniform in [0, 1)
	// (spnet/daspnet: 5 for excitatory, 2 for inhibitory neurons; daspnet
	// uses 13 for all). 0 disables it.
	Noise float64
}

// RegularSpiking is the RS cortical excitatory cell: a 0.02, b 0.2, c −65, d 8.
func RegularSpiking() IzhikevichParams {
	return IzhikevichParams{A: 0.02, B: 0.2, C: -65, D: 8, V0: -65}
}

// FastSpiking is the FS cortical inhibitory interneuron: a 0.1, b 0.2, c −65, d 2.
func FastSpiking() IzhikevichParams {
	return IzhikevichParams{A: 0.1, B: 0.2, C: -65, D: 2, V0: -65}
}

// Validate reports the first bad parameter.
func (p IzhikevichParams) Validate() error {
	for _, c := range []struct {
		n string
		v float64
	}{{"A", p.A}, {"B", p.B}, {"C", p.C}, {"D", p.D}, {"V0", p.V0}, {"Noise", p.Noise}} {
		if err := checkParam("Izhikevich", c.n, c.v, false); err != nil {
			return err
		}
	}
	if p.A <= 0 {
		return fmt.Errorf("network: Izhikevich parameter A = %v must be positive (the recovery rate, 1/ms)", p.A)
	}
	if p.C >= 30 {
		return fmt.Errorf("network: Izhikevich reset C = %v mV must lie below the 30 mV spike cut-off", p.C)
	}
	if p.Noise < 0 {
		return fmt.Errorf("network: Izhikevich Noise = %v must be ≥ 0", p.Noise)
	}
	return nil
}

// Izhikevich is a population of Izhikevich neurons. Parameters may differ per
// neuron (A, B, C, D slices).
type Izhikevich struct {
	neuronBase
	P          IzhikevichParams
	A, B, C, D []float64
	V, U       []float64
	// I is the input delivered at the previous step's synapses phase,
	// consumed (and cleared) by the next update.
	I []float64
	// External, when set, adds an input current for step k into dst (for
	// tests and stimulation protocols); it must not allocate.
	External func(k int64, dst []float64)
	noiseKey uint64
}

// AddIzhikevich adds n Izhikevich neurons with parameters p.
func (s *Sim) AddIzhikevich(name string, n int, p IzhikevichParams) (*Izhikevich, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("population %s: %w", name, err)
	}
	z := &Izhikevich{P: p}
	if err := s.addPop(&z.neuronBase, z, name, n); err != nil {
		return nil, err
	}
	z.A, z.B, z.C, z.D = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	z.V, z.U, z.I = make([]float64, n), make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		z.A[i], z.B[i], z.C[i], z.D[i] = p.A, p.B, p.C, p.D
		z.V[i], z.U[i] = p.V0, p.B*p.V0
	}
	z.noiseKey = rng.Key(s.cfg.Seed, "sim/noise/"+name)
	return z, nil
}

// Model is "izhikevich".
func (z *Izhikevich) Model() string { return "izhikevich" }

// Vars lists v (mV), u and I (mV/ms).
func (z *Izhikevich) Vars() []string { return varNames(z.state()) }

// Read returns a variable of neuron i.
func (z *Izhikevich) Read(name string, i int) (float64, error) { return readVar(z, name, i) }

func (z *Izhikevich) update(k int64) {
	if z.External != nil {
		z.External(k, z.I)
	}
	h := z.sim.cfg.DT / 2
	dt := z.sim.cfg.DT
	noise := z.P.Noise
	for i := range z.V {
		in := z.I[i]
		if noise != 0 {
			in += noise * (uniform01(z.noiseKey, k, i) - 0.5)
		}
		v, u := z.V[i], z.U[i]
		// Explicit conversions keep each product rounded, so no fused
		// multiply-add changes the result between architectures.
		v = v + h*(float64(0.04*float64(v*v))+float64(5*v)+140-u+in)
		v = v + h*(float64(0.04*float64(v*v))+float64(5*v)+140-u+in)
		u = u + dt*float64(z.A[i]*float64(float64(z.B[i]*v)-u))
		z.V[i], z.U[i], z.I[i] = v, u, 0
	}
}

func (z *Izhikevich) threshold(k int64) {
	z.spikes = z.spikes[:0]
	for i, v := range z.V {
		if v >= 30 {
			z.spikes = append(z.spikes, int32(i))
		}
	}
}

func (z *Izhikevich) reset(k int64) {
	for _, i := range z.spikes {
		z.V[i] = z.C[i]
		z.U[i] += z.D[i]
	}
}

func (z *Izhikevich) inputs() (ex, in []float64) { return z.I, z.I }

func (z *Izhikevich) state() map[string][]float64 {
	return map[string][]float64{"v": z.V, "u": z.U, "I": z.I, "a": z.A, "b": z.B, "c": z.C, "d": z.D}
}

var _ = math.Inf
