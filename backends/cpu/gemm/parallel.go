package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Waiting threads spin (polling, and yielding the processor to other
// goroutines now and then) before they sleep: a sleeping thread on a busy
// machine loses its core and wakes late, a spinning one keeps it. Inside a
// call waits are short (one chunk or packing unit); between calls helpers
// spin a little longer, since GEMMs tend to come in runs.
const (
	spinWait = 200 * time.Microsecond
	spinIdle = time.Millisecond
)

// team runs one function on n threads: the calling goroutine is thread 0 and
// a crew of persistent helper goroutines the others.
type team struct {
	crew *crew
	work func(tid int)
}

// crew is one generation of helpers; stopping it ends them.
type crew struct {
	size    int           // helpers
	gen     atomic.Uint32 // calls so far; helpers run when it moves
	active  atomic.Int32  // helpers taking part in the current call
	pending atomic.Int32  // of those, how many are still working
	stopped atomic.Bool
	live    atomic.Int32 // helpers running (for tests)
	sig     signal
}

// start launches n-1 helpers that call work(tid) for tid 1..n-1.
func (t *team) start(n int, work func(tid int)) {
	t.work = work
	c := &crew{size: n - 1}
	c.sig.init()
	t.crew = c
	for tid := 1; tid < n; tid++ {
		c.live.Add(1)
		go c.helper(tid, work)
	}
}

// stop ends the helpers; the team can be started again.
func (t *team) stop() {
	if c := t.crew; c != nil {
		c.stopped.Store(true)
		c.sig.progress()
		t.crew = nil
	}
}

// size is the number of threads the team runs on, the caller included.
func (t *team) size() int {
	if t.crew == nil {
		return 1
	}
	return t.crew.size + 1
}

// run executes work on threads 0..n-1 (n ≤ size) and waits for all.
func (t *team) run(n int) {
	c := t.crew
	c.active.Store(int32(n - 1))
	c.pending.Store(int32(n - 1))
	c.gen.Add(1)
	c.sig.progress()
	t.work(0)
	for {
		e := c.sig.now()
		if c.pending.Load() == 0 {
			return
		}
		c.sig.wait(e, spinWait)
	}
}

// helper is thread tid's loop: wait for a call, work if taking part, repeat.
func (c *crew) helper(tid int, work func(tid int)) {
	defer c.live.Add(-1)
	var seen uint32
	for {
		e := c.sig.now()
		if c.stopped.Load() {
			return
		}
		g := c.gen.Load()
		if g == seen {
			c.sig.wait(e, spinIdle)
			continue
		}
		seen = g
		if int32(tid) <= c.active.Load() {
			work(tid)
			if c.pending.Add(-1) == 0 {
				c.sig.progress()
			}
		}
	}
}

// signal lets threads wait for progress of the others. Every change that
// may let a waiting thread continue calls progress; a thread that found
// nothing to do waits until the epoch moves past the one it saw before
// looking.
type signal struct {
	epoch    atomic.Uint32
	sleepers atomic.Int32
	mu       sync.Mutex
	cond     sync.Cond
}

// init prepares a signal that will not move in memory.
func (s *signal) init() { s.cond.L = &s.mu }

// now is the current epoch; read it before looking for work.
func (s *signal) now() uint32 { return s.epoch.Load() }

// progress announces a change and wakes sleepers.
func (s *signal) progress() {
	s.epoch.Add(1)
	if s.sleepers.Load() > 0 {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	}
}

// wait blocks until the epoch differs from e, spinning for up to spin first.
func (s *signal) wait(e uint32, spin time.Duration) {
	var start time.Time
	for i := 1; s.epoch.Load() == e; i++ {
		if i%128 != 0 {
			continue
		}
		if start.IsZero() {
			start = time.Now()
		} else if time.Since(start) > spin {
			s.sleep(e)
			return
		}
		runtime.Gosched()
	}
}

// sleep blocks on the condition variable until the epoch differs from e.
func (s *signal) sleep(e uint32) {
	s.mu.Lock()
	s.sleepers.Add(1)
	for s.epoch.Load() == e {
		s.cond.Wait()
	}
	s.sleepers.Add(-1)
	s.mu.Unlock()
}
