package network

import (
	"math"

	"ghlsim/backends"
)

// Synchronised batch normalisation (SyncBN) for data-parallel training: a
// training-mode BatchNorm normalises with the statistics of the whole global
// batch, and its backward pass uses the global Σdy and Σdy·x̂, so N workers
// reproduce the single-worker layer on the full batch.
//
// It is built from the Backend interface's own BatchNorm and
// BatchNormBackward, so it runs on every backend:
//
// Forward. A training-mode pass on the local shard yields the shard's mean
// μ_r and 1/sqrt(v_r+eps) (its output and running-statistics update are
// discarded); from them each worker forms n_r·μ_r and n_r·(v_r + (μ_r−K)²)
// per channel, with K the running mean (identical on every worker, so the
// shift only improves the conditioning), and one float64 all-reduce of 2C
// values gives the global mean μ and biased variance v. An eval-mode pass
// with (μ, v) as its "running" statistics then normalises the shard exactly
// as the full-batch training pass would; μ and 1/sqrt(v+eps) are saved for
// the backward pass and the running statistics are updated on the host with
// the unbiased global variance.
//
// Backward. The backend's training-mode backward on the shard, with the
// global statistics saved above, computes
// dx_r = γ·inv·(dy − S1_r/n_r − x̂·S2_r/n_r) from the shard's S1_r = Σdy and
// S2_r = Σdy·x̂ (it returns them as dβ and dγ; non-affine layers get a unit
// γ for this). The exact dx uses the global sums S1, S2 and count n, and
// differs by the per-channel affine map of x̂
// γ·inv·[(S1_r/n_r − S1/n) + x̂·(S2_r/n_r − S2/n)]; one float64 all-reduce of
// 2C values gives S1 and S2, and an eval-mode BatchNorm pass computes the
// correction, which is added to dx_r. dγ and dβ of affine layers are summed
// with the other gradients after the credit phase.
//
// Cost per layer and step: one extra forward pass and one extra
// elementwise pass over the layer's input, a few [C]-sized host copies, and
// two all-reduces of 2C float64 values. The local variance is recovered from
// the saved float32 1/sqrt(v_r+eps), a relative error of about 1e-7·(1 +
// eps/v_r) — within the float32 rounding the equivalence tests allow.

// syncBN is one BatchNorm layer's SyncBN scratch.
type syncBN struct {
	c, count int              // channels; values per channel in the shard (B·H·W)
	local    backends.BNState // the shard's own statistics (running ones discarded)
	gm, gv   backends.Tensor  // global mean and biased variance, as eval-mode running stats
	ones     backends.Tensor  // unit γ for non-affine layers
	s1, s2   backends.Tensor  // Σdy and Σdy·x̂ sinks for non-affine layers
	ga, gb   backends.Tensor  // correction: scale of x̂ and shift
	corr     backends.Tensor  // the dx correction, shape of the input

	hm, hi, hv, hr, hrv, hg, h1, h2 []float32 // host [C] buffers (hi: global inv, kept for the backward pass)
	ha, hb                          []float32 // host correction coefficients
	buf                             []float64 // host [2C] collective buffer
}

// newSyncBN allocates a layer's SyncBN scratch.
func newSyncBN(n *Network, o *bnOp) *syncBN {
	b := n.B
	c := o.in.Shape[1]
	cs := backends.Shape{c}
	s := &syncBN{c: c, count: o.in.Shape.Len() / c}
	s.local = backends.BNState{RunMean: b.Alloc(cs), RunVar: b.Alloc(cs), SaveMean: b.Alloc(cs), SaveInvStd: b.Alloc(cs)}
	s.gm, s.gv, s.ga, s.gb = b.Alloc(cs), b.Alloc(cs), b.Alloc(cs), b.Alloc(cs)
	if o.gamma == nil {
		s.ones, s.s1, s.s2 = b.Alloc(cs), b.Alloc(cs), b.Alloc(cs)
		b.Fill(s.ones, 1)
	}
	s.corr = b.Alloc(o.in.Shape)
	for _, h := range []*[]float32{&s.hm, &s.hi, &s.hv, &s.hr, &s.hrv, &s.hg, &s.h1, &s.h2, &s.ha, &s.hb} {
		*h = make([]float32, c)
	}
	s.buf = make([]float64, 2*c)
	return s
}

// syncBNForward is bnOp.forward in training mode under data parallelism.
func (n *Network) syncBNForward(o *bnOp) {
	d, b := n.dist, n.B
	s := d.bn[o]
	g, be := o.affine()
	p := o.p
	p.Training = true
	b.BatchNorm(o.out.Act, o.in.Act, g, be, s.local, p)
	b.Download(s.hm, s.local.SaveMean)
	b.Download(s.hi, s.local.SaveInvStd)
	b.Download(s.hr, o.st.RunMean)
	b.Download(s.hrv, o.st.RunVar)
	c, cnt, eps := s.c, float64(s.count), float64(p.Eps)
	for k := range c {
		mu, inv, ref := float64(s.hm[k]), float64(s.hi[k]), float64(s.hr[k])
		v := max(1/(inv*inv)-eps, 0)
		s.buf[k] = cnt * mu
		s.buf[c+k] = cnt * (v + (mu-ref)*(mu-ref))
	}
	if d.host(s.buf) != nil {
		return // the step reports the error; every worker stops there
	}
	total := cnt * float64(d.world)
	mom := float64(p.Momentum)
	for k := range c {
		ref := float64(s.hr[k])
		mu := s.buf[k] / total
		v := max(s.buf[c+k]/total-(mu-ref)*(mu-ref), 0)
		s.hm[k], s.hv[k], s.hi[k] = float32(mu), float32(v), float32(1/math.Sqrt(v+eps))
		s.hr[k] = float32((1-mom)*ref + mom*mu)
		s.hrv[k] = float32((1-mom)*float64(s.hrv[k]) + mom*v*total/max(total-1, 1))
	}
	b.Upload(o.st.SaveMean, s.hm)
	b.Upload(o.st.SaveInvStd, s.hi)
	b.Upload(s.gm, s.hm)
	b.Upload(s.gv, s.hv)
	b.Upload(o.st.RunMean, s.hr)
	b.Upload(o.st.RunVar, s.hrv)
	p.Training = false
	b.BatchNorm(o.out.Act, o.in.Act, g, be, backends.BNState{RunMean: s.gm, RunVar: s.gv}, p)
}

// syncBNBackward is bnOp.backward under data parallelism.
func (n *Network) syncBNBackward(o *bnOp, acc []bool) {
	needIn := o.in.needsGrad
	if !needIn && o.gamma == nil {
		return
	}
	d, b := n.dist, n.B
	s := d.bn[o]
	g := s.ones
	dg, db := s.s2, s.s1
	if o.gamma != nil {
		g, dg, db = o.gamma.Value, o.gamma.Grad, o.beta.Grad
	}
	if !needIn {
		// Only dγ and dβ: shard sums, added up after the credit phase.
		b.BatchNormBackward(o.dxScratch, dg, db, o.out.Grad, o.in.Act, g, o.st, o.p)
		return
	}
	dx := gradInto(o.in, acc[0])
	b.BatchNormBackward(dx, dg, db, o.out.Grad, o.in.Act, g, o.st, o.p)
	b.Download(s.h1, db)
	b.Download(s.h2, dg)
	c := s.c
	for k := range c {
		s.buf[k], s.buf[c+k] = float64(s.h1[k]), float64(s.h2[k])
	}
	if d.host(s.buf) != nil {
		finishGrad(b, o.in, acc[0])
		return
	}
	if o.gamma != nil {
		b.Download(s.hg, o.gamma.Value)
	}
	nl, ng := float64(s.count), float64(s.count*d.world)
	for k := range c {
		gk := 1.0
		if o.gamma != nil {
			gk = float64(s.hg[k])
		}
		gi := gk * float64(s.hi[k]) // γ·inv, inv as saved (float32) for the backend
		s.ha[k] = float32(gi * (float64(s.h2[k])/nl - s.buf[c+k]/ng))
		s.hb[k] = float32(gi * (float64(s.h1[k])/nl - s.buf[k]/ng))
	}
	b.Upload(s.ga, s.ha)
	b.Upload(s.gb, s.hb)
	p := o.p
	p.Training = false
	// corr = x̂·ga + gb, with x̂ = (x − μ)/sqrt(v + eps) from the global statistics.
	b.BatchNorm(s.corr, o.in.Act, s.ga, s.gb, backends.BNState{RunMean: s.gm, RunVar: s.gv}, p)
	b.Add(dx, dx, s.corr)
	finishGrad(b, o.in, acc[0])
}
