package cpu

import (
	"sync/atomic"
	"testing"
)

// countTask counts how often each item runs.
type countTask struct{ hits []atomic.Int32 }

func (c *countTask) run(i int) { c.hits[i].Add(1) }

// TestWorkersRunEachItemOnce checks the pool on item counts around the
// thread count, after resizing, and after Close (which runs serially).
func TestWorkersRunEachItemOnce(t *testing.T) {
	b := New(3)
	check := func(when string) {
		t.Helper()
		for _, n := range []int{0, 1, 2, 3, 4, 7, 100, 1000} {
			c := &countTask{hits: make([]atomic.Int32, n)}
			b.workers.do(n, c)
			for i := range c.hits {
				if h := c.hits[i].Load(); h != 1 {
					t.Fatalf("%s: %d items: item %d ran %d times", when, n, i, h)
				}
			}
		}
	}
	check("3 threads")
	b.SetThreads(5)
	check("5 threads")
	b.SetThreads(1)
	check("1 thread")
	b.SetThreads(2)
	check("2 threads")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed")
}
