package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"ghlsim/backends"
)

// TestMaxPoolAsmMatchesPortable pools planes the AVX2 kernels take (4×4
// windows, stride 2, padding 1, output width a multiple of 8) with the
// kernels on and off and requires identical maxima and argmax positions:
// many ties (values from a small set, ±0), infinities, and planes with a
// NaN (which fall back to the scalar path).
func TestMaxPoolAsmMatchesPortable(t *testing.T) {
	if !poolAsm {
		t.Skip("no assembly max-pooling kernels in this build or on this CPU")
	}
	defer func(v bool) { poolAsm = v }(poolAsm)
	p := backends.PoolParams{Kernel: 4, Stride: 2, Pad: 1}
	for _, hw := range []int{16, 32, 48} {
		for _, nan := range []bool{false, true} {
			t.Run(fmt.Sprintf("%dx%d/nan=%v", hw, hw, nan), func(t *testing.T) {
				r := rand.New(rand.NewPCG(uint64(hw), 7))
				x := make([]float32, 3*4*hw*hw)
				vals := []float32{-2, -1, float32(math.Copysign(0, -1)), 0, 1, 2, float32(math.Inf(1)), float32(math.Inf(-1))}
				for i := range x {
					x[i] = vals[r.IntN(len(vals))]
					if r.IntN(4) == 0 {
						x[i] = float32(r.NormFloat64())
					}
				}
				if nan {
					x[r.IntN(len(x))] = float32(math.NaN())
				}
				run := func(asm bool) ([]float32, []int32) {
					poolAsm = asm
					b := New(2)
					defer b.Close()
					xt := b.Alloc(backends.Shape{3, 4, hw, hw})
					b.Upload(xt, x)
					ys := backends.Shape{3, 4, hw / 2, hw / 2}
					y, idx := b.Alloc(ys), b.AllocIndices(ys)
					b.MaxPool2D(y, idx, xt, p)
					return append([]float32(nil), tensorOf(y).data...), append([]int32(nil), indicesOf("test", idx, ys)...)
				}
				wy, wi := run(false)
				gy, gi := run(true)
				// Both against the definition: the row-major first maximum
				// of each window (strict >), a NaN winning.
				pt := poolTask{H: hw, W: hw, Ho: hw / 2, Wo: hw / 2, k: 4, stride: 2, pad: 1}
				ry, ri := make([]float32, len(wy)), make([]int32, len(wi))
				for pl := 0; pl < 12; pl++ {
					n, m := hw*hw, hw*hw/4
					pt.maxPlaneScalar(x[pl*n:(pl+1)*n], ry[pl*m:(pl+1)*m], ri[pl*m:(pl+1)*m])
				}
				for i := range ry {
					if math.Float32bits(wy[i]) != math.Float32bits(ry[i]) || wi[i] != ri[i] {
						t.Fatalf("output %d: portable %g at %d, definition %g at %d", i, wy[i], wi[i], ry[i], ri[i])
					}
				}
				for i := range wy {
					if math.Float32bits(wy[i]) != math.Float32bits(gy[i]) || wi[i] != gi[i] {
						t.Fatalf("output %d: asm %g at %d, portable %g at %d", i, gy[i], gi[i], wy[i], wi[i])
					}
				}
			})
		}
	}
}
