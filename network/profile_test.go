package network_test

import (
	"math"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/network"
)

// plainBackend hides the optional interfaces (HebbGradFuser,
// ConvArithmetic) of the backend it embeds.
type plainBackend struct{ backends.Backend }

// profiledDeepHebb builds DeepHebb at width 0.125 (batch 4) on b and trains
// it one step (after one unrecorded step, so optimiser state exists too).
func profiledDeepHebb(t *testing.T, b backends.Backend, rule string, prof *backends.Profiler) *network.Network {
	t.Helper()
	const B = 4
	n := network.New(b, B, 7)
	if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 0.125}); err != nil {
		t.Fatal(err)
	}
	if err := n.Build(network.Rules{Hidden: rule}); err != nil {
		t.Fatal(err)
	}
	x, y := batch(11, B, 3*32*32, 10)
	h := network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3}
	h.HiddenOpt.Kind, h.HiddenOpt.Momentum = "sgd", 0.9
	h.ReadoutOpt = h.HiddenOpt
	for i := 0; i < 2; i++ {
		if prof != nil && i == 1 {
			prof.Reset()
		}
		if _, err := n.TrainStep(x, y, h); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// sameProfiledState fails unless a and b hold bit-identical state tensors.
func sameProfiledState(t *testing.T, what string, a, b *network.Network) {
	t.Helper()
	sa, sb := a.StateTensors(), b.StateTensors()
	if len(sa) != len(sb) {
		t.Fatalf("%s: %d state tensors vs %d", what, len(sa), len(sb))
	}
	for i := range sa {
		va := make([]float32, sa[i].T.Shape().Len())
		vb := make([]float32, sb[i].T.Shape().Len())
		a.B.Download(va, sa[i].T)
		b.B.Download(vb, sb[i].T)
		for j := range va {
			if math.Float32bits(va[j]) != math.Float32bits(vb[j]) {
				t.Fatalf("%s: %s[%d] = %v profiled, %v plain", what, sa[i].Name, j, va[j], vb[j])
			}
		}
	}
}

// A step through backends.Profile gives bit-identical weights, traces and
// optimiser state to the same step on the bare backend — with the cpu
// backend's fused weight-gradient + Hebbian kernel, and on a backend
// without it, where the Profiler's Conv2DBackwardWeightHebb falls back to
// the two unfused ops — and the report counts and times what ran.
func TestProfileIsTransparent(t *testing.T) {
	cases := []struct {
		name, rule string
		bare       func() backends.Backend
		want       []string // ops the report must list
		absent     []string // ops it must not list
	}{
		{"ghl fused", "ghl", func() backends.Backend { return cpu.New(1) },
			[]string{"Conv2D", "Conv2DBackwardData", "Conv2DBackwardWeightHebb", "Linear", "MaxPool2D", "BatchNorm", "ModulatedUpdate"},
			[]string{"OjaSWTA"}},
		{"ghl unfused", "ghl", func() backends.Backend { return plainBackend{cpu.New(1)} },
			[]string{"Conv2D", "Conv2DBackwardWeight", "OjaSWTA"},
			[]string{"Conv2DBackwardWeightHebb"}},
		{"bp", "bp", func() backends.Backend { return cpu.New(1) },
			[]string{"Conv2D", "Conv2DBackwardData", "Conv2DBackwardWeight", "SGD"},
			[]string{"OjaSWTA", "Conv2DBackwardWeightHebb"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prof := backends.Profile(c.bare())
			profiled := profiledDeepHebb(t, prof, c.rule, prof)
			plain := profiledDeepHebb(t, c.bare(), c.rule, nil)
			sameProfiledState(t, c.name, profiled, plain)
			if a, b := profiled.ExecutedStepFLOPs(), plain.ExecutedStepFLOPs(); a != b {
				t.Errorf("executed FLOPs per step %g profiled, %g plain (ConvFLOPFraction not forwarded)", a, b)
			}
			rep := prof.Report()
			got := map[string]backends.OpTime{}
			for i, o := range rep {
				got[o.Op] = o
				if o.Calls <= 0 || o.Total <= 0 {
					t.Errorf("%s: %d calls, %v", o.Op, o.Calls, o.Total)
				}
				if i > 0 && o.Total > rep[i-1].Total {
					t.Errorf("report not sorted by total time: %s %v after %s %v", o.Op, o.Total, rep[i-1].Op, rep[i-1].Total)
				}
			}
			for _, op := range c.want {
				if _, ok := got[op]; !ok {
					t.Errorf("report lacks %s: %v", op, rep)
				}
			}
			for _, op := range c.absent {
				if _, ok := got[op]; ok {
					t.Errorf("report lists %s: %v", op, rep)
				}
			}
			if conv := got["Conv2D"]; conv.Calls != 3 {
				t.Errorf("Conv2D: %d calls in one DeepHebb step, want 3", conv.Calls)
			}
			prof.Reset()
			if r := prof.Report(); len(r) != 0 {
				t.Errorf("after Reset: %v", r)
			}
		})
	}
}

// TestProfileEveryOpKind is TestProfileIsTransparent on tinyNet, whose
// ops cover what DeepHebb lacks (conv bias, reflect padding, Triangle, the
// residual add, affine BN, dropout).
func TestProfileEveryOpKind(t *testing.T) {
	for _, rule := range []string{"ghl", "bp"} {
		prof := backends.Profile(cpu.New(1))
		profiled := tinyNet(t, prof, rule, 3)
		plain := tinyNet(t, cpu.New(1), rule, 3)
		x, y := batch(4, 4, 2*6*6, 3)
		h := network.Hyper{HiddenLR: 0.05, ReadoutLR: 0.05}
		h.HiddenOpt.Kind, h.ReadoutOpt.Kind = "adam", "adam"
		for i := 0; i < 2; i++ {
			for _, n := range []*network.Network{profiled, plain} {
				if _, err := n.TrainStep(x, y, h); err != nil {
					t.Fatal(err)
				}
			}
		}
		sameProfiledState(t, "tinyNet "+rule, profiled, plain)
		ops := map[string]bool{}
		for _, o := range prof.Report() {
			ops[o.Op] = true
		}
		for _, op := range []string{"Add", "Dropout", "AvgPool2D", "ActivationBackward", "Adam"} {
			if !ops[op] {
				t.Errorf("%s: report lacks %s", rule, op)
			}
		}
	}
}

// Profiling adds no allocations to a step (the cpu step has none).
func TestProfileAllocatesNothing(t *testing.T) {
	prof := backends.Profile(cpu.New(1))
	n := profiledDeepHebb(t, prof, "ghl", prof)
	x, y := batch(11, 4, 3*32*32, 10)
	h := network.Hyper{HiddenLR: 1e-2, ReadoutLR: 5e-3}
	h.HiddenOpt.Kind, h.ReadoutOpt.Kind = "sgd", "sgd"
	if allocs := testing.AllocsPerRun(3, func() {
		if _, err := n.TrainStep(x, y, h); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("%.1f allocations per profiled step", allocs)
	}
}
