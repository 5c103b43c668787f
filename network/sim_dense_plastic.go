package network

import (
	"fmt"
	"math"

	"ghlsim/backends"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// densePlastic is a plastic projection on the device (one trial). Per delay
// d present it keeps the weights W_d, the eligibility C_d and a 0/1 mask M_d
// as dense [post, pre] matrices; traces are clock-driven per neuron: the
// presynaptic trace X with a history ring (the trace of arrivals through
// delay d at step k, before that step's arrivals, is e^{−dt/τ+}·X(k−d−1),
// exactly the event engine's lazily decayed apre), the postsynaptic trace
// per neuron. Each event is one outer product per delay (s_post ⊗ apre_d on
// postsynaptic spikes, apost ⊗ s_pre on arrivals), masked to the synapses.
// docs/SIMULATED_TIME.md's semantics, in float32.
type densePlastic struct {
	e        *denseEngine
	p        *synapse.Projection
	st       synapse.STDPParams
	pre      densePop
	post     densePop
	preName  Neurons
	postName Neurons
	mod      *neuromod.Concentration
	delays   []int
	w, c, m  []backends.Tensor // per delay
	onesM    backends.Tensor   // [post, pre] of ones
	tw, t2   backends.Tensor   // [post, pre] scratch
	x        []backends.Tensor // presynaptic trace history, ring of maxDelay+2
	apost    backends.Tensor   // [1, post]
	tpre     backends.Tensor   // [1, pre]
	tpost    backends.Tensor   // [1, post]
	hist     []backends.Tensor // presynaptic spikes ring, maxDelay+1
	count    []int
	onePre   backends.Tensor
	onePost  backends.Tensor
	ePlus    float32
	eMinus   float32
	eC       float32
}

func (e *denseEngine) newDensePlastic(s *Sim, sp *simProj) (*densePlastic, error) {
	p := sp.P
	if e.trials != 1 {
		return nil, fmt.Errorf("network: plastic projection %s: the dense engine learns one trial at a time (Trials = 1); each trial would need its own weights", p.Name)
	}
	st := *p.Plasticity
	dp := &densePlastic{e: e, p: p, st: st, pre: e.byPop[sp.Pre], post: e.byPop[sp.Post], preName: sp.Pre, postName: sp.Post, mod: sp.Mod}
	ex, in := dp.post.inputs()
	if ex != in && st.WMin < 0 && st.WMax > 0 {
		return nil, fmt.Errorf("network: plastic projection %s: weights in [%v, %v] may change sign, which the dense engine cannot route to excitatory and inhibitory currents; use bounds of one sign or the event engine", p.Name, st.WMin, st.WMax)
	}
	b := e.b
	np, nq := p.NPost, p.NPre
	mats := map[int][2][]float32{}
	for i := 0; i < nq; i++ {
		for q := p.Start[i]; q < p.Start[i+1]; q++ {
			d := int(p.Delay[q])
			m, ok := mats[d]
			if !ok {
				m = [2][]float32{make([]float32, np*nq), make([]float32, np*nq)}
			}
			idx := int(p.Post[q])*nq + i
			if m[1][idx] != 0 {
				return nil, fmt.Errorf("network: plastic projection %s has two synapses %d→%d with the same delay; the dense engine needs them merged", p.Name, i, p.Post[q])
			}
			m[0][idx], m[1][idx] = p.W[q], 1
			mats[d] = m
		}
	}
	shape := backends.Shape{np, nq}
	for d := 1; d <= s.maxDelay; d++ {
		m, ok := mats[d]
		if !ok {
			continue
		}
		dp.delays = append(dp.delays, d)
		w, mk := b.Alloc(shape), b.Alloc(shape)
		b.Upload(w, m[0])
		b.Upload(mk, m[1])
		dp.w, dp.m = append(dp.w, w), append(dp.m, mk)
		if st.Modulated {
			dp.c = append(dp.c, b.Alloc(shape))
		}
	}
	dp.onesM, dp.tw, dp.t2 = b.Alloc(shape), b.Alloc(shape), b.Alloc(shape)
	b.Fill(dp.onesM, 1)
	dp.x = make([]backends.Tensor, s.maxDelay+2)
	for r := range dp.x {
		dp.x[r] = b.Alloc(backends.Shape{1, nq})
	}
	dp.hist = make([]backends.Tensor, s.maxDelay+1)
	for r := range dp.hist {
		dp.hist[r] = b.Alloc(backends.Shape{1, nq})
	}
	dp.count = make([]int, s.maxDelay+1)
	dp.apost, dp.tpost, dp.tpre = b.Alloc(backends.Shape{1, np}), b.Alloc(backends.Shape{1, np}), b.Alloc(backends.Shape{1, nq})
	dp.onePre, dp.onePost = e.one(nq), e.one(np)
	dp.ePlus = float32(expNeg(s.cfg.DT, st.TauPlusMS))
	dp.eMinus = float32(expNeg(s.cfg.DT, st.TauMinusMS))
	if st.Modulated {
		dp.eC = float32(expNeg(s.cfg.DT, st.TauCMS))
	}
	return dp, nil
}

// bump applies a spike to a trace: x ← x + A·s (all-to-all) or
// x ← x + s·(A − x) (nearest).
func (dp *densePlastic) bump(x, spk, ones backends.Tensor, a float64, scratch backends.Tensor) {
	b := dp.e.b
	if !dp.st.Nearest {
		b.AXPY(x, float32(a), spk)
		return
	}
	b.Fill(scratch, float32(a))
	b.AXPY(scratch, -1, x)
	b.Mul(scratch, scratch, spk)
	b.Add(x, x, scratch)
}

// change adds tw (already masked) to C_d, or to W_d with clipping.
func (dp *densePlastic) change(q int) {
	b := dp.e.b
	if dp.st.Modulated {
		b.Add(dp.c[q], dp.c[q], dp.tw)
		return
	}
	b.Add(dp.w[q], dp.w[q], dp.tw)
	dp.clip(q)
}

// clip bounds W_d to [WMin, WMax] on its synapses (lo + ReLU(w − lo) −
// ReLU(w − hi)) and keeps the non-synapses at 0.
func (dp *densePlastic) clip(q int) {
	b := dp.e.b
	relu := backends.ActParams{Kind: backends.ReLU}
	b.Copy(dp.tw, dp.w[q])
	b.AXPY(dp.tw, float32(-dp.st.WMin), dp.onesM)
	b.Activation(dp.tw, dp.tw, relu)
	b.Copy(dp.t2, dp.w[q])
	b.AXPY(dp.t2, float32(-dp.st.WMax), dp.onesM)
	b.Activation(dp.t2, dp.t2, relu)
	b.Fill(dp.w[q], float32(dp.st.WMin))
	b.Add(dp.w[q], dp.w[q], dp.tw)
	b.AXPY(dp.w[q], -1, dp.t2)
	b.Mul(dp.w[q], dp.w[q], dp.m[q])
}

// step runs the projection's synapses phase of step k.
func (dp *densePlastic) step(k int64) {
	b, e := dp.e.b, dp.e
	if k > 0 {
		b.AXPY(dp.apost, dp.eMinus-1, dp.apost)
		for q := range dp.c {
			b.AXPY(dp.c[q], dp.eC-1, dp.c[q])
		}
	}
	rx := int64(len(dp.x))
	// post events: apost takes the spike, synapses onto spiking neurons take apre
	if len(e.trialSpikes[dp.postName][0]) > 0 {
		spk := dp.post.spikes()
		dp.bump(dp.apost, spk, dp.onePost, dp.st.AMinus, dp.tpost)
		for q, d := range dp.delays {
			from := k - int64(d) - 1
			if from < 0 {
				continue
			}
			b.Fill(dp.tpre, 0)
			b.AXPY(dp.tpre, dp.ePlus, dp.x[from%rx])
			b.LinearBackwardWeight(dp.tw, nil, dp.tpre, spk) // s_postᵀ·apre
			b.Mul(dp.tw, dp.tw, dp.m[q])
			dp.change(q)
		}
	}
	// pre events: arrivals deliver w, then take apost
	r := int64(len(dp.hist))
	slot := k % r
	b.Copy(dp.hist[slot], dp.pre.spikes())
	dp.count[slot] = len(e.trialSpikes[dp.preName][0])
	ex, in := dp.post.inputs()
	target := ex
	if dp.st.WMax <= 0 {
		target = in
	}
	for q, d := range dp.delays {
		from := k - int64(d)
		if from < 0 || dp.count[from%r] == 0 {
			continue
		}
		s := dp.hist[from%r]
		b.Linear(dp.tpost, s, dp.w[q], nil)
		b.Add(target, target, dp.tpost)
		b.LinearBackwardWeight(dp.tw, nil, s, dp.apost) // apostᵀ·s_pre
		b.Mul(dp.tw, dp.tw, dp.m[q])
		dp.change(q)
	}
	// the presynaptic trace after this step's spikes
	prev, cur := dp.x[(k+rx-1)%rx], dp.x[k%rx]
	if k == 0 {
		b.Fill(cur, 0)
	} else {
		b.Fill(cur, 0)
		b.AXPY(cur, dp.ePlus, prev)
	}
	dp.bump(cur, dp.pre.spikes(), dp.onePre, dp.st.APlus, dp.tpre)
}

// update applies the modulated weight change of step k (end phase).
func (dp *densePlastic) update(k int64) {
	if dp.mod == nil || k%dp.p.UpdateEvery() != 0 {
		return
	}
	f := float32(dp.st.Eta * (dp.mod.At(k) - dp.st.DRef))
	if f == 0 {
		return
	}
	for q := range dp.w {
		dp.e.b.AXPY(dp.w[q], f, dp.c[q])
		dp.clip(q)
	}
}

// readWeights downloads the weights into the host projection (CSR order).
func (dp *densePlastic) readWeights() {
	np, nq := dp.p.NPost, dp.p.NPre
	mats := make(map[int][]float32, len(dp.delays))
	for q, d := range dp.delays {
		m := make([]float32, np*nq)
		dp.e.b.Download(m, dp.w[q])
		mats[d] = m
	}
	p := dp.p
	for i := 0; i < nq; i++ {
		for s := p.Start[i]; s < p.Start[i+1]; s++ {
			p.W[s] = mats[int(p.Delay[s])][int(p.Post[s])*nq+i]
		}
	}
}

func expNeg(dt, tau float64) float64 { return math.Exp(-dt / tau) }
