package synapse

import (
	"fmt"
	"math"
	"sort"
)

// MaxDelaySteps is the largest synaptic delay a projection stores, in steps
// (delays are uint16): 6553.5 ms at dt = 0.1 ms, 65.5 s at 1 ms.
const MaxDelaySteps = math.MaxUint16

// Edges is an explicit list of synapses: synapse s goes from presynaptic
// neuron Pre[s] to postsynaptic neuron Post[s] with weight W[s] and a delay of
// DelaySteps[s] ≥ 1 simulation steps.
type Edges struct {
	Pre, Post  []int32
	DelaySteps []uint16
	W          []float32
}

// Len is the number of synapses.
func (e Edges) Len() int { return len(e.Pre) }

// Projection is a synapse group that lives in simulated time
// (docs/SIMULATED_TIME.md): per-synapse weight and delay, stored as CSR by
// presynaptic neuron with each neuron's synapses sorted by delay, so a spike
// touches exactly its synapses when their delay is due. When plastic it keeps
// per-synapse STDP state (presynaptic trace, eligibility and the step of the
// last update) that decays exactly and is updated lazily, only when an event
// touches the synapse; the postsynaptic trace is kept per postsynaptic neuron
// (every synapse onto a neuron sees the same postsynaptic spikes).
//
// Memory: 10 bytes per static synapse (target, delay, weight); 26 bytes per
// plastic one (+ presynaptic trace, eligibility, last-update step, and the
// reverse index used by postsynaptic events), plus a few bytes per (neuron,
// delay) segment.
type Projection struct {
	Name       string
	NPre       int
	NPost      int
	DT         float64 // ms per step
	MaxDelay   int     // largest delay in steps
	Plasticity *STDPParams

	// CSR by presynaptic neuron: synapses of neuron i are [Start[i], Start[i+1]).
	Start []int32
	Post  []int32
	Delay []uint16
	W     []float32

	// Plastic state (nil when Plasticity is nil).
	APre  []float32 // presynaptic trace at step Last[s]
	C     []float32 // eligibility at step Last[s] (Modulated only)
	Last  []int32   // step of the last lazy update of synapse s
	APost []float32 // postsynaptic trace per postsynaptic neuron, at APostLast[j]
	// APostLast is the step of the last update of APost[j].
	APostLast []int32
	// InStart/InSyn: CSR by postsynaptic neuron, listing synapse positions.
	InStart, InSyn []int32

	// segments: runs of one presynaptic neuron's synapses with equal delay.
	segStart []int32  // per presynaptic neuron, first segment; len NPre+1
	segBegin []int32  // first synapse of the segment (end = next segBegin or Start[i+1])
	segEnd   []int32  // one past the last synapse of the segment
	segDelay []uint16 // the segment's delay
	// queue: ring of MaxDelay+1 slots of segment ids due at that step;
	// for graded (rate) presynaptic populations, amp holds each queued
	// segment's presynaptic activity.
	queue [][]int32
	amp   [][]float32

	// targets the delivered weights go to (set by the network): Ex for
	// w ≥ 0, In for w < 0 (the same slice for single-input neurons).
	Ex, In []float64

	// decay tables for the lazy exact decay
	tabPlus, tabMinus, tabC decayTable
	updateEvery             int64

	// Events counts synaptic events delivered (pre events), PostEvents the
	// synapse updates caused by postsynaptic spikes.
	Events, PostEvents int64
}

// NewProjection builds a projection of nPre × nPost neurons from explicit
// synapses. dt is the step in ms; maxDelay the largest delay (steps) the
// simulation's queue allows; plasticity nil for static synapses.
func NewProjection(name string, nPre, nPost int, e Edges, dt float64, maxDelay int, plasticity *STDPParams) (*Projection, error) {
	n := e.Len()
	if len(e.Post) != n || len(e.DelaySteps) != n || len(e.W) != n {
		return nil, fmt.Errorf("synapse: projection %s: edge arrays have lengths %d, %d, %d, %d (pre, post, delay, w); they must match", name, n, len(e.Post), len(e.DelaySteps), len(e.W))
	}
	if n > math.MaxInt32-1 {
		return nil, fmt.Errorf("synapse: projection %s has %d synapses; at most %d fit one projection", name, n, math.MaxInt32-1)
	}
	if maxDelay < 1 || maxDelay > MaxDelaySteps {
		return nil, fmt.Errorf("synapse: projection %s: maximum delay %d steps must be in [1, %d]", name, maxDelay, MaxDelaySteps)
	}
	for s := 0; s < n; s++ {
		if e.Pre[s] < 0 || int(e.Pre[s]) >= nPre || e.Post[s] < 0 || int(e.Post[s]) >= nPost {
			return nil, fmt.Errorf("synapse: projection %s: synapse %d connects %d→%d, outside %d presynaptic × %d postsynaptic neurons", name, s, e.Pre[s], e.Post[s], nPre, nPost)
		}
		if d := int(e.DelaySteps[s]); d < 1 || d > maxDelay {
			return nil, fmt.Errorf("synapse: projection %s: synapse %d (%d→%d) has a delay of %d steps; delays must be in [1, %d] steps (dt larger than the smallest delay, or a delay beyond the simulation's MaxDelayMS?)", name, s, e.Pre[s], e.Post[s], d, maxDelay)
		}
		if w := e.W[s]; math.IsNaN(float64(w)) || math.IsInf(float64(w), 0) {
			return nil, fmt.Errorf("synapse: projection %s: synapse %d (%d→%d) has weight %v", name, s, e.Pre[s], e.Post[s], w)
		}
	}
	if plasticity != nil {
		if err := plasticity.Validate(); err != nil {
			return nil, fmt.Errorf("projection %s: %w", name, err)
		}
	}
	p := &Projection{Name: name, NPre: nPre, NPost: nPost, DT: dt, MaxDelay: maxDelay}
	// Sort by (pre, delay, original index): stable, deterministic.
	order := make([]int32, n)
	for s := range order {
		order[s] = int32(s)
	}
	sort.Slice(order, func(a, b int) bool {
		sa, sb := order[a], order[b]
		if e.Pre[sa] != e.Pre[sb] {
			return e.Pre[sa] < e.Pre[sb]
		}
		if e.DelaySteps[sa] != e.DelaySteps[sb] {
			return e.DelaySteps[sa] < e.DelaySteps[sb]
		}
		return sa < sb
	})
	p.Start = make([]int32, nPre+1)
	p.Post = make([]int32, n)
	p.Delay = make([]uint16, n)
	p.W = make([]float32, n)
	for i, s := range order {
		p.Post[i], p.Delay[i], p.W[i] = e.Post[s], e.DelaySteps[s], e.W[s]
		p.Start[e.Pre[s]+1]++
	}
	for i := 0; i < nPre; i++ {
		p.Start[i+1] += p.Start[i]
	}
	p.segStart = make([]int32, nPre+1)
	for i := 0; i < nPre; i++ {
		p.segStart[i] = int32(len(p.segBegin))
		for s := p.Start[i]; s < p.Start[i+1]; {
			t := s
			for t < p.Start[i+1] && p.Delay[t] == p.Delay[s] {
				t++
			}
			p.segBegin = append(p.segBegin, s)
			p.segEnd = append(p.segEnd, t)
			p.segDelay = append(p.segDelay, p.Delay[s])
			s = t
		}
	}
	p.segStart[nPre] = int32(len(p.segBegin))
	p.queue = make([][]int32, maxDelay+1)
	if plasticity != nil {
		pp := *plasticity
		p.Plasticity = &pp
		p.APre = make([]float32, n)
		p.Last = make([]int32, n)
		p.APost = make([]float32, nPost)
		p.APostLast = make([]int32, nPost)
		p.tabPlus = newDecayTable(dt, pp.TauPlusMS)
		p.tabMinus = newDecayTable(dt, pp.TauMinusMS)
		if pp.Modulated {
			p.C = make([]float32, n)
			p.tabC = newDecayTable(dt, pp.TauCMS)
			every := pp.UpdateEveryMS / dt
			p.updateEvery = int64(math.Round(every))
			if p.updateEvery < 1 || math.Abs(every-float64(p.updateEvery)) > 1e-6*math.Max(1, every) {
				return nil, fmt.Errorf("synapse: projection %s: UpdateEveryMS = %v ms is not a whole number of %v ms steps", name, pp.UpdateEveryMS, dt)
			}
		}
		p.InStart = make([]int32, nPost+1)
		for _, j := range p.Post {
			p.InStart[j+1]++
		}
		for j := 0; j < nPost; j++ {
			p.InStart[j+1] += p.InStart[j]
		}
		p.InSyn = make([]int32, n)
		fill := append([]int32(nil), p.InStart[:nPost]...)
		for s, j := range p.Post {
			p.InSyn[fill[j]] = int32(s)
			fill[j]++
		}
	}
	return p, nil
}

// Len is the number of synapses.
func (p *Projection) Len() int { return len(p.Post) }

// Segments is the number of (presynaptic neuron, delay) runs the queue
// refers to.
func (p *Projection) Segments() int { return len(p.segBegin) }

// UpdateEvery is the modulated update's period in steps (0 when the
// projection is not modulated).
func (p *Projection) UpdateEvery() int64 { return p.updateEvery }

// Push queues the spikes of presynaptic neurons emitted at step k: each of
// their delay segments is due at step k + delay. Call once per step with that
// step's spikes, before Deliver(k).
func (p *Projection) Push(k int64, spikes []int32) {
	r := int64(len(p.queue))
	for _, i := range spikes {
		for g := p.segStart[i]; g < p.segStart[i+1]; g++ {
			slot := (k + int64(p.segDelay[g])) % r
			p.queue[slot] = append(p.queue[slot], g)
		}
	}
}

// PushGraded queues the graded activity of a rate population at step k:
// every neuron with nonzero activity sends w·act[i] through each synapse,
// arriving after the synapse's delay. Graded projections cannot be plastic.
func (p *Projection) PushGraded(k int64, act []float64) {
	if p.amp == nil {
		p.amp = make([][]float32, len(p.queue))
	}
	r := int64(len(p.queue))
	for i, a := range act {
		if a == 0 {
			continue
		}
		for g := p.segStart[i]; g < p.segStart[i+1]; g++ {
			slot := (k + int64(p.segDelay[g])) % r
			p.queue[slot] = append(p.queue[slot], g)
			p.amp[slot] = append(p.amp[slot], float32(a))
		}
	}
}

// Deliver runs the pre events due at step k (docs/SIMULATED_TIME.md, phase
// 3b): each synapse adds its weight to its target, then, if plastic, its
// lazily decayed state is brought to step k, the eligibility (or weight)
// takes the postsynaptic trace (depression) and the presynaptic trace takes
// the spike.
func (p *Projection) Deliver(k int64) {
	slot := k % int64(len(p.queue))
	segs := p.queue[slot]
	if p.amp != nil {
		amps := p.amp[slot]
		for q, g := range segs {
			a := float64(amps[q])
			for s := p.segBegin[g]; s < p.segEnd[g]; s++ {
				v := float64(p.W[s]) * a
				if v >= 0 {
					p.Ex[p.Post[s]] += v
				} else {
					p.In[p.Post[s]] += v
				}
			}
			p.Events += int64(p.segEnd[g] - p.segBegin[g])
		}
		p.amp[slot] = amps[:0]
	} else if p.Plasticity == nil {
		for _, g := range segs {
			for s := p.segBegin[g]; s < p.segEnd[g]; s++ {
				w := p.W[s]
				if w >= 0 {
					p.Ex[p.Post[s]] += float64(w)
				} else {
					p.In[p.Post[s]] += float64(w)
				}
			}
			p.Events += int64(p.segEnd[g] - p.segBegin[g])
		}
	} else {
		for _, g := range segs {
			p.preEvents(int32(k), p.segBegin[g], p.segEnd[g])
		}
	}
	p.queue[slot] = segs[:0]
}

func (p *Projection) preEvents(k int32, begin, end int32) {
	st := p.Plasticity
	aPlus := float32(st.APlus)
	wmin, wmax := float32(st.WMin), float32(st.WMax)
	for s := begin; s < end; s++ {
		j := p.Post[s]
		w := p.W[s]
		if w >= 0 {
			p.Ex[j] += float64(w)
		} else {
			p.In[j] += float64(w)
		}
		gap := k - p.Last[s]
		apre := p.APre[s] * p.tabPlus.at(gap, p.DT, st.TauPlusMS)
		apost := p.APost[j] * p.tabMinus.at(k-p.APostLast[j], p.DT, st.TauMinusMS)
		if st.Modulated {
			p.C[s] = p.C[s]*p.tabC.at(gap, p.DT, st.TauCMS) + apost
		} else {
			p.W[s] = clamp32(w+apost, wmin, wmax)
		}
		if st.Nearest {
			apre = aPlus
		} else {
			apre += aPlus
		}
		p.APre[s] = apre
		p.Last[s] = k
	}
	p.Events += int64(end - begin)
}

// PostSpikes runs the post events of step k (phase 3a) for the given
// postsynaptic spikes: the neuron's trace takes the spike and every synapse
// onto it takes its presynaptic trace (potentiation). A no-op for static
// projections.
func (p *Projection) PostSpikes(k int64, spikes []int32) {
	st := p.Plasticity
	if st == nil {
		return
	}
	k32 := int32(k)
	aMinus := float32(st.AMinus)
	wmin, wmax := float32(st.WMin), float32(st.WMax)
	for _, j := range spikes {
		ap := p.APost[j] * p.tabMinus.at(k32-p.APostLast[j], p.DT, st.TauMinusMS)
		if st.Nearest {
			ap = aMinus
		} else {
			ap += aMinus
		}
		p.APost[j], p.APostLast[j] = ap, k32
		for q := p.InStart[j]; q < p.InStart[j+1]; q++ {
			s := p.InSyn[q]
			gap := k32 - p.Last[s]
			apre := p.APre[s] * p.tabPlus.at(gap, p.DT, st.TauPlusMS)
			p.APre[s] = apre
			if st.Modulated {
				p.C[s] = p.C[s]*p.tabC.at(gap, p.DT, st.TauCMS) + apre
			} else {
				p.W[s] = clamp32(p.W[s]+apre, wmin, wmax)
			}
			p.Last[s] = k32
		}
		p.PostEvents += int64(p.InStart[j+1] - p.InStart[j])
	}
}

// ModulatedUpdate applies w ← clip(w + Eta·(d − DRef)·c(k)) to every synapse
// at step k, with c(k) the lazily decayed eligibility (read, not stored).
// d is the modulator's concentration at step k.
func (p *Projection) ModulatedUpdate(k int64, d float64) {
	st := p.Plasticity
	f := float32(st.Eta * (d - st.DRef))
	if f == 0 {
		return
	}
	wmin, wmax := float32(st.WMin), float32(st.WMax)
	k32 := int32(k)
	tab := p.tabC[:decayTableLen]
	w := p.W
	c, last := p.C[:len(w)], p.Last[:len(w)] // equal lengths: no bounds checks below
	for s := range w {
		gap := uint32(k32 - last[s])
		var decay float32
		if gap < decayTableLen {
			decay = tab[gap]
		} else {
			decay = float32(math.Exp(-float64(gap) * p.DT / st.TauCMS))
		}
		x := w[s] + f*(c[s]*decay)
		if x < wmin {
			x = wmin
		} else if x > wmax {
			x = wmax
		}
		w[s] = x
	}
}

// ReadAPre returns synapse s's presynaptic trace at step k (CSR position s).
func (p *Projection) ReadAPre(s int, k int64) float32 {
	return p.APre[s] * p.tabPlus.at(int32(k)-p.Last[s], p.DT, p.Plasticity.TauPlusMS)
}

// ReadAPost returns the postsynaptic trace seen by synapse s at step k.
func (p *Projection) ReadAPost(s int, k int64) float32 {
	j := p.Post[s]
	return p.APost[j] * p.tabMinus.at(int32(k)-p.APostLast[j], p.DT, p.Plasticity.TauMinusMS)
}

// ReadC returns synapse s's eligibility at step k.
func (p *Projection) ReadC(s int, k int64) float32 {
	if p.C == nil {
		return 0
	}
	return p.C[s] * p.tabC.at(int32(k)-p.Last[s], p.DT, p.Plasticity.TauCMS)
}

// Index returns the CSR position of the first synapse pre → post (−1 if
// there is none). Positions are ordered by (pre, delay, edge order).
func (p *Projection) Index(pre, post int) int {
	if pre < 0 || pre >= p.NPre {
		return -1
	}
	for s := p.Start[pre]; s < p.Start[pre+1]; s++ {
		if int(p.Post[s]) == post {
			return int(s)
		}
	}
	return -1
}

// PreOf returns the presynaptic neuron of CSR position s.
func (p *Projection) PreOf(s int) int {
	return sort.Search(p.NPre, func(i int) bool { return int(p.Start[i+1]) > s })
}

// Pending returns the queued events as (slot, segment ids) for checkpoints:
// slot r holds the segments due at the next step k with k mod (MaxDelay+1) = r.
func (p *Projection) Pending() [][]int32 {
	out := make([][]int32, len(p.queue))
	for r, q := range p.queue {
		out[r] = append([]int32(nil), q...)
	}
	return out
}

// PendingAmp returns the queued graded amplitudes (nil unless graded),
// parallel to Pending.
func (p *Projection) PendingAmp() [][]float32 {
	if p.amp == nil {
		return nil
	}
	out := make([][]float32, len(p.amp))
	for r, q := range p.amp {
		out[r] = append([]float32(nil), q...)
	}
	return out
}

// SetPendingAmp restores graded amplitudes saved by PendingAmp.
func (p *Projection) SetPendingAmp(a [][]float32) error {
	if a == nil {
		return nil
	}
	if len(a) != len(p.queue) {
		return fmt.Errorf("synapse: projection %s: checkpoint has %d graded slots, the projection %d", p.Name, len(a), len(p.queue))
	}
	p.amp = make([][]float32, len(a))
	for r := range a {
		if len(a[r]) != len(p.queue[r]) {
			return fmt.Errorf("synapse: projection %s: checkpoint's graded slot %d has %d amplitudes for %d events", p.Name, r, len(a[r]), len(p.queue[r]))
		}
		p.amp[r] = append([]float32(nil), a[r]...)
	}
	return nil
}

// SetPending restores queued events saved by Pending.
func (p *Projection) SetPending(q [][]int32) error {
	if len(q) != len(p.queue) {
		return fmt.Errorf("synapse: projection %s: checkpoint has %d delay slots, the projection %d", p.Name, len(q), len(p.queue))
	}
	for r := range q {
		for _, g := range q[r] {
			if g < 0 || int(g) >= len(p.segBegin) {
				return fmt.Errorf("synapse: projection %s: checkpoint names delay segment %d of %d", p.Name, g, len(p.segBegin))
			}
		}
		p.queue[r] = append(p.queue[r][:0], q[r]...)
	}
	return nil
}

// BytesPerSynapse is the projection's memory divided by its synapse count.
func (p *Projection) BytesPerSynapse() float64 {
	n := len(p.Post)
	if n == 0 {
		return 0
	}
	b := 4*len(p.Start) + 4*len(p.Post) + 2*len(p.Delay) + 4*len(p.W)
	b += 4*len(p.segStart) + 4*len(p.segBegin) + 4*len(p.segEnd) + 2*len(p.segDelay)
	b += 4*len(p.APre) + 4*len(p.C) + 4*len(p.Last) + 4*len(p.APost) + 4*len(p.APostLast) + 4*len(p.InStart) + 4*len(p.InSyn)
	return float64(b) / float64(n)
}

func clamp32(x, lo, hi float32) float32 {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}
