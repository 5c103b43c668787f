package neuromod

import (
	"strconv"
	"testing"

	"ghlsim/backends"
)

// stepGrads is a different gradient for every step.
func stepGrads(w backends.Shape, steps int) [][]float32 {
	g := make([][]float32, steps)
	for t := range g {
		g[t] = gaussians(uint64(100+t), w.Len())
	}
	return g
}

func TestDelayDeliversSignFromKStepsEarlier(t *testing.T) {
	b := newB()
	w := backends.Shape{6, 2, 3, 3}
	g := stepGrads(w, 12)
	zero := make([]float32, w.Len())
	for _, k := range []int{0, 1, 3} {
		spec := "delay:" + strconv.Itoa(k)
		src := mustNew(t, b, spec, w)
		if got := len(StateOf(src)); got != k+1 {
			t.Errorf("%s keeps %d buffers, want %d", spec, got, k+1)
		}
		for step := range g {
			m := run(b, src, Inputs{Grad: upload(b, w, g[step]), Step: step}, w)
			if step < k {
				sameBits(t, spec+" before k steps", m, zero)
			} else {
				sameBits(t, spec, m, signs(g[step-k]))
			}
		}
	}
}

func TestDelayRestartsAfterGap(t *testing.T) {
	b := newB()
	w := backends.Shape{3, 4}
	src := mustNew(t, b, "delay:2", w)
	g := stepGrads(w, 20)
	for step := 0; step < 5; step++ {
		run(b, src, Inputs{Grad: upload(b, w, g[step]), Step: step}, w)
	}
	zero := make([]float32, w.Len())
	for step := 10; step < 14; step++ {
		m := run(b, src, Inputs{Grad: upload(b, w, g[step]), Step: step}, w)
		if step < 12 {
			sameBits(t, "delay:2 just after a gap", m, zero)
		} else {
			sameBits(t, "delay:2 after a gap", m, signs(g[step-2]))
		}
	}
}

func TestDelayStateRestores(t *testing.T) {
	b := newB()
	w := backends.Shape{4, 5}
	spec := "flip:0.3+delay:3+every:2+grad-sign"
	g := stepGrads(w, 12)
	a := mustNew(t, b, spec, w)
	for step := 0; step < 6; step++ {
		run(b, a, Inputs{Grad: upload(b, w, g[step]), Step: step, Seed: 5}, w)
	}
	// Checkpoint a's state into a fresh source, as the network does.
	c := mustNew(t, b, spec, w)
	sa, sc := StateOf(a), StateOf(c)
	if len(sa) != 4 || len(sc) != len(sa) {
		t.Fatalf("%s: state of %d and %d tensors, want 4", spec, len(sa), len(sc))
	}
	for i := range sa {
		host := make([]float32, sa[i].Shape().Len())
		b.Download(host, sa[i])
		b.Upload(sc[i], host)
	}
	for step := 6; step < 12; step++ {
		in := Inputs{Grad: upload(b, w, g[step]), Step: step, Seed: 5}
		sameBits(t, "restored source", run(b, c, in, w), run(b, a, in, w))
	}
	if StateOf(mustNew(t, b, "flip:0.3+every:2", w)) != nil {
		t.Error("a chain without a delay has state")
	}
	if _, ok := mustNew(t, b, "grad-sign", w).(Stateful); ok {
		t.Error("grad-sign claims to be Stateful")
	}
}
