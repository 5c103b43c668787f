package cpu

import (
	"fmt"

	"ghlsim/backends"
)

// OjaSWTA computes the unnormalised Oja-SWTA Hebbian term of ALGORITHM.md §1
// into h (shape of w): y = softmax(TInv·u) over channels at every position
// (anti-Hebbian: −y for every channel but the winner argmax_k u; p.Y, when
// set, is y itself),
// A = yᵀ·patches(x) as one GEMM per chunk of samples, s_k = Σ_{b,p} y_k·u_k,
// H = A − s⊙W. It returns max|H|. A rank-2 x [B,N], u [B,K] and w [K,N]
// describe a dense layer (p.Conv is then ignored). h must not share
// storage with x, u or w. The plain float64 form of the same math is
// synapse.ReferenceOjaSWTA (synapse/ghl_reference.go).
func (b *Backend) OjaSWTA(h, x, u, w backends.Tensor, p backends.OjaParams) float32 {
	ht, xt, ut, wt := tensorOf(h), tensorOf(x), tensorOf(u), tensorOf(w)
	g := geom("OjaSWTA", xt, wt, ut, p.Conv)
	sameShape("OjaSWTA", "h", ht, wt.shape)
	if sameData(ht, wt) || sameData(ht, xt) || sameData(ht, ut) {
		panic("cpu: OjaSWTA: h shares storage with an input")
	}
	lt := &b.ws.lt
	*lt = leftTask{u: ut.data, y: givenY("OjaSWTA", ht, xt, ut, p), tinv: p.TInv, anti: p.AntiHebbian}
	b.patchProduct(&g, xt.data, lt, ht.data, nil)
	m := b.oja(ht.data, wt.data, lt.s, g.CKK)
	*lt = leftTask{}
	return m
}

// Conv2DBackwardWeightHebb computes Conv2DBackwardWeight(dw, dbias, x, dy)
// and OjaSWTA(h, x, u, w) in one pass over the im2col patches: each chunk's
// left operand stacks [δ; y] as 2K rows and the chunk's patches give both
// δ·patchesᵀ, accumulated in dw, and yᵀ·patches, accumulated in h (then
// H = A − s⊙W in place). Under Winograd a layer too large for both at once
// takes a pass for each (winoProduct). dw and h must not share storage with
// each other or with an input. It returns max|H|.
func (b *Backend) Conv2DBackwardWeightHebb(dw, dbias, h, x, dy, u, w backends.Tensor, p backends.OjaParams) float32 {
	dwt, ht, xt, dyt, ut, wt := tensorOf(dw), tensorOf(h), tensorOf(x), tensorOf(dy), tensorOf(u), tensorOf(w)
	const op = "Conv2DBackwardWeightHebb"
	g := geom(op, xt, wt, dyt, p.Conv)
	sameShape(op, "u", ut, dyt.shape)
	sameShape(op, "dw", dwt, wt.shape)
	sameShape(op, "h", ht, wt.shape)
	db := vecOf(op, "dbias", dbias, g.K)
	if sameData(dwt, ht) {
		panic(fmt.Sprintf("cpu: %s: dw and h share storage", op))
	}
	for _, in := range []*Tensor{xt, dyt, ut, wt} {
		if sameData(dwt, in) || sameData(ht, in) {
			panic(fmt.Sprintf("cpu: %s: dw or h shares storage with an input", op))
		}
	}
	lt := &b.ws.lt
	*lt = leftTask{dy: dyt.data, u: ut.data, y: givenY(op, ht, xt, ut, p), tinv: p.TInv, anti: p.AntiHebbian}
	b.patchProduct(&g, xt.data, lt, dwt.data, ht.data)
	m := b.oja(ht.data, wt.data, lt.s, g.CKK)
	*lt = leftTask{}
	if db != nil {
		b.chanSum(db, dyt.data, g.B, g.K, g.P)
	}
	return m
}

// givenY returns the data of p.Y (nil when the competition is the softmax),
// checked to have the shape of u and not to share storage with h or x.
func givenY(op string, h, x, u *Tensor, p backends.OjaParams) []float32 {
	if p.Y == nil {
		return nil
	}
	yt := tensorOf(p.Y)
	sameShape(op, "Y", yt, u.shape)
	if sameData(yt, h) || sameData(yt, x) {
		panic(fmt.Sprintf("cpu: %s: Y shares storage with h or x", op))
	}
	return yt.data
}

// oja finishes the Hebbian term (ALGORITHM.md §1 step 4) in place: h holds
// A ([K, ckk]) and becomes H = A − s⊙W; it returns max|H|.
func (b *Backend) oja(h, w []float32, s []float64, ckk int) float32 {
	t := &b.ws.hebb
	*t = hebbTask{h: h, w: w, s: s, ckk: ckk, part: grow32(&b.ws.hebbPart, len(s))}
	b.workers.do(len(s), t)
	m := maxOf(t.part)
	*t = hebbTask{}
	return m
}

// hebbTask computes one row k of H = A − s_k·W_k in place, recording the
// row's max|H|.
type hebbTask struct {
	h, w []float32
	s    []float64
	ckk  int
	part []float32
}

func (t *hebbTask) run(k int) {
	lo, hi := k*t.ckk, (k+1)*t.ckk
	w, h := t.w[lo:hi], t.h[lo:hi]
	sk := float32(t.s[k])
	var m float32
	for j, v := range h {
		v -= sk * w[j]
		h[j] = v
		if av := abs32(v); av > m || av != av {
			m = av
		}
	}
	t.part[k] = m
}

// sameData reports whether two tensors share storage.
func sameData(a, b *Tensor) bool {
	return len(a.data) > 0 && len(b.data) > 0 && &a.data[0] == &b.data[0]
}
