package backendtest

import (
	"math"
	"testing"

	"ghlsim/backends"
)

// testDeterminism runs every op twice on the same inputs, into fresh output
// tensors, and requires bit-identical results. Shapes are large enough to be
// split over several work items on a multi-threaded backend.
func testDeterminism(t *testing.T, bk backends.Backend) {
	first, second := replay(bk), replay(bk)
	for _, k := range first.order {
		exactly(t, k, second.out[k], first.out[k])
	}
}

// results are named outputs in the order they were produced.
type results struct {
	order []string
	out   map[string][]float32
}

func (r *results) add(h *harness, name string, t backends.Tensor) {
	r.order = append(r.order, name)
	r.out[name] = h.get(t)
}

func (r *results) scalar(name string, v float64) {
	r.order = append(r.order, name)
	r.out[name] = []float32{float32(v), float32(v - float64(float32(v)))}
}

// replay runs one pass of every op from the same seeded inputs.
func replay(bk backends.Backend) *results {
	h := newHarness(bk, 1300)
	r := &results{out: map[string][]float32{}}
	c := convSpec{8, 8, 24, 24, 16, 3, 3, backends.ConvParams{Stride: 1, Pad: 1}}
	xs, ws, ys := c.shapes()
	x := h.tensor(xs, h.randn(xs.Len(), 1))
	w := h.tensor(ws, h.randn(ws.Len(), 1/math.Sqrt(72)))
	bias := h.tensor(backends.Shape{c.K}, h.randn(c.K, 1))
	dy := h.tensor(ys, h.randn(ys.Len(), 1))
	fresh := func(s backends.Shape) backends.Tensor { return h.tensor(s, nil) }
	cs := backends.Shape{c.K}

	y := fresh(ys)
	bk.Conv2D(y, x, w, bias, c.P)
	r.add(h, "Conv2D", y)
	dx := fresh(xs)
	bk.Conv2DBackwardData(dx, dy, w, c.P)
	r.add(h, "Conv2DBackwardData", dx)
	dw, db := fresh(ws), fresh(cs)
	bk.Conv2DBackwardWeight(dw, db, x, dy, c.P)
	r.add(h, "Conv2DBackwardWeight dw", dw)
	r.add(h, "Conv2DBackwardWeight dbias", db)
	for _, anti := range []bool{false, true} {
		p := backends.OjaParams{TInv: 0.65, AntiHebbian: anti, Conv: c.P}
		hh := fresh(ws)
		r.scalar("OjaSWTA max", float64(bk.OjaSWTA(hh, x, y, w, p)))
		r.add(h, "OjaSWTA", hh)
		if f, ok := bk.(backends.HebbGradFuser); ok {
			dw, db, hh := fresh(ws), fresh(cs), fresh(ws)
			r.scalar("fused max", float64(f.Conv2DBackwardWeightHebb(dw, db, hh, x, dy, y, w, p)))
			r.add(h, "fused dw", dw)
			r.add(h, "fused dbias", db)
			r.add(h, "fused H", hh)
		}
	}

	bn := func(training bool) {
		st := backends.BNState{RunMean: fresh(cs), RunVar: fresh(cs), SaveMean: fresh(cs), SaveInvStd: fresh(cs)}
		bk.Fill(st.RunVar, 1)
		p := backends.BNParams{Eps: 1e-5, Momentum: 0.1, Training: training}
		g, b := h.tensor(cs, h.randn(c.K, 1)), h.tensor(cs, h.randn(c.K, 1))
		out, din, dg, dbt := fresh(ys), fresh(ys), fresh(cs), fresh(cs)
		bk.BatchNorm(out, y, g, b, st, p)
		bk.BatchNormBackward(din, dg, dbt, dy, y, g, st, p)
		for _, t := range []backends.Tensor{out, st.RunMean, st.RunVar, st.SaveMean, st.SaveInvStd, din, dg, dbt} {
			r.add(h, "BatchNorm", t)
		}
	}
	bn(true)
	bn(false)

	for _, a := range []backends.ActParams{{Kind: backends.ReLU}, {Kind: backends.Triangle, Power: 0.7}} {
		out, din := fresh(ys), fresh(ys)
		bk.Activation(out, y, a)
		bk.ActivationBackward(din, dy, y, a)
		r.add(h, "Activation "+a.Kind.String(), out)
		r.add(h, "ActivationBackward "+a.Kind.String(), din)
	}

	pp := backends.PoolParams{Kernel: 4, Stride: 2, Pad: 1}
	ps := backends.Shape{c.B, c.K, pp.OutSize(24), pp.OutSize(24)}
	pdy := h.tensor(ps, h.randn(ps.Len(), 1))
	mp, arg, mdx := fresh(ps), bk.AllocIndices(ps), fresh(ys)
	bk.MaxPool2D(mp, arg, y, pp)
	bk.MaxPool2DBackward(mdx, pdy, arg)
	ap, adx := fresh(ps), fresh(ys)
	bk.AvgPool2D(ap, y, pp)
	bk.AvgPool2DBackward(adx, pdy, pp)
	for _, t := range []backends.Tensor{mp, mdx, ap, adx} {
		r.add(h, "pool", t)
	}

	flat := bk.Reshape(y, backends.Shape{c.B, ys.Len() / c.B})
	lw := h.tensor(backends.Shape{10, ys.Len() / c.B}, h.randn(10*ys.Len()/c.B, 0.01))
	logits, dl, ldx, ldw := fresh(backends.Shape{c.B, 10}), fresh(backends.Shape{c.B, 10}), fresh(flat.Shape()), fresh(lw.Shape())
	bk.Linear(logits, flat, lw, nil)
	labels := []int32{0, 1, 2, 3, 4, 5, 6, 7}
	loss, correct := bk.SoftmaxCrossEntropy(dl, logits, labels)
	bk.LinearBackwardData(ldx, dl, lw)
	bk.LinearBackwardWeight(ldw, nil, flat, dl)
	r.scalar("loss", loss)
	r.scalar("correct", float64(correct))
	for _, t := range []backends.Tensor{logits, dl, ldx, ldw} {
		r.add(h, "linear+loss", t)
	}

	r.scalar("MaxAbs", float64(bk.MaxAbs(y)))
	mask, dout := fresh(ys), fresh(ys)
	bk.Dropout(dout, mask, y, 0.5, 99)
	r.add(h, "Dropout", dout)
	w2 := fresh(ws)
	bk.Copy(w2, w)
	bk.ModulatedUpdate(w2, dw, dw, 0.5, 0.1, 0.01)
	r.add(h, "ModulatedUpdate", w2)
	return r
}
