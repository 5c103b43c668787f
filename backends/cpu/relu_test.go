package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"ghlsim/backends"
)

// The AVX2 ReLU kernels equal the portable loops bit for bit, forward and
// backward, on lengths around the 32-value vector block and on the values
// where max(x, 0) and the x > 0 mask are delicate: ±0, NaN, ±Inf,
// subnormals.
func TestReLUAsmMatchesPortable(t *testing.T) {
	if !reluAsm {
		t.Skip("no AVX2 ReLU kernels on this CPU or build")
	}
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1, -1, math.MaxFloat32}
	r := rand.New(rand.NewPCG(4, 4))
	for _, n := range []int{1, 31, 32, 33, 64, 95, 1000, 4133} {
		x, dy := make([]float32, n), make([]float32, n)
		for i := range x {
			if r.IntN(3) == 0 {
				x[i] = special[r.IntN(len(special))]
			} else {
				x[i] = float32(r.NormFloat64())
			}
			dy[i] = float32(r.NormFloat64())
		}
		var out [2][2][]float32 // [asm][forward, backward]
		for k, asm := range []bool{true, false} {
			reluAsm = asm
			b := New(1)
			xt, dyt := b.Alloc(backends.Shape{n}), b.Alloc(backends.Shape{n})
			b.Upload(xt, x)
			b.Upload(dyt, dy)
			yt, dxt := b.Alloc(backends.Shape{n}), b.Alloc(backends.Shape{n})
			p := backends.ActParams{Kind: backends.ReLU}
			b.Activation(yt, xt, p)
			b.ActivationBackward(dxt, dyt, xt, p)
			out[k][0], out[k][1] = make([]float32, n), make([]float32, n)
			b.Download(out[k][0], yt)
			b.Download(out[k][1], dxt)
			b.Close()
		}
		reluAsm = true
		for pass, name := range []string{"forward", "backward"} {
			for i := range x {
				if a, g := math.Float32bits(out[0][pass][i]), math.Float32bits(out[1][pass][i]); a != g {
					t.Fatalf("n=%d %s [%d] x=%v: AVX2 %#x, portable %#x", n, name, i, x[i], a, g)
				}
			}
		}
	}
}

// BenchmarkReLU times ReLU forward and backward on a DeepHebb-sized
// activation (batch 64, 96 channels, 16×16: 1.57 M values), AVX2 against the
// portable loop, on one thread.
func BenchmarkReLU(b *testing.B) {
	shape := backends.Shape{64, 96, 16, 16}
	for _, asm := range []bool{true, false} {
		for _, backward := range []bool{false, true} {
			name := map[bool]string{true: "avx2", false: "portable"}[asm] + map[bool]string{false: "/forward", true: "/backward"}[backward]
			b.Run(name, func(b *testing.B) {
				if asm && !reluAsm {
					b.Skip("no AVX2 ReLU kernels")
				}
				was := reluAsm
				reluAsm = asm
				defer func() { reluAsm = was }()
				be := New(1)
				defer be.Close()
				x, dy, y := be.Alloc(shape), be.Alloc(shape), be.Alloc(shape)
				h := make([]float32, shape.Len())
				r := rand.New(rand.NewPCG(1, 1))
				for i := range h {
					h[i] = float32(r.NormFloat64())
				}
				be.Upload(x, h)
				be.Upload(dy, h)
				p := backends.ActParams{Kind: backends.ReLU}
				b.SetBytes(int64(shape.Len()) * 4)
				for b.Loop() {
					if backward {
						be.ActivationBackward(y, dy, x, p)
					} else {
						be.Activation(y, x, p)
					}
				}
			})
		}
	}
}
