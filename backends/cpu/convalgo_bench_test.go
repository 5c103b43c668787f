package cpu_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
)

// BenchmarkConvAlgorithms times a 3×3, stride-1, padded convolution's
// forward pass, input gradient and fused weight gradient + Oja-SWTA under
// im2col and Winograd, at batch 64 over channel counts around
// ConvAuto's threshold (go test -bench ConvAlgorithms -run ^$ ./backends/cpu).
// GFLOP/s counts the direct product for both, so the two columns compare
// as time.
func BenchmarkConvAlgorithms(b *testing.B) {
	for _, c := range []struct{ C, K, HW int }{
		{16, 16, 16}, {16, 64, 16}, {24, 96, 16}, {24, 96, 14}, {32, 32, 16}, {32, 128, 8}, {48, 48, 16}, {96, 384, 16}, {96, 384, 7}, {384, 1536, 8},
	} {
		for _, op := range []string{"fwd", "bwdData", "wgradHebb"} {
			for _, algo := range []cpu.ConvAlgorithm{cpu.ConvIm2col, cpu.ConvWinograd} {
				b.Run(fmt.Sprintf("C%d_K%d_%dx%d/%s/%s", c.C, c.K, c.HW, c.HW, op, algo), func(b *testing.B) {
					be := cpu.New(runtime.GOMAXPROCS(0))
					defer be.Close()
					be.SetConvAlgorithm(algo)
					r := rand.New(rand.NewPCG(1, 2))
					rnd := func(s backends.Shape) backends.Tensor {
						t := be.Alloc(s)
						d := make([]float32, s.Len())
						for i := range d {
							d[i] = float32(r.NormFloat64())
						}
						be.Upload(t, d)
						return t
					}
					const B = 64
					xs, ws, ys := backends.Shape{B, c.C, c.HW, c.HW}, backends.Shape{c.K, c.C, 3, 3}, backends.Shape{B, c.K, c.HW, c.HW}
					x, w, dy := rnd(xs), rnd(ws), rnd(ys)
					y, dx, dw, h := be.Alloc(ys), be.Alloc(xs), be.Alloc(ws), be.Alloc(ws)
					p := backends.ConvParams{Stride: 1, Pad: 1}
					be.Conv2D(y, x, w, nil, p)
					run := func() {
						switch op {
						case "fwd":
							be.Conv2D(y, x, w, nil, p)
						case "bwdData":
							be.Conv2DBackwardData(dx, dy, w, p)
						default:
							be.Conv2DBackwardWeightHebb(dw, nil, h, x, dy, y, w, backends.OjaParams{TInv: 1, Conv: p})
						}
					}
					run()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						run()
					}
					flops := 2 * float64(B*c.K*c.C*9*c.HW*c.HW)
					if op == "wgradHebb" {
						flops *= 2
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
