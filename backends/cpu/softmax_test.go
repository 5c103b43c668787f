//go:build amd64 && !purego

package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The pure-Go softmax passes the AVX2 kernels must reproduce bit for bit
// (the scalar loops of leftTask.softmax).

// refScaleMax is Go's running maximum of tinv·u.
func refScaleMax(mx, u []float32, tinv float32) {
	for i, v := range u {
		if e := tinv * v; e > mx[i] {
			mx[i] = e
		}
	}
}

// refExpRow is Go's exponential row with running sums.
func refExpRow(dst, sum, u, mx []float32, tinv float32) {
	for i, v := range u {
		e := exp32(float32(tinv*v) - mx[i]) // unfused, as the kernel
		dst[i] = e
		sum[i] += e
	}
}

// sameBits reports the first index where a and b differ in bits, or −1.
func sameBits(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// softmaxValue draws a test value: mostly ordinary magnitudes that put
// tinv·u − mx across exp32's fast range and its edges, sometimes a special
// value (NaN, ±Inf, ±0) or a huge one.
func softmaxValue(r *rand.Rand) float32 {
	switch r.IntN(16) {
	case 0:
		return []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
			0, float32(math.Copysign(0, -1)), 1e30, -1e30, 3e38}[r.IntN(8)]
	case 1, 2:
		return float32(r.NormFloat64() * 100)
	case 3:
		// Near the range edges −104, −87 and 88 (for tinv = 1 and mx = 0).
		return []float32{-104, -87, 88}[r.IntN(3)] + float32(r.IntN(9)-4)*1e-5
	default:
		return float32(r.NormFloat64() * 5)
	}
}

// withAVX2 runs f with the AVX2 kernels on or off.
func withAVX2(on bool, f func()) {
	saved := hasAVX2
	hasAVX2 = on && saved
	defer func() { hasAVX2 = saved }()
	f()
}

// TestSoftmaxKernels checks scaleRow, scaleMax and expRow, with and without
// AVX2, against the scalar loops on random rows of every length 0..40,
// several rows at a time as softmax uses them (sums from +0).
func TestSoftmaxKernels(t *testing.T) {
	if !hasAVX2 {
		t.Log("no AVX2: only the Go fallback is checked")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, avx := range []bool{true, false} {
		for n := 0; n <= 40; n++ {
			for trial := 0; trial < 20; trial++ {
				tinv := []float32{1, 0.65, 3.7, 1e-3, -2}[trial%5]
				u := make([]float32, 4*n)
				for i := range u {
					u[i] = softmaxValue(r)
				}
				mx, want := make([]float32, n), make([]float32, n)
				for i := range mx {
					mx[i] = softmaxValue(r)
					if trial%2 == 0 {
						mx[i] = 0
					}
				}
				copy(want, mx)
				var gotE, wantE, gotS, wantS [4][]float32
				withAVX2(avx, func() {
					for k := range 4 {
						row := u[k*n : (k+1)*n]
						refScaleMax(want, row, tinv)
						scaleMax(mx, row, tinv)
						if i := sameBits(mx, want); i >= 0 {
							t.Fatalf("avx=%v n=%d scaleMax[%d] = %#x, want %#x (u %g)", avx, n, i,
								math.Float32bits(mx[i]), math.Float32bits(want[i]), row[i])
						}
					}
					scaleRow(mx, u, tinv)
					refScaleRow := make([]float32, n)
					for i := range refScaleRow {
						refScaleRow[i] = tinv * u[i]
					}
					if i := sameBits(mx, refScaleRow); i >= 0 {
						t.Fatalf("avx=%v n=%d scaleRow[%d] = %g, want %g", avx, n, i, mx[i], refScaleRow[i])
					}
					if trial%2 == 0 {
						clear(mx) // x = tinv·u: exercises the range edges
					}
					sum, ref := make([]float32, n), make([]float32, n)
					for k := range 4 {
						row := u[k*n : (k+1)*n]
						gotE[k], wantE[k] = make([]float32, n), make([]float32, n)
						expRow(gotE[k], sum, row, mx, tinv)
						refExpRow(wantE[k], ref, row, mx, tinv)
						gotS[k], wantS[k] = append([]float32(nil), sum...), append([]float32(nil), ref...)
					}
				})
				for k := range 4 {
					if i := sameBits(gotE[k], wantE[k]); i >= 0 {
						x := tinv*u[k*n+i] - mx[i]
						t.Fatalf("avx=%v n=%d row %d: expRow[%d] = %#x, want %#x (x %g)", avx, n, k, i,
							math.Float32bits(gotE[k][i]), math.Float32bits(wantE[k][i]), x)
					}
					if i := sameBits(gotS[k], wantS[k]); i >= 0 {
						t.Fatalf("avx=%v n=%d row %d: sum[%d] = %#x, want %#x", avx, n, k, i,
							math.Float32bits(gotS[k][i]), math.Float32bits(wantS[k][i]))
					}
				}
			}
		}
	}
}

// TestExpRowSweep checks expRow against exp32 bit for bit and against
// math.Exp within exp32's documented error on a dense grid of x from −110
// to 90, and on the float32 neighbours of every range edge.
func TestExpRowSweep(t *testing.T) {
	var xs []float32
	for i := 0; i <= 200000; i++ {
		xs = append(xs, float32(-110+float64(i)*0.001))
	}
	for _, e := range []float32{-104, -87, 88, 0} {
		xs = append(xs, math.Nextafter32(e, -200), e, math.Nextafter32(e, 200))
	}
	xs = append(xs, float32(math.Inf(-1)), float32(math.Inf(1)), float32(math.NaN()))
	mx := make([]float32, len(xs))
	got, sum := make([]float32, len(xs)), make([]float32, len(xs))
	expRow(got, sum, xs, mx, 1)
	worst := 0.0
	for i, x := range xs {
		want := exp32(x)
		if math.Float32bits(got[i]) != math.Float32bits(want) || math.Float32bits(sum[i]) != math.Float32bits(want) {
			t.Fatalf("expRow(%g) = %#x (sum %#x), want exp32 %#x", x, math.Float32bits(got[i]),
				math.Float32bits(sum[i]), math.Float32bits(want))
		}
		if ref := math.Exp(float64(x)); ref >= 1e-37 && ref < math.MaxFloat32 {
			worst = math.Max(worst, math.Abs(float64(got[i])-ref)/ref)
		}
	}
	t.Logf("expRow worst relative error %.2e", worst)
	if worst > 2.5e-7 {
		t.Errorf("expRow: worst relative error %.2e, want ≤ 2.5e-7", worst)
	}
	// exp32 is exactly +0 from expZeroBelow down (math.Exp is monotonic).
	if v := exp32(expZeroBelow); v != 0 || math.Signbit(float64(v)) {
		t.Errorf("exp32(%v) = %g, want +0", float32(expZeroBelow), v)
	}
}

// TestExpTab checks the bit patterns of exp32's constants in the kernel's
// table.
func TestExpTab(t *testing.T) {
	want := [...]uint32{0x3fb8aa3b, 0x3f000000, 0x3f318000, 0xb95e8083, 0x39506967, 0x3ab743ce,
		0x3c088908, 0x3d2aa9c1, 0x3e2aaaaa, 0x3f000000, 0x3f800000, 0xc2ae0000, 0x42b00000,
		0xc2d00000, 127}
	for i, row := range expTab {
		for _, v := range row {
			if math.Float32bits(v) != want[i] {
				t.Fatalf("expTab[%d] = %#x, want %#x", i, math.Float32bits(v), want[i])
			}
		}
	}
}

// BenchmarkSoftmaxRows times one sample's passes 1 and 2 (K = 96 channels,
// P = 1024 positions, as Large1) with and without AVX2.
func BenchmarkSoftmaxRows(b *testing.B) {
	const K, P = 96, 1024
	r := rand.New(rand.NewPCG(1, 2))
	u := make([]float32, K*P)
	for i := range u {
		u[i] = float32(r.NormFloat64())
	}
	l, mx, sum := make([]float32, K*P), make([]float32, P), make([]float32, P)
	for _, avx := range []bool{true, false} {
		name := "Go"
		if avx {
			name = "AVX2"
		}
		b.Run(name, func(b *testing.B) {
			withAVX2(avx, func() {
				for b.Loop() {
					scaleRow(mx, u, 0.65)
					for k := 1; k < K; k++ {
						scaleMax(mx, u[k*P:(k+1)*P], 0.65)
					}
					clear(sum)
					for k := 0; k < K; k++ {
						expRow(l[k*P:(k+1)*P], sum, u[k*P:(k+1)*P], mx, 0.65)
					}
				}
			})
		})
	}
}
