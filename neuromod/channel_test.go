package neuromod

import (
	"testing"

	"ghlsim/backends"
)

// fakeGroup is a subscriber that records its stamps.
type fakeGroup struct {
	m     backends.Tensor
	stamp int
}

func (g *fakeGroup) ModulatorTarget() backends.Tensor { return g.m }
func (g *fakeGroup) ReceiveModulator(step int)        { g.stamp = step }

// recorder is a source that remembers the inputs it was given.
type recorder struct{ got []Inputs }

func (*recorder) Name() string { return "recorder" }
func (r *recorder) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	r.got = append(r.got, in)
	b.Fill(m, 0)
}

func TestGlobalGranularitySumsAcrossGroups(t *testing.T) {
	b := newB()
	wa, wb, wc := backends.Shape{2, 3}, backends.Shape{3, 2, 1, 1}, backends.Shape{2, 2}
	ga := &fakeGroup{m: b.Alloc(wa)}
	gb := &fakeGroup{m: b.Alloc(wb)}
	gc := &fakeGroup{m: b.Alloc(wc)}
	// Group a alone would say +1 (Σ = 3) and b alone −1 (Σ = −3.75); the
	// network-wide credit decides: 3 − 3.75 + 0.25 = −0.5.
	postA := upload(b, backends.Shape{2}, []float32{1, 2})
	postB := upload(b, backends.Shape{3}, []float32{-4, 0.5, -0.25})
	postC := upload(b, backends.Shape{2}, []float32{0.5, -0.25})
	rec := &recorder{}
	ch := NewChannel()
	ch.Subscribe("a", ga, mustNew(t, b, "grad-sign@global", wa))
	ch.Subscribe("b", gb, mustNew(t, b, "flip:0+grad-sign@global", wb))
	ch.Subscribe("c", gc, rec) // not global, but its credit counts too
	if !ch.NeedsGlobalCredit() {
		t.Fatal("a channel with @global sources does not need the global credit")
	}
	posts := []backends.Tensor{postA, postB, postC}
	calls := 0
	ch.Broadcast(b, 0, func(i int) Inputs {
		calls++
		return Inputs{PostGrad: posts[i], Seed: 1}
	})
	if calls != 3 {
		t.Errorf("inputs called %d times for 3 subscribers", calls)
	}
	if got := ch.GlobalCredit(); got != -0.5 {
		t.Errorf("GlobalCredit = %v, want −0.5", got)
	}
	allEqual(t, "group a @global", hostCopy(b, ga.m), -1)
	allEqual(t, "group b @global", hostCopy(b, gb.m), -1)
	if ga.stamp != 0 || gb.stamp != 0 || gc.stamp != 0 {
		t.Errorf("stamps %d %d %d, want 0", ga.stamp, gb.stamp, gc.stamp)
	}
	if in := rec.got[0]; in.GlobalCredit != -0.5 || in.Step != 0 || in.Group != "c" || in.Index != 2 || in.Seed != 1 {
		t.Errorf("subscriber c got %+v", in)
	}
	// The next step's credit flips the global sign.
	postC2 := upload(b, backends.Shape{2}, []float32{0.5, 0.5})
	posts[2] = postC2
	ch.Broadcast(b, 1, func(i int) Inputs { return Inputs{PostGrad: posts[i]} })
	allEqual(t, "group a @global, step 1", hostCopy(b, ga.m), 1)
	allEqual(t, "group b @global, step 1", hostCopy(b, gb.m), 1)
}

// hostCopy is a host copy of a device tensor.
func hostCopy(b backends.Backend, t backends.Tensor) []float32 {
	h := make([]float32, t.Shape().Len())
	b.Download(h, t)
	return h
}

func TestChannelWithoutGlobalSkipsTheSum(t *testing.T) {
	b := newB()
	w := backends.Shape{2, 2}
	g := &fakeGroup{m: b.Alloc(w)}
	rec := &recorder{}
	ch := NewChannel()
	ch.Subscribe("a", g, rec)
	if ch.NeedsGlobalCredit() {
		t.Fatal("a channel without @global sources needs the global credit")
	}
	// PostGrad is nil: a sum would panic, so none is attempted.
	ch.Broadcast(b, 3, func(int) Inputs { return Inputs{} })
	if rec.got[0].GlobalCredit != 0 || rec.got[0].Step != 3 || g.stamp != 3 || ch.LastStep() != 3 {
		t.Errorf("inputs %+v, stamp %d, last step %d", rec.got[0], g.stamp, ch.LastStep())
	}
	for _, step := range []int{3, 2} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("broadcast of step %d after step 3 did not panic", step)
				}
			}()
			ch.Broadcast(b, step, func(int) Inputs { return Inputs{} })
		}()
	}
}

func TestGlobalPanicsWithoutPostGrad(t *testing.T) {
	b := newB()
	w := backends.Shape{2, 2}
	ch := NewChannel()
	ch.Subscribe("a", &fakeGroup{m: b.Alloc(w)}, mustNew(t, b, "grad-sign@global", w))
	defer func() {
		if recover() == nil {
			t.Error("@global with a nil PostGrad did not panic")
		}
	}()
	ch.Broadcast(b, 0, func(int) Inputs { return Inputs{} })
}
