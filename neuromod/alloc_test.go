package neuromod

import (
	"testing"

	"ghlsim/backends"
)

func TestModulateAllocatesNothingInSteadyState(t *testing.T) {
	b := newB()
	w := backends.Shape{8, 3, 3, 3}
	grad := upload(b, w, gaussians(8, w.Len()))
	post := upload(b, backends.Shape{8}, gaussians(9, 8))
	m := b.Alloc(w)
	for _, spec := range []string{"grad-sign", "grad-sign@neuron", "grad-sign@layer", "grad-sign@global", "random", "constant", "flip:0.1", "delay:3", "every:2", "delay:2+flip:0.3+every:3+fa-sign@neuron"} {
		src := mustNew(t, b, spec, w)
		step := 0
		modulate := func() {
			src.Modulate(b, Inputs{Grad: grad, PostGrad: post, Step: step, Seed: 1}, m)
			step++
		}
		modulate() // warm-up: views and workspaces
		if n := testing.AllocsPerRun(20, modulate); n != 0 {
			t.Errorf("%s: %v allocations per step", spec, n)
		}
	}
}

func TestBroadcastAllocatesNothingInSteadyState(t *testing.T) {
	b := newB()
	w := backends.Shape{4, 6}
	post := upload(b, backends.Shape{4}, gaussians(10, 4))
	grad := upload(b, w, gaussians(11, w.Len()))
	ch := NewChannel()
	ch.Subscribe("a", &fakeGroup{m: b.Alloc(w)}, mustNew(t, b, "grad-sign@global", w))
	ch.Subscribe("b", &fakeGroup{m: b.Alloc(w)}, mustNew(t, b, "flip:0.2+grad-sign", w))
	inputs := func(int) Inputs { return Inputs{Grad: grad, PostGrad: post} }
	step := 0
	broadcast := func() {
		ch.Broadcast(b, step, inputs)
		step++
	}
	broadcast()
	if n := testing.AllocsPerRun(20, broadcast); n != 0 {
		t.Errorf("Broadcast: %v allocations per step", n)
	}
}
