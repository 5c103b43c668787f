package neuromod

import (
	"strconv"
	"testing"

	"ghlsim/backends"
)

func TestEveryDeliversAtMultiplesOfK(t *testing.T) {
	b := newB()
	w := backends.Shape{5, 3}
	g := stepGrads(w, 13)
	zero := make([]float32, w.Len())
	for _, k := range []int{1, 3, 4} {
		spec := "every:" + strconv.Itoa(k)
		src := mustNew(t, b, spec, w)
		for step := range g {
			m := run(b, src, Inputs{Grad: upload(b, w, g[step]), Step: step}, w)
			if step%k == 0 {
				sameBits(t, spec+" on a delivery step", m, signs(g[step]))
			} else {
				sameBits(t, spec+" between deliveries", m, zero)
			}
		}
	}
}

func TestCompositionOrder(t *testing.T) {
	b := newB()
	w := backends.Shape{2, 3}
	g := stepGrads(w, 10)
	zero := make([]float32, w.Len())
	// delay(every(grad-sign)): the gated signal, two steps late.
	dEvery := mustNew(t, b, "delay:2+every:2", w)
	// every(delay(grad-sign)): the delay line advances on every step, so even
	// steps deliver the sign of the odd step before them.
	everyD := mustNew(t, b, "every:2+delay:1", w)
	for step := range g {
		in := Inputs{Grad: upload(b, w, g[step]), Step: step}
		m := run(b, dEvery, in, w)
		if step >= 2 && (step-2)%2 == 0 {
			sameBits(t, "delay:2+every:2", m, signs(g[step-2]))
		} else {
			sameBits(t, "delay:2+every:2", m, zero)
		}
		m = run(b, everyD, in, w)
		if step >= 1 && step%2 == 0 {
			sameBits(t, "every:2+delay:1", m, signs(g[step-1]))
		} else {
			sameBits(t, "every:2+delay:1", m, zero)
		}
	}
}
