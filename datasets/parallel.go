package datasets

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelFor calls fn(i) for i in [0, n) on up to workers goroutines
// (workers ≤ 0 means GOMAXPROCS). Indices are handed out in increasing
// chunks, and after the first failure no new chunk starts; because every
// index below a handed-out one was handed out too, the error returned is
// the one of the lowest failing index — the same on every run.
func parallelFor(n, workers int, fn func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const chunk = 32
	workers = max(1, min(workers, (n+chunk-1)/chunk))
	var (
		next     atomic.Int64
		failed   atomic.Bool
		mu       sync.Mutex
		firstIdx = n
		firstErr error
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for !failed.Load() {
				start := int(next.Add(chunk)) - chunk
				if start >= n {
					return
				}
				for i := start; i < min(start+chunk, n); i++ {
					if err := fn(i); err != nil {
						mu.Lock()
						if i < firstIdx {
							firstIdx, firstErr = i, err
						}
						mu.Unlock()
						failed.Store(true)
						break
					}
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}
