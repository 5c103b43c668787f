package cpu

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// task is one parallel kernel: run(i) processes work item i. Items are
// independent, and an item's result depends only on i (never on the worker
// that ran it or on how many workers exist), which is what makes every
// kernel's output bit-identical run to run and across thread counts.
// Reductions write one partial per item and combine them in item order.
type task interface{ run(i int) }

// workers is a persistent pool of threads−1 goroutines; the goroutine that
// calls do is the last worker. Items are handed out through an atomic
// counter, so an idle thread takes the next item (good on a shared machine)
// without affecting results. Nothing is allocated per call: kernels pass a
// pointer to a task struct preallocated in the Backend's workspace.
type workers struct {
	wake []chan struct{}
	wg   sync.WaitGroup
	t    task
	n    int64
	next atomic.Int64
}

// startWorkers starts a pool of n−1 goroutines (none when n ≤ 1).
func startWorkers(n int) *workers {
	w := &workers{}
	for i := 1; i < n; i++ {
		ch := make(chan struct{})
		w.wake = append(w.wake, ch)
		go w.loop(ch)
	}
	return w
}

// loop is one worker goroutine: it drains items each time it is woken and
// exits when its channel is closed.
func (w *workers) loop(ch chan struct{}) {
	for range ch {
		w.drain()
		w.wg.Done()
	}
}

// drain runs items until none is left.
func (w *workers) drain() {
	for {
		i := w.next.Add(1) - 1
		if i >= w.n {
			return
		}
		w.t.run(int(i))
	}
}

// do runs items 0..n−1 of t on the pool and returns when all are done.
func (w *workers) do(n int, t task) {
	if n <= 0 {
		return
	}
	if w == nil || len(w.wake) == 0 || n == 1 {
		for i := 0; i < n; i++ {
			t.run(i)
		}
		return
	}
	w.t, w.n = t, int64(n)
	w.next.Store(0)
	k := min(len(w.wake), n-1)
	w.wg.Add(k)
	for _, ch := range w.wake[:k] {
		ch <- struct{}{}
	}
	w.drain()
	w.wg.Wait()
	w.t = nil // do not keep the task (and its Backend) reachable
}

// stop ends the worker goroutines.
func (w *workers) stop() {
	for _, ch := range w.wake {
		close(ch)
	}
	w.wake = nil
}

// setWorkers replaces the pool with one of n threads (n = 0 stops it). The
// goroutines hold only the pool, never the Backend, so a cleanup attached to
// the Backend stops them once the Backend is unreachable.
func (b *Backend) setWorkers(n int) {
	if b.workers != nil {
		b.cleanup.Stop()
		b.cleanup = runtime.Cleanup{}
		b.workers.stop()
		b.workers = nil
	}
	if n < 1 {
		return
	}
	b.workers = startWorkers(n)
	if n > 1 {
		b.cleanup = runtime.AddCleanup(b, (*workers).stop, b.workers)
	}
}

// span returns the half-open range of item i when n elements are cut into
// items of grain elements.
func span(i, grain, n int) (lo, hi int) {
	lo = i * grain
	return lo, min(lo+grain, n)
}

// items is the number of grain-sized items covering n elements.
func items(n, grain int) int { return (n + grain - 1) / grain }
