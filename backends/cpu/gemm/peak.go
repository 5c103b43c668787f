package gemm

import (
	"sync"
	"time"
)

// PeakGFLOPS measures the machine's multiply-add throughput: threads
// goroutines each run a loop of independent FMAs of the widest kind the GEMM
// path in use may execute (16-wide AVX-512 on the avx512 path, 8-wide AVX2
// on the avx2 path, scalar multiply-adds on the portable one; PeakISA names
// it) for about d, and the total GFLOP/s is returned (an FMA counts as two
// FLOPs). It is the "% of peak" denominator for benchmarks, so restricting
// the kernels with GHLSIM_CPU_ISA restricts the peak they are measured
// against too; d of 100–300 ms gives a stable reading.
func PeakGFLOPS(threads int, d time.Duration) float64 {
	threads = max(1, threads)
	const chunk = 1 << 14 // loop iterations between clock reads
	flops := make([]float64, threads)
	var wg sync.WaitGroup
	isa := PeakISA()
	start := time.Now()
	for t := range threads {
		wg.Go(func() {
			var n float64
			var sink float32
			for time.Since(start) < d {
				n += float64(chunk) * fmaLoopISA(isa, chunk, &sink)
			}
			flops[t] = n
		})
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	var total float64
	for _, f := range flops {
		total += f
	}
	return total / el / 1e9
}
