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
		if got, want := DelayBytesOf(src), int64(k*w.Len()+4*w.Len()); k > 0 && got != want {
			t.Errorf("%s holds %d bytes, want k·N + 4N = %d", spec, got, want)
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
	sa, sc := HostStateOf(a), HostStateOf(c)
	if len(sa) != 1 || len(sc) != len(sa) || len(sa[0]) != 3*w.Len() || len(sc[0]) != len(sa[0]) {
		t.Fatalf("%s: host state of %d and %d slices, want 1 of 3·N = %d bytes", spec, len(sa), len(sc), 3*w.Len())
	}
	for i := range sa {
		copy(sc[i], sa[i])
	}
	for step := 6; step < 12; step++ {
		in := Inputs{Grad: upload(b, w, g[step]), Step: step, Seed: 5}
		sameBits(t, "restored source", run(b, c, in, w), run(b, a, in, w))
	}
	if HostStateOf(mustNew(t, b, "flip:0.3+every:2", w)) != nil || StateOf(mustNew(t, b, "flip:0.3+every:2", w)) != nil {
		t.Error("a chain without a delay has state")
	}
	if _, ok := mustNew(t, b, "grad-sign", w).(Stateful); ok {
		t.Error("grad-sign claims to be Stateful")
	}
}
