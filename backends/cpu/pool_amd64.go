//go:build amd64 && !purego

package cpu

import (
	"math"

	"golang.org/x/sys/cpu"
)

// poolAsm reports whether the AVX2 max-pooling kernels run; tests turn it
// off to compare them with the portable path, which they match exactly
// (integer keys and positions, no rounding).
var poolAsm = cpu.X86.HasAVX2

// poolKeysAVX2 writes the order keys of 8·n8 values and reports whether one
// of them is NaN (pool_amd64.s).
//
//go:noescape
func poolKeysAVX2(n8 int, src *float32, dst *int32) (nan bool)

// poolRowAVX2 is the horizontal pass of a 4-wide, stride-2 window over a
// padded key row, for 8·n8 output columns (pool_amd64.s).
//
//go:noescape
func poolRowAVX2(n8 int, keys *int32, base int, hk, hp *int32)

// poolColAVX2 is the vertical pass over rows rows of the horizontal
// results, writing the winners' positions (pool_amd64.s).
//
//go:noescape
func poolColAVX2(n8 int, hk, hp *int32, stride, rows int, idx *int32)

// maxPlaneAVX2 is maxPlane for 4×4 windows at stride 2 with one pixel of
// padding over an even-width plane whose output width is a multiple of 8
// (the DeepHebb pools). It reports false, having written nothing final,
// when the plane holds a NaN, which the scalar path then handles. kr is
// scratch for one padded key row (W + 2).
func (t *poolTask) maxPlaneAVX2(in, out []float32, idx, hk, hp, kr []int32) bool {
	W, Wo := t.W, t.Wo
	kr = kr[:W+2]
	kr[0], kr[W+1] = math.MinInt32, math.MinInt32 // padding never wins
	for iy := 0; iy < t.H; iy++ {
		if poolKeysAVX2(W/8, &in[iy*W], &kr[1]) {
			return false
		}
		poolRowAVX2(Wo/8, &kr[0], iy*W, &hk[iy*Wo], &hp[iy*Wo])
	}
	for oy := 0; oy < t.Ho; oy++ {
		y0, y1 := t.window(oy, t.H)
		o := idx[oy*Wo : (oy+1)*Wo]
		poolColAVX2(Wo/8, &hk[y0*Wo], &hp[y0*Wo], Wo, y1-y0, &o[0])
		for ox, bi := range o {
			out[oy*Wo+ox] = in[bi]
		}
	}
	return true
}
