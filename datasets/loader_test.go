package datasets

import (
	"math"
	"slices"
	"testing"
	"time"
)

// epochBatches records every batch of one epoch (copies).
type epochBatches struct {
	x   [][]float32
	y   [][]int32
	idx [][]int
}

func collect(t *testing.T, l *Loader, epoch, skip int, slow bool) epochBatches {
	t.Helper()
	l.Start(epoch, skip)
	var out epochBatches
	for {
		b, ok := l.Next()
		if !ok {
			break
		}
		if b.N != len(b.Y) || len(b.X) != b.N*l.size || len(b.Idx) != b.N {
			t.Fatalf("inconsistent batch: N=%d len(X)=%d len(Y)=%d", b.N, len(b.X), len(b.Y))
		}
		out.x = append(out.x, slices.Clone(b.X))
		out.y = append(out.y, slices.Clone(b.Y))
		out.idx = append(out.idx, slices.Clone(b.Idx))
		if slow && len(out.x)%3 == 0 {
			time.Sleep(2 * time.Millisecond) // let the producer run far ahead
		}
	}
	return out
}

func equalEpochs(a, b epochBatches) bool {
	if len(a.x) != len(b.x) {
		return false
	}
	for i := range a.x {
		if !slices.Equal(a.x[i], b.x[i]) || !slices.Equal(a.y[i], b.y[i]) || !slices.Equal(a.idx[i], b.idx[i]) {
			return false
		}
	}
	return true
}

func augCfg() LoaderConfig {
	return LoaderConfig{Batch: 8, Shuffle: true, Seed: 5, Mean: []float32{0.1, 0.2, 0.3}, Std: []float32{0.5}, Crop: 2, Flip: true}
}

func newTestLoader(t *testing.T, s *Set, cfg LoaderConfig) *Loader {
	t.Helper()
	l, err := NewLoader(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

func TestLoaderDeterministic(t *testing.T) {
	s := uniqueSet(103, 3, 6, 5, 4)
	a, b := newTestLoader(t, s, augCfg()), newTestLoader(t, s, augCfg())
	if a.BatchesPerEpoch() != 13 {
		t.Fatalf("BatchesPerEpoch = %d, want 13", a.BatchesPerEpoch())
	}
	e0, e1 := collect(t, a, 0, 0, false), collect(t, a, 1, 0, false)
	if !equalEpochs(e0, collect(t, b, 0, 0, true)) || !equalEpochs(e1, collect(t, b, 1, 0, false)) {
		t.Fatal("same seed gives different batches")
	}
	if !equalEpochs(e1, collect(t, a, 1, 0, true)) {
		t.Fatal("replaying an epoch gives different batches")
	}
	if equalEpochs(e0, e1) {
		t.Fatal("epochs 0 and 1 are identical")
	}
	for _, e := range []epochBatches{e0, e1} {
		var all []int
		for _, idx := range e.idx {
			all = append(all, idx...)
		}
		slices.Sort(all)
		for i, v := range all {
			if v != i {
				t.Fatalf("an epoch does not visit every sample once: %v", all)
			}
		}
		if len(e.idx[12]) != 103-12*8 {
			t.Fatalf("last batch has %d samples, want 7", len(e.idx[12]))
		}
	}
	other := augCfg()
	other.Seed = 6
	if equalEpochs(e0, collect(t, newTestLoader(t, s, other), 0, 0, false)) {
		t.Fatal("another seed gives the same batches")
	}
}

func TestLoaderResume(t *testing.T) {
	s := uniqueSet(50, 3, 4, 4, 3)
	l := newTestLoader(t, s, augCfg())
	full := collect(t, l, 2, 0, false)
	for _, k := range []int{0, 1, 4, l.BatchesPerEpoch() - 1, l.BatchesPerEpoch()} {
		// Abandon a partly consumed epoch first, leaving buffers in flight.
		l.Start(0, 0)
		l.Next()
		l.Next()
		got := collect(t, l, 2, k, false)
		want := epochBatches{full.x[k:], full.y[k:], full.idx[k:]}
		if !equalEpochs(got, want) {
			t.Fatalf("Start(2, %d) differs from skipping %d batches", k, k)
		}
	}
	// Restarting many times without consuming never deadlocks.
	for e := range 20 {
		l.Start(e, 0)
	}
}

func TestLoaderPlainValues(t *testing.T) {
	s := uniqueSet(21, 2, 3, 4, 3)
	cfg := LoaderConfig{Batch: 5, Mean: []float32{0.25, 0.5}, Std: []float32{0.5, 2}}
	l := newTestLoader(t, s, cfg)
	e := collect(t, l, 0, 0, false)
	if len(e.x) != 5 || len(e.idx[4]) != 1 {
		t.Fatalf("%d batches, last of %d", len(e.x), len(e.idx[len(e.idx)-1]))
	}
	plane := 12
	for bi, x := range e.x {
		for j, i := range e.idx[bi] {
			if i != bi*5+j || e.y[bi][j] != s.Labels[i] {
				t.Fatalf("unshuffled batch %d holds sample %d at %d", bi, i, j)
			}
			for k, v := range s.Image(i) {
				ch := k / plane
				want := (float32(v)/255 - cfg.Mean[ch]) / cfg.Std[ch]
				if x[j*24+k] != want {
					t.Fatalf("sample %d value %d = %v, want %v", i, k, x[j*24+k], want)
				}
			}
		}
	}
	cfg.DropLast = true
	if n := newTestLoader(t, s, cfg).BatchesPerEpoch(); n != 4 {
		t.Fatalf("DropLast: %d batches, want 4", n)
	}
}

func TestLoaderValidate(t *testing.T) {
	s := Synthetic(10, 3, 4, 4, 2, 1)
	for _, tc := range []struct {
		cfg  LoaderConfig
		subs string
	}{
		{LoaderConfig{Batch: 0}, "batch size 0"},
		{LoaderConfig{Batch: 11, DropLast: true}, "no batch"},
		{LoaderConfig{Batch: 2, Mean: []float32{0, 0}}, "Mean has 2 entries"},
		{LoaderConfig{Batch: 2, Std: []float32{1, 0, 1}}, "Std[1] = 0"},
		{LoaderConfig{Batch: 2, Std: []float32{-1}}, "positive"},
		{LoaderConfig{Batch: 2, Mean: []float32{float32(math.NaN())}}, "finite"},
		{LoaderConfig{Batch: 2, Crop: -1}, "crop padding -1"},
		{LoaderConfig{Batch: 2, Crop: 5}, "crop padding 5"},
	} {
		_, err := NewLoader(s, tc.cfg)
		wantErr(t, err, ErrConfig, tc.subs)
	}
	_, err := NewLoader(s.Subset(nil), LoaderConfig{Batch: 1})
	wantErr(t, err, ErrConfig, "empty")
	bad := Synthetic(4, 1, 2, 2, 2, 1)
	bad.Labels[0] = 5
	_, err = NewLoader(bad, LoaderConfig{Batch: 1})
	wantErr(t, err, ErrConfig, "label 5")
	if err := (LoaderConfig{Batch: 3, Mean: []float32{0.5}, Std: []float32{0.5}, Crop: 4, Flip: true}).Validate(s); err != nil {
		t.Fatal(err)
	}
}

func TestLoaderNoAllocs(t *testing.T) {
	s := Synthetic(2000, 3, 8, 8, 10, 1)
	l := newTestLoader(t, s, augCfg())
	l.Start(0, 0)
	l.Next() // warm up
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := l.Next(); !ok {
			t.Fatal("epoch ended early")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per batch, want 0", allocs)
	}
}

func TestLoaderLifecycle(t *testing.T) {
	l, err := NewLoader(Synthetic(10, 1, 2, 2, 2, 1), LoaderConfig{Batch: 3})
	if err != nil {
		t.Fatal(err)
	}
	mustPanic(t, "Next before Start", func() { l.Next() })
	mustPanic(t, "skip too large", func() { l.Start(0, 5) })
	mustPanic(t, "negative epoch", func() { l.Start(-1, 0) })
	l.Start(0, 0)
	l.Next()
	l.Close()
	l.Close()
	if _, ok := l.Next(); ok {
		t.Fatal("Next after Close returned a batch")
	}
	mustPanic(t, "Start after Close", func() { l.Start(0, 0) })
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}

func BenchmarkLoader(b *testing.B) {
	for _, size := range []struct {
		name    string
		c, h, w int
		batch   int
	}{{"Small", 1, 28, 28, 64}, {"Medium", 3, 32, 32, 64}, {"Large", 3, 64, 64, 128}} {
		b.Run(size.name, func(b *testing.B) {
			s := Synthetic(2048, size.c, size.h, size.w, 10, 1)
			l, err := NewLoader(s, LoaderConfig{Batch: size.batch, Shuffle: true, Mean: []float32{0.5}, Std: []float32{0.5}, Crop: 4, Flip: true})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			e := 0
			l.Start(e, 0)
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := l.Next(); !ok {
					e++
					l.Start(e, 0)
				}
			}
			b.ReportMetric(float64(b.N*size.batch)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
