package backendtest

import (
	"math"
	"testing"

	"ghlsim/backends"
)

// testElementwise checks Fill, Copy, Add, Mul, AXPY, Sign (sign(±0) = 0)
// and MaxAbs, on a length that is not a multiple of any likely chunk size.
func testElementwise(t *testing.T, bk backends.Backend) {
	h := newHarness(bk, 600)
	s := backends.Shape{3, 5, 7, 11}
	a, b := h.randn(s.Len(), 1), h.randn(s.Len(), 2)
	a[3], a[10], a[20] = 0, float32(math.Copysign(0, -1)), 0
	at, bt, dt := h.tensor(s, a), h.tensor(s, b), h.tensor(s, nil)
	want := make([]float64, s.Len())
	check := func(name string, f func(i int) float64) {
		t.Helper()
		for i := range want {
			want[i] = f(i)
		}
		closeTo(t, name, h.get(dt), want, tolExact, 1e-30)
	}
	bk.Fill(dt, 1.5)
	check("Fill", func(int) float64 { return 1.5 })
	bk.Copy(dt, at)
	check("Copy", func(i int) float64 { return float64(a[i]) })
	bk.Add(dt, at, bt)
	check("Add", func(i int) float64 { return float64(a[i]) + float64(b[i]) })
	bk.Mul(dt, at, bt)
	check("Mul", func(i int) float64 { return float64(a[i]) * float64(b[i]) })
	bk.Copy(dt, bt)
	bk.AXPY(dt, -0.75, at)
	check("AXPY", func(i int) float64 { return float64(b[i]) - 0.75*float64(a[i]) })
	bk.Sign(dt, at)
	got := h.get(dt)
	for i, v := range a {
		w := float32(0)
		if v > 0 {
			w = 1
		} else if v < 0 {
			w = -1
		}
		if got[i] != w {
			t.Fatalf("Sign(%g) = %g, want %g", v, got[i], w)
		}
	}
	want1 := maxAbs64(f64(b))
	if m := bk.MaxAbs(bt); float64(m) != want1 {
		t.Errorf("MaxAbs = %g, want %g", m, want1)
	}
}

// testDropout checks that the mask is exactly DropoutKeep's and that
// y = x·mask with kept elements scaled by 1/(1−rate).
func testDropout(t *testing.T, bk backends.Backend) {
	h := newHarness(bk, 700)
	s := backends.Shape{5, 7, 3, 3}
	x := h.randn(s.Len(), 1)
	xt, yt, mt := h.tensor(s, x), h.tensor(s, nil), h.tensor(s, nil)
	for _, rate := range []float32{0, 0.3, 0.5, 0.9} {
		seed := uint64(rate*1000) + 17
		bk.Dropout(yt, mt, xt, rate, seed)
		y, m := h.get(yt), h.get(mt)
		wantM, wantY := make([]float64, len(x)), make([]float64, len(x))
		for i := range x {
			if backends.DropoutKeep(seed, i, rate) {
				wantM[i] = 1 / (1 - float64(rate))
			} else if m[i] != 0 {
				t.Fatalf("rate %g: element %d kept (mask %g), DropoutKeep drops it", rate, i, m[i])
			}
			wantY[i] = float64(x[i]) * wantM[i]
		}
		closeTo(t, "mask", m, wantM, tolExact, 1e-30)
		closeTo(t, "y", y, wantY, tolExact, 1e-30)
	}
}

// testLoss checks the mean loss, its gradient (also by finite differences),
// the correct count, evaluation without a gradient, and stability for huge
// logits.
func testLoss(t *testing.T, bk backends.Backend) {
	for i, scale := range []float64{1, 3, 1e4} {
		h := newHarness(bk, 800+uint64(i))
		batch, classes := 7, 5
		s := backends.Shape{batch, classes}
		logits := h.randn(s.Len(), scale)
		labels := make([]int32, batch)
		for b := range labels {
			labels[b] = int32(h.rng.IntN(classes))
		}
		// A sample predicted right, so the correct count is not always 0,
		// and a sample whose maximum ties: the first maximal class is the
		// prediction, so it counts as correct.
		labels[0] = int32(argmax(logits[:classes]))
		copy(logits[classes:2*classes], []float32{0.5, 2, 2, -1, 0})
		labels[1] = 1
		lt, dt := h.tensor(s, logits), h.tensor(s, nil)
		loss, correct := bk.SoftmaxCrossEntropy(dt, lt, labels)
		l64 := f64(logits)
		rl, rd, rc := refSoftmaxCE(batch, classes, l64, labels)
		if math.Abs(loss-rl) > tolExact*math.Max(1, rl) || correct != rc {
			t.Errorf("scale %g: loss %.9g correct %d, want %.9g and %d", scale, loss, correct, rl, rc)
		}
		loss2, correct2 := bk.SoftmaxCrossEntropy(nil, lt, labels)
		if loss2 != loss || correct2 != correct {
			t.Errorf("without gradient: loss %.9g correct %d, with: %.9g %d", loss2, correct2, loss, correct)
		}
		if scale > 100 {
			closeTo(t, "dlogits (huge logits)", h.get(dt), rd, tolExact, 1e-30)
			continue
		}
		fwd := func() []float64 { l, _, _ := refSoftmaxCE(batch, classes, l64, labels); return []float64{l} }
		checkGrads(t, h.rng, fwd, []float64{1}, tolExact, grad{name: "dlogits", x: l64, backend: h.get(dt), ref: rd})
	}
}

// argmax is the first index of the largest value.
func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// testUpdates checks ModulatedUpdate (also with E and M the same tensor, as
// the Sign rule calls it), SGD without and with momentum over two steps,
// and Adam over three steps.
func testUpdates(t *testing.T, bk backends.Backend) {
	h := newHarness(bk, 900)
	s := backends.Shape{6, 5, 3, 3}
	n := s.Len()
	w, e, g := h.randn(n, 1), h.randn(n, 1), h.randn(n, 1)
	m := make([]float32, n)
	for i := range m {
		m[i] = float32(h.rng.IntN(3) - 1)
	}
	wt, et, mt := h.tensor(s, w), h.tensor(s, e), h.tensor(s, m)
	bk.ModulatedUpdate(wt, et, mt, 0.8, 0.05, 0.01)
	closeTo(t, "ModulatedUpdate", h.get(wt), refModulated(f64(w), f64(e), f64(m), 0.8, 0.05, 0.01), tolExact, 1e-30)
	bk.Upload(wt, w)
	bk.ModulatedUpdate(wt, mt, mt, 1, 0.05, 0.01)
	closeTo(t, "ModulatedUpdate(e = m)", h.get(wt), refModulated(f64(w), f64(m), f64(m), 1, 0.05, 0.01), tolExact, 1e-30)

	gt := h.tensor(s, g)
	bk.Upload(wt, w)
	bk.SGD(wt, gt, nil, 0.1, 0, 0.02)
	rw, _ := refSGD(f64(w), f64(g), nil, 0.1, 0, 0.02)
	closeTo(t, "SGD", h.get(wt), rw, tolExact, 1e-30)

	bk.Upload(wt, w)
	vt := h.tensor(s, nil)
	rw, rv := f64(w), make([]float64, n)
	for step := 0; step < 2; step++ {
		bk.SGD(wt, gt, vt, 0.1, 0.9, 0.02)
		rw, rv = refSGD(rw, f64(g), rv, 0.1, 0.9, 0.02)
	}
	closeTo(t, "SGD momentum: w", h.get(wt), rw, tolExact, 1e-30)
	closeTo(t, "SGD momentum: velocity", h.get(vt), rv, tolExact, 1e-30)

	bk.Upload(wt, w)
	m1, v1 := h.tensor(s, nil), h.tensor(s, nil)
	rw, rm, rv2 := f64(w), make([]float64, n), make([]float64, n)
	// The reference gets the float32-rounded hyperparameters the backend
	// sees: 1 − float32(0.999) is 1.3e-5 off 0.001.
	hp := f64([]float32{1e-2, 0.9, 0.999, 1e-8, 1e-3})
	for step := 1; step <= 3; step++ {
		bk.Adam(wt, gt, m1, v1, 1e-2, 0.9, 0.999, 1e-8, 1e-3, step)
		rw, rm, rv2 = refAdam(rw, f64(g), rm, rv2, hp[0], hp[1], hp[2], hp[3], hp[4], step)
	}
	closeTo(t, "Adam: w", h.get(wt), rw, tolExact, 1e-30)
	closeTo(t, "Adam: m", h.get(m1), rm, tolExact, 1e-30)
	closeTo(t, "Adam: v", h.get(v1), rv2, tolExact, 1e-30)
}
