package network

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/internal/rng"
	"ghlsim/synapse"
)

// The dense engine runs a simulation as batched tensor operations on a
// backend (cpu or torch, CPU or CUDA): neuron state is a [trials, N] tensor
// per variable, spikes are 0/1 tensors, and a projection delivers the spikes
// of step k − d through a dense [post, pre] matrix of its delay-d synapses
// (one matrix product per delay present). It runs the same models in the
// same phase order as the event engine, in float32, and many independent
// trials at once: trial t draws its own Poisson spikes and noise. Spike
// sources and external currents are the same in every trial.
//
// It supports LIF, Izhikevich, Poisson and spike-source populations, static
// projections, and plastic (STDP, dopamine-modulated) projections with one
// trial (sim_dense_plastic.go); rate neurons and encoders need the event
// engine, and the first Run reports that.

// denseEngine is the dense engine's state.
type denseEngine struct {
	b      backends.Backend
	trials int
	pops   []densePop
	byPop  map[Neurons]densePop
	projs  []*denseProj
	// order lists static (*denseProj) and plastic (*densePlastic)
	// projections in creation order: the synapses phase runs them so.
	order   []any
	plastic []*densePlastic
	ones    map[int]backends.Tensor
	host    []float32
	// spikes per population per trial of the current step (host copies)
	trialSpikes map[Neurons][][]int32
}

// densePop is one population on the device.
type densePop interface {
	update(k int64)
	threshold(k int64)
	reset(k int64)
	spikes() backends.Tensor
	inputs() (ex, in backends.Tensor)
	tensor(name string) (backends.Tensor, bool)
}

type denseProj struct {
	post     densePop
	pre      densePop
	delays   []int
	wex, win []backends.Tensor // per entry of delays; win nil when single-input
	tmp      backends.Tensor
	hist     []backends.Tensor // pre spikes ring, MaxDelay+1 slots
	count    []int             // spikes in each ring slot (host), to skip empty products
	preName  Neurons
}

// one returns a [trials, n] tensor of ones.
func (e *denseEngine) one(n int) backends.Tensor {
	if t, ok := e.ones[n]; ok {
		return t
	}
	t := e.b.Alloc(backends.Shape{e.trials, n})
	e.b.Fill(t, 1)
	e.ones[n] = t
	return t
}

func (e *denseEngine) alloc(n int) backends.Tensor { return e.b.Alloc(backends.Shape{e.trials, n}) }

// upload replicates a host vector over trials into t.
func (e *denseEngine) uploadRep(t backends.Tensor, v []float64) {
	n := len(v)
	e.ensureHost(e.trials * n)
	for tr := 0; tr < e.trials; tr++ {
		for i, x := range v {
			e.host[tr*n+i] = float32(x)
		}
	}
	e.b.Upload(t, e.host[:e.trials*n])
}

func (e *denseEngine) ensureHost(n int) {
	if cap(e.host) < n {
		e.host = make([]float32, n)
	}
	e.host = e.host[:n]
}

// buildDense creates the dense engine from the simulation's populations and
// projections (their current host state becomes the initial state of every
// trial).
func (s *Sim) buildDense() error {
	b := s.cfg.Backend
	e := &denseEngine{b: b, trials: s.cfg.Trials, byPop: map[Neurons]densePop{}, ones: map[int]backends.Tensor{}, trialSpikes: map[Neurons][][]int32{}}
	for _, p := range s.pops {
		var dp densePop
		switch q := p.(type) {
		case *LIF:
			dp = newDenseLIF(e, q)
		case *Izhikevich:
			dp = newDenseIzh(e, q, s.cfg.Seed)
		case *Poisson:
			dp = newDenseHostSpikes(e, q, func(k int64, tr int, dst []int32) []int32 { return q.draw(k, tr, dst) })
		case *SpikeSource:
			dp = newDenseHostSpikes(e, q, func(k int64, tr int, dst []int32) []int32 {
				if tr == 0 {
					q.threshold(k)
				}
				return append(dst, q.spikes...)
			})
		default:
			return fmt.Errorf("network: the dense engine does not support %s populations (%s); use Engine \"event\"", p.Model(), p.Name())
		}
		e.pops = append(e.pops, dp)
		e.byPop[p] = dp
		e.trialSpikes[p] = make([][]int32, e.trials)
	}
	for _, sp := range s.projs {
		if sp.P.Plasticity != nil {
			dp, err := e.newDensePlastic(s, sp)
			if err != nil {
				return err
			}
			e.plastic = append(e.plastic, dp)
			e.order = append(e.order, dp)
			continue
		}
		dp := &denseProj{pre: e.byPop[sp.Pre], post: e.byPop[sp.Post], preName: sp.Pre}
		p := sp.P
		ex, in := dp.post.inputs()
		split := ex != in
		mats := map[int][2][]float32{}
		for i := 0; i < p.NPre; i++ {
			for q := p.Start[i]; q < p.Start[i+1]; q++ {
				d := int(p.Delay[q])
				m, ok := mats[d]
				if !ok {
					m = [2][]float32{make([]float32, p.NPost*p.NPre), nil}
					if split {
						m[1] = make([]float32, p.NPost*p.NPre)
					}
				}
				w := p.W[q]
				idx := int(p.Post[q])*p.NPre + i
				if split && w < 0 {
					m[1][idx] += w
				} else {
					m[0][idx] += w
				}
				mats[d] = m
			}
		}
		for d := 1; d <= s.maxDelay; d++ {
			m, ok := mats[d]
			if !ok {
				continue
			}
			dp.delays = append(dp.delays, d)
			wt := b.Alloc(backends.Shape{p.NPost, p.NPre})
			b.Upload(wt, m[0])
			dp.wex = append(dp.wex, wt)
			if split {
				wi := b.Alloc(backends.Shape{p.NPost, p.NPre})
				b.Upload(wi, m[1])
				dp.win = append(dp.win, wi)
			}
		}
		dp.tmp = e.alloc(p.NPost)
		dp.hist = make([]backends.Tensor, s.maxDelay+1)
		for r := range dp.hist {
			dp.hist[r] = e.alloc(p.NPre)
		}
		dp.count = make([]int, s.maxDelay+1)
		e.projs = append(e.projs, dp)
		e.order = append(e.order, dp)
	}
	for _, m := range s.stateMon {
		if proj, ok := m.target.(*synapse.Projection); ok {
			if proj.Plasticity == nil {
				continue // static weights live on the host too
			}
			if m.Var != "w" {
				return fmt.Errorf("network: the dense engine records a plastic projection's w, not %s.%s; use the event engine for traces", proj.Name, m.Var)
			}
			for _, dp := range e.plastic {
				if dp.p == proj {
					m.prepare = dp.readWeights
				}
			}
			continue
		}
		pop, ok := m.target.(Neurons)
		if !ok {
			continue
		}
		t, ok := e.byPop[pop].tensor(m.Var)
		if !ok {
			return fmt.Errorf("network: the dense engine cannot record %s.%s", pop.Name(), m.Var)
		}
		buf := make([]float32, e.trials*pop.Size())
		m.prepare = func() { b.Download(buf, t) }
		m.read = func(i int, k int64) float64 { return float64(buf[i]) } // trial 0
	}
	s.dense = e
	return nil
}

// advance runs phases 1–4 of step k on the device and brings the spikes
// of every trial to the host.
func (e *denseEngine) advance(s *Sim, k int64) {
	for _, p := range e.pops {
		p.update(k)
	}
	for q, p := range e.pops {
		p.threshold(k)
		pop := s.pops[q]
		n := pop.Size()
		e.ensureHost(e.trials * n)
		e.b.Download(e.host, p.spikes())
		ts := e.trialSpikes[pop]
		for tr := 0; tr < e.trials; tr++ {
			ts[tr] = ts[tr][:0]
			for i, v := range e.host[tr*n : (tr+1)*n] {
				if v != 0 {
					ts[tr] = append(ts[tr], int32(i))
				}
			}
			s.spikeCount += int64(len(ts[tr]))
		}
		b := pop.base()
		b.spikes = append(b.spikes[:0], ts[0]...)
	}
	for _, o := range e.order {
		switch dp := o.(type) {
		case *densePlastic:
			dp.step(k)
		case *denseProj:
			e.staticStep(dp, k)
		}
	}
	for _, c := range s.mods {
		c.Apply(k)
	}
	for _, p := range e.pops {
		p.reset(k)
	}
}

// staticStep delivers the arrivals of step k through a static projection.
func (e *denseEngine) staticStep(dp *denseProj, k int64) {
	r := int64(len(dp.hist))
	slot := k % r
	e.b.Copy(dp.hist[slot], dp.pre.spikes())
	total := 0
	for _, t := range e.trialSpikes[dp.preName] {
		total += len(t)
	}
	dp.count[slot] = total
	ex, in := dp.post.inputs()
	for q, d := range dp.delays {
		from := k - int64(d)
		if from < 0 || dp.count[from%r] == 0 {
			continue
		}
		e.b.Linear(dp.tmp, dp.hist[from%r], dp.wex[q], nil)
		e.b.Add(ex, ex, dp.tmp)
		if dp.win != nil {
			e.b.Linear(dp.tmp, dp.hist[from%r], dp.win[q], nil)
			e.b.Add(in, in, dp.tmp)
		}
	}
}

// SyncWeights copies the dense engine's plastic weights back into the host
// projections (p.W), e.g. before reading or monitoring them; a no-op for
// the event engine.
func (s *Sim) SyncWeights() {
	if s.dense == nil {
		return
	}
	for _, dp := range s.dense.plastic {
		dp.readWeights()
	}
}

// TrialSpikes returns the neurons of pop that spiked at the current step in
// trial t (the dense engine; with the event engine only trial 0 exists).
func (s *Sim) TrialSpikes(pop Neurons, t int) []int32 {
	if s.dense == nil {
		if t != 0 {
			panic(fmt.Sprintf("network: trial %d of a single-trial simulation", t))
		}
		return pop.Spikes()
	}
	return s.dense.trialSpikes[pop][t]
}

// denseLIF is a LIF population on the device (docs/SIMULATED_TIME.md's
// propagator in float32; the refractory state is a step countdown).
type denseLIF struct {
	e                        *denseEngine
	l                        *LIF
	v, iex, iin, ie, ref, nr backends.Tensor
	spk, t1                  backends.Tensor
	one                      backends.Tensor
}

func newDenseLIF(e *denseEngine, l *LIF) *denseLIF {
	n := l.n
	d := &denseLIF{e: e, l: l, one: e.one(n)}
	for _, t := range []*backends.Tensor{&d.v, &d.iex, &d.iin, &d.ie, &d.ref, &d.nr, &d.spk, &d.t1} {
		*t = e.alloc(n)
	}
	e.uploadRep(d.v, l.V)
	e.uploadRep(d.iex, l.IEx)
	e.uploadRep(d.iin, l.IIn)
	e.uploadRep(d.ie, l.IE)
	return d
}

func (d *denseLIF) update(k int64) {
	b, l := d.e.b, d.l
	// nr = 1 − sign(ref): integrate only neurons whose countdown is over
	b.Sign(d.t1, d.ref)
	b.Copy(d.nr, d.one)
	b.AXPY(d.nr, -1, d.t1)
	// V_new − V = (p22 − 1)·V + EL·(1 − p22) + pIE·IE + pEx·I_ex + pIn·I_in
	b.Fill(d.t1, float32(l.P.EL*(1-l.p22)))
	b.AXPY(d.t1, float32(l.p22-1), d.v)
	b.AXPY(d.t1, float32(l.pIE), d.ie)
	b.AXPY(d.t1, float32(l.pEx), d.iex)
	b.AXPY(d.t1, float32(l.pIn), d.iin)
	b.Mul(d.t1, d.t1, d.nr)
	b.Add(d.v, d.v, d.t1)
	b.AXPY(d.iex, float32(l.eEx-1), d.iex)
	b.AXPY(d.iin, float32(l.eIn-1), d.iin)
	b.AXPY(d.ref, -1, d.one)
	b.Activation(d.ref, d.ref, backends.ActParams{Kind: backends.ReLU})
}

func (d *denseLIF) threshold(k int64) {
	b := d.e.b
	b.Copy(d.t1, d.v)
	b.AXPY(d.t1, float32(-d.l.P.VTh), d.one)
	b.Sign(d.t1, d.t1)
	b.Activation(d.spk, d.t1, backends.ActParams{Kind: backends.ReLU})
	b.Mul(d.spk, d.spk, d.nr)
}

func (d *denseLIF) reset(k int64) {
	b := d.e.b
	b.Fill(d.t1, float32(d.l.P.VReset))
	b.AXPY(d.t1, -1, d.v)
	b.Mul(d.t1, d.t1, d.spk)
	b.Add(d.v, d.v, d.t1)
	if d.l.nRef > 1 {
		b.AXPY(d.ref, float32(d.l.nRef-1), d.spk)
	}
}

func (d *denseLIF) spikes() backends.Tensor          { return d.spk }
func (d *denseLIF) inputs() (ex, in backends.Tensor) { return d.iex, d.iin }
func (d *denseLIF) tensor(n string) (backends.Tensor, bool) {
	switch n {
	case "V":
		return d.v, true
	case "I_ex":
		return d.iex, true
	case "I_in":
		return d.iin, true
	case "I_e":
		return d.ie, true
	}
	return nil, false
}

// denseIzh is an Izhikevich population on the device.
type denseIzh struct {
	e                      *denseEngine
	z                      *Izhikevich
	v, u, in, a, bb, c, dd backends.Tensor
	spk, f, t1             backends.Tensor
	one                    backends.Tensor
	keys                   []uint64
	hostIn                 []float32
	ext                    []float64
}

func newDenseIzh(e *denseEngine, z *Izhikevich, seed uint64) *denseIzh {
	n := z.n
	d := &denseIzh{e: e, z: z, one: e.one(n)}
	for _, t := range []*backends.Tensor{&d.v, &d.u, &d.in, &d.a, &d.bb, &d.c, &d.dd, &d.spk, &d.f, &d.t1} {
		*t = e.alloc(n)
	}
	e.uploadRep(d.v, z.V)
	e.uploadRep(d.u, z.U)
	e.uploadRep(d.in, z.I)
	e.uploadRep(d.a, z.A)
	e.uploadRep(d.bb, z.B)
	e.uploadRep(d.c, z.C)
	e.uploadRep(d.dd, z.D)
	d.keys = make([]uint64, e.trials)
	for t := range d.keys {
		d.keys[t] = z.noiseKey
		if t > 0 {
			d.keys[t] = rng.Key(seed, fmt.Sprintf("sim/noise/%s/trial%d", z.name, t))
		}
	}
	d.hostIn = make([]float32, e.trials*n)
	d.ext = make([]float64, n)
	return d
}

func (d *denseIzh) update(k int64) {
	b, z, n := d.e.b, d.z, d.z.n
	if z.P.Noise != 0 || z.External != nil {
		clear(d.ext)
		if z.External != nil {
			z.External(k, d.ext)
		}
		for t := 0; t < d.e.trials; t++ {
			for i := 0; i < n; i++ {
				x := d.ext[i]
				if z.P.Noise != 0 {
					x += z.P.Noise * (uniform01(d.keys[t], k, i) - 0.5)
				}
				d.hostIn[t*n+i] = float32(x)
			}
		}
		b.Upload(d.t1, d.hostIn)
		b.Add(d.in, d.in, d.t1)
	}
	h := float32(d.e.dtOf(z) / 2)
	for half := 0; half < 2; half++ {
		// f = 0.04·v² + 5v + 140 − u + I
		b.Mul(d.t1, d.v, d.v)
		b.Fill(d.f, 140)
		b.AXPY(d.f, 0.04, d.t1)
		b.AXPY(d.f, 5, d.v)
		b.AXPY(d.f, -1, d.u)
		b.Add(d.f, d.f, d.in)
		b.AXPY(d.v, h, d.f)
	}
	// u += dt·a·(b·v − u)
	b.Mul(d.t1, d.bb, d.v)
	b.AXPY(d.t1, -1, d.u)
	b.Mul(d.t1, d.t1, d.a)
	b.AXPY(d.u, float32(d.e.dtOf(z)), d.t1)
	b.Fill(d.in, 0)
}

func (d *denseIzh) threshold(k int64) {
	b := d.e.b
	// spike = 1 − ReLU(sign(30 − v)): v ≥ 30 mV
	b.Fill(d.t1, 30)
	b.AXPY(d.t1, -1, d.v)
	b.Sign(d.t1, d.t1)
	b.Activation(d.t1, d.t1, backends.ActParams{Kind: backends.ReLU})
	b.Copy(d.spk, d.one)
	b.AXPY(d.spk, -1, d.t1)
}

func (d *denseIzh) reset(k int64) {
	b := d.e.b
	b.Copy(d.t1, d.c)
	b.AXPY(d.t1, -1, d.v)
	b.Mul(d.t1, d.t1, d.spk)
	b.Add(d.v, d.v, d.t1)
	b.Mul(d.t1, d.dd, d.spk)
	b.Add(d.u, d.u, d.t1)
}

func (d *denseIzh) spikes() backends.Tensor          { return d.spk }
func (d *denseIzh) inputs() (ex, in backends.Tensor) { return d.in, d.in }
func (d *denseIzh) tensor(n string) (backends.Tensor, bool) {
	switch n {
	case "v":
		return d.v, true
	case "u":
		return d.u, true
	case "I":
		return d.in, true
	}
	return nil, false
}

func (e *denseEngine) dtOf(z *Izhikevich) float64 { return z.sim.cfg.DT }

// denseHostSpikes is a source whose spikes are decided on the host (Poisson
// draws per trial, spike sources) and uploaded each step.
type denseHostSpikes struct {
	e    *denseEngine
	n    int
	draw func(k int64, trial int, dst []int32) []int32
	spk  backends.Tensor
	buf  []int32
	host []float32
}

func newDenseHostSpikes(e *denseEngine, pop Neurons, draw func(k int64, trial int, dst []int32) []int32) *denseHostSpikes {
	return &denseHostSpikes{e: e, n: pop.Size(), draw: draw, spk: e.alloc(pop.Size()), host: make([]float32, e.trials*pop.Size())}
}

func (d *denseHostSpikes) update(k int64) {}

func (d *denseHostSpikes) threshold(k int64) {
	clear(d.host)
	for t := 0; t < d.e.trials; t++ {
		d.buf = d.draw(k, t, d.buf[:0])
		for _, i := range d.buf {
			d.host[t*d.n+int(i)] = 1
		}
	}
	d.e.b.Upload(d.spk, d.host)
}

func (d *denseHostSpikes) reset(k int64)                         {}
func (d *denseHostSpikes) spikes() backends.Tensor               { return d.spk }
func (d *denseHostSpikes) inputs() (ex, in backends.Tensor)      { return nil, nil }
func (d *denseHostSpikes) tensor(string) (backends.Tensor, bool) { return nil, false }
