package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// team is a set of persistent helper goroutines that run one function with
// the calling goroutine as thread 0. Helpers sleep on their wake channel
// between calls; stop ends them.
type team struct {
	wake []chan struct{} // one per helper (threads 1..n-1)
	done chan struct{}
	work func(tid int)
}

// start launches n-1 helpers that call work(tid) on each wake-up.
func (t *team) start(n int, work func(tid int)) {
	t.work = work
	t.wake = make([]chan struct{}, n-1)
	t.done = make(chan struct{}, n)
	for i := range t.wake {
		ch := make(chan struct{})
		t.wake[i] = ch
		go func(tid int) {
			for range ch {
				work(tid)
				t.done <- struct{}{}
			}
		}(i + 1)
	}
}

// stop ends all helpers; the team can be started again.
func (t *team) stop() {
	for _, ch := range t.wake {
		close(ch)
	}
	t.wake = nil
}

// size is the number of threads the team runs on, the caller included.
func (t *team) size() int { return len(t.wake) + 1 }

// run executes work on threads 0..n-1 (n ≤ size) and waits for all.
func (t *team) run(n int) {
	for i := 0; i < n-1; i++ {
		t.wake[i] <- struct{}{}
	}
	t.work(0)
	for i := 0; i < n-1; i++ {
		<-t.done
	}
}

// signal lets threads wait for shared counters to reach a value. Waiters
// spin briefly (phases are short when every thread has a core), then yield,
// then sleep on a condition variable; progress calls wake sleepers.
type signal struct {
	sleepers atomic.Int32
	mu       sync.Mutex
	cond     sync.Cond
}

// init prepares a signal that will not move in memory.
func (s *signal) init() { s.cond.L = &s.mu }

// progress must be called after a counter that others may wait on changes.
func (s *signal) progress() {
	if s.sleepers.Load() > 0 {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	}
}

// waitGE blocks until c ≥ v.
func (s *signal) waitGE(c *atomic.Int32, v int32) {
	for i := 0; i < 2000; i++ {
		if c.Load() >= v {
			return
		}
		if i >= 1000 {
			runtime.Gosched()
		}
	}
	s.mu.Lock()
	s.sleepers.Add(1)
	for c.Load() < v {
		s.cond.Wait()
	}
	s.sleepers.Add(-1)
	s.mu.Unlock()
}
