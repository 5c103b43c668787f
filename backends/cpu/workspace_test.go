package cpu

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/backendtest"
)

// nopGemm is a matmul that computes nothing: the workspace test needs only
// the buffer sizes the kernels ask for, not their results.
type nopGemm struct{}

func (nopGemm) Sgemm(bool, bool, int, int, int, float32, []float32, int, []float32, int, float32, []float32, int) {
}

// workspaceBytes is the capacity of every scratch buffer of ws in bytes, in
// total and per field.
func workspaceBytes(ws *workspace) (total int, per map[string]int) {
	per = map[string]int{}
	v := reflect.ValueOf(ws).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.Slice {
			continue
		}
		n := f.Cap() * int(f.Type().Elem().Size())
		per[v.Type().Field(i).Name] = n
		total += n
	}
	return total, per
}

// TestWorkspaceBudget runs the forward pass, the fused weight gradient +
// Oja-SWTA and the input gradient of DeepHebb width 1's three conv layers at
// batch 64 (the configuration ghl bench compares with PyTorch) on one
// backend, under ConvAuto and ConvIm2col, and requires the scratch memory
// they leave resident to stay within workspaceBudget. The products are
// skipped (nopGemm): only the sizes matter.
func TestWorkspaceBudget(t *testing.T) {
	const B = 64
	layers := []struct{ C, K, k, HW int }{{3, 96, 5, 32}, {96, 384, 3, 16}, {384, 1536, 3, 8}}
	for _, conv := range []ConvAlgorithm{ConvAuto, ConvIm2col} {
		t.Run(conv.String(), func(t *testing.T) {
			b := New(2)
			defer b.Close()
			b.SetConvAlgorithm(conv)
			b.mm = nopGemm{}
			for _, l := range layers {
				p := backends.ConvParams{Stride: 1, Pad: l.k / 2}
				xs, ws, ys := backends.Shape{B, l.C, l.HW, l.HW}, backends.Shape{l.K, l.C, l.k, l.k}, backends.Shape{B, l.K, l.HW, l.HW}
				x, w, y, dy, dx, dw, h := b.Alloc(xs), b.Alloc(ws), b.Alloc(ys), b.Alloc(ys), b.Alloc(xs), b.Alloc(ws), b.Alloc(ws)
				b.Conv2D(y, x, w, nil, p)
				b.Conv2DBackwardWeightHebb(dw, nil, h, x, dy, y, w, backends.OjaParams{TInv: 1, Conv: p})
				b.Conv2DBackwardData(dx, dy, w, p)
			}
			total, per := workspaceBytes(&b.ws)
			names := slices.Sorted(maps.Keys(per))
			for _, name := range names {
				if n := per[name]; n >= 1<<20 {
					t.Logf("%-8s %6.1f MiB", name, float64(n)/(1<<20))
				}
			}
			t.Logf("total    %6.1f MiB (budget %.1f MiB)", float64(total)/(1<<20), float64(workspaceBudget)/(1<<20))
			if total > workspaceBudget {
				t.Errorf("workspace %.1f MiB, want at most %.1f MiB", float64(total)/(1<<20), float64(workspaceBudget)/(1<<20))
			}
		})
	}
}

// workspaceBudget is the most scratch memory, in bytes, DeepHebb width 1's
// conv layers at batch 64 may keep resident: the per-chunk scratch bound
// (64 MiB), the third layer's transformed kernels [16][1536][384+16], which
// its accumulated weight-side products reuse (37.5 MiB), and 2.5 MiB for the
// rest. Before the bound it was 274 MiB.
const workspaceBudget = 4*scratchCap + 40<<20

// TestConformanceBudget runs the conformance suite under scratch bounds far
// below the default, with both algorithms: every chunk holds one or a few
// samples (the last one fewer), and the fused Winograd weight-side product
// of all but the smallest cases takes one pass per row set.
func TestConformanceBudget(t *testing.T) {
	for _, budget := range []int{64, 3000} {
		for _, conv := range []ConvAlgorithm{ConvIm2col, ConvWinograd} {
			t.Run(fmt.Sprintf("budget=%d/%s", budget, conv), func(t *testing.T) {
				backendtest.Conformance(t, func() backends.Backend {
					b := New(2)
					b.budget = budget
					b.SetConvAlgorithm(conv)
					return b
				})
			})
		}
	}
}

// TestThreadInvarianceBudget is TestThreadInvariance under a scratch bound
// of 200 float32s, so the step's convolutions run one sample per chunk and
// the fused Winograd product one pass per row set: outputs must still be
// bit-identical for 1, 2, 3 and 5 threads.
func TestThreadInvarianceBudget(t *testing.T) {
	for _, conv := range []ConvAlgorithm{ConvAuto, ConvWinograd} {
		t.Run(conv.String(), func(t *testing.T) { threadInvariance(t, conv, 200) })
	}
}
