package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"
	"time"
)

// benchShape is one benchmarked product.
type benchShape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

// deepHebbShapes are the im2col GEMMs of the DeepHebb conv layers (batch
// folded into N): forward W·patches, data gradient Wᵀ·dY (transA) and weight
// gradient dY·patchesᵀ (transB).
var deepHebbShapes = []benchShape{
	{"conv1/fwd_96x65536x75", false, false, 96, 65536, 75},
	{"conv1/bwdData_75x65536x96_TN", true, false, 75, 65536, 96},
	{"conv1/bwdWeight_96x75x65536_NT", false, true, 96, 75, 65536},
	{"conv2/fwd_384x16384x864", false, false, 384, 16384, 864},
	{"conv2/bwdData_864x16384x384_TN", true, false, 864, 16384, 384},
	{"conv2/bwdWeight_384x864x16384_NT", false, true, 384, 864, 16384},
	{"conv3/fwd_1536x4096x3456", false, false, 1536, 4096, 3456},
	{"conv3/bwdData_3456x4096x1536_TN", true, false, 3456, 4096, 1536},
	{"conv3/bwdWeight_1536x3456x4096_NT", false, true, 1536, 3456, 4096},
}

// sizeShapes are square products of growing size.
var sizeShapes = []benchShape{
	{"Small_64", false, false, 64, 64, 64},
	{"Medium_256", false, false, 256, 256, 256},
	{"Large_1024", false, false, 1024, 1024, 1024},
}

// operands returns random A, B, C and leading dimensions for s.
func (s benchShape) operands() (a, b, c []float32, lda, ldb int) {
	rng := rand.New(rand.NewPCG(11, 12))
	a, b = randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n)
	c = make([]float32, s.m*s.n)
	lda, ldb = s.k, s.n
	if s.transA {
		lda = s.m
	}
	if s.transB {
		ldb = s.k
	}
	return a, b, c, lda, ldb
}

func (s benchShape) flops() float64 { return 2 * float64(s.m) * float64(s.n) * float64(s.k) }

// benchEngine times e on s and reports GFLOP/s.
func benchEngine(b *testing.B, e *Engine, s benchShape) {
	a, bb, c, lda, ldb := s.operands()
	e.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
	b.ResetTimer()
	for b.Loop() {
		e.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
	}
	b.ReportMetric(s.flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSgemm times the square sizes on one thread and on GOMAXPROCS.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range sizeShapes {
		for _, th := range threadCounts() {
			b.Run(fmt.Sprintf("%s/t%d", s.name, th), func(b *testing.B) { benchEngine(b, New(th), s) })
		}
	}
}

// BenchmarkSgemmGeneric times the portable kernel on the square sizes.
func BenchmarkSgemmGeneric(b *testing.B) {
	for _, s := range sizeShapes {
		b.Run(s.name+"/t1", func(b *testing.B) { benchEngine(b, newEngine(1, "generic"), s) })
	}
}

// BenchmarkDeepHebb times the DeepHebb conv GEMMs on GOMAXPROCS threads.
func BenchmarkDeepHebb(b *testing.B) {
	th := runtime.GOMAXPROCS(0)
	for _, s := range deepHebbShapes {
		b.Run(fmt.Sprintf("%s/t%d", s.name, th), func(b *testing.B) { benchEngine(b, New(th), s) })
	}
}

// BenchmarkDeepHebbISA compares the assembly paths this CPU supports
// (avx2, avx512) on the DeepHebb conv GEMMs, on GOMAXPROCS threads. Each
// iteration is one round: a short PeakGFLOPS probe (20 ms), then one call
// per path, in alternating order, so load changes on a busy machine hit all
// of them; it reports each path's median GFLOP/s and % of the median peak
// over the rounds (run with -benchtime=Nx for N rounds), and the median
// per-round ratio avx512/avx2.
func BenchmarkDeepHebbISA(b *testing.B) {
	th := runtime.GOMAXPROCS(0)
	var isas []string
	for _, isa := range paths() {
		if isa != "generic" {
			isas = append(isas, isa)
		}
	}
	if len(isas) == 0 {
		b.Skip("no assembly path on this CPU/build")
	}
	for _, s := range deepHebbShapes {
		b.Run(fmt.Sprintf("%s/t%d", s.name, th), func(b *testing.B) {
			a, bb, c, lda, ldb := s.operands()
			engines := make([]*Engine, len(isas))
			rates := make([][]float64, len(isas))
			var peaks, ratios []float64
			for i, isa := range isas {
				engines[i] = newEngine(th, isa)
				engines[i].Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
			}
			round := 0
			for b.Loop() {
				peaks = append(peaks, PeakGFLOPS(th, 20*time.Millisecond))
				for x := range isas {
					i := (x + round) % len(isas)
					t0 := time.Now()
					engines[i].Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
					rates[i] = append(rates[i], s.flops()/time.Since(t0).Seconds()/1e9)
				}
				if len(isas) == 2 {
					ratios = append(ratios, rates[1][round]/rates[0][round])
				}
				round++
			}
			peak := median(peaks)
			for i, isa := range isas {
				g := median(rates[i])
				b.ReportMetric(g, isa+"-GFLOP/s")
				b.ReportMetric(100*g/peak, isa+"-%peak")
			}
			if len(ratios) > 0 {
				b.ReportMetric(median(ratios), isas[1]+"/"+isas[0])
			}
			b.ReportMetric(peak, "peak-GFLOP/s")
		})
	}
}

// median is the middle value of xs (the mean of the two middle ones).
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else if n > 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return 0
}

// threadCounts is {1, GOMAXPROCS}, deduplicated.
func threadCounts() []int {
	if n := runtime.GOMAXPROCS(0); n > 1 {
		return []int{1, n}
	}
	return []int{1}
}
