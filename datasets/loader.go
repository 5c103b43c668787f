package datasets

import (
	"fmt"
	"math"
)

// prefetch is how many batches the loader prepares ahead of the consumer.
const prefetch = 3

// LoaderConfig configures a Loader.
type LoaderConfig struct {
	// Batch is the number of samples per batch; > 0.
	Batch int
	// Shuffle draws a new sample order every epoch; off, batches follow the
	// set's order.
	Shuffle bool
	// Seed keys the shuffle and augmentation streams: the order of epoch e
	// depends only on (Seed, e), a sample's augmentation only on (Seed, e,
	// sample index).
	Seed uint64
	// Mean and Std normalise each channel: x = (pixel/255 − Mean)/Std. Each
	// has C entries, 1 (broadcast to every channel) or none (Mean 0, Std 1).
	// Std must be positive. See NormStats and StandardNorm.
	Mean, Std []float32
	// Crop is the random-crop padding in pixels (0 = off), zero padding, as
	// torchvision's RandomCrop(size, padding=Crop); at most min(H, W).
	Crop int
	// Flip mirrors each sample left–right with probability ½.
	Flip bool
	// DropLast drops a final partial batch.
	DropLast bool
}

// Validate checks the configuration against the set it will load.
func (c LoaderConfig) Validate(s *Set) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("datasets: loader: "+format+": %w", append(args, ErrConfig)...)
	}
	if s == nil {
		return bad("no set")
	}
	if err := s.Validate(); err != nil {
		return err
	}
	if s.Len() == 0 {
		return bad("set %q is empty", s.Name)
	}
	if c.Batch <= 0 {
		return bad("batch size %d must be positive", c.Batch)
	}
	if c.DropLast && c.Batch > s.Len() {
		return bad("batch size %d exceeds the %d samples of %q and DropLast is set, so an epoch would have no batch; lower the batch size or unset DropLast", c.Batch, s.Len(), s.Name)
	}
	for _, v := range []struct {
		name string
		xs   []float32
	}{{"Mean", c.Mean}, {"Std", c.Std}} {
		if len(v.xs) > 1 && len(v.xs) != s.C {
			if s.C == 1 {
				return bad("%s has %d entries; %q has one channel: want 1 entry or none", v.name, len(v.xs), s.Name)
			}
			return bad("%s has %d entries; want %d (one per channel of %q), 1 (broadcast) or none", v.name, len(v.xs), s.C, s.Name)
		}
		for i, x := range v.xs {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return bad("%s[%d] = %v; want a finite number", v.name, i, x)
			}
			if v.name == "Std" && x <= 0 {
				return bad("Std[%d] = %v; want a positive number", i, x)
			}
		}
	}
	if c.Crop < 0 || c.Crop > min(s.H, s.W) {
		return bad("crop padding %d must be in [0, %d] for %d×%d images", c.Crop, min(s.H, s.W), s.H, s.W)
	}
	return nil
}

// Batch is one mini-batch. It is owned by the Loader and valid until the
// next call to Next or Start.
type Batch struct {
	// X holds N samples normalised and augmented, N*C*H*W float32, NCHW.
	X []float32
	// Y holds the N labels.
	Y []int32
	// N is the number of samples (the batch size except maybe for the last
	// batch of an epoch).
	N int
	// Idx holds the N samples' indices in the set.
	Idx []int
}

// Loader produces the mini-batches of a Set epoch by epoch. A background
// goroutine normalises and augments up to three batches ahead into
// preallocated buffers, so Next rarely waits and allocates nothing. Batch
// contents depend only on the configuration, the epoch and the batch index.
// A Loader is used by one goroutine at a time; call Close when done.
type Loader struct {
	set  *Set
	cfg  LoaderConfig
	lut  []float32
	size int
	nb   int
	perm []int

	free  chan *Batch // buffers the producer may fill
	ready chan *Batch // filled buffers in order; nil marks the epoch's end
	cur   *Batch      // buffer held by the consumer

	cancel chan struct{} // closed to stop the running producer
	done   chan struct{} // closed when the producer has returned

	started, ended, closed bool
}

// NewLoader validates cfg against s and returns a loader; call Start before
// Next. s must not change while the loader is in use.
func NewLoader(s *Set, cfg LoaderConfig) (*Loader, error) {
	if err := cfg.Validate(s); err != nil {
		return nil, err
	}
	cfg.Mean = append([]float32(nil), cfg.Mean...)
	cfg.Std = append([]float32(nil), cfg.Std...)
	l := &Loader{
		set:   s,
		cfg:   cfg,
		lut:   normLUT(s.C, cfg.Mean, cfg.Std),
		size:  s.ImageSize(),
		perm:  make([]int, s.Len()),
		free:  make(chan *Batch, prefetch),
		ready: make(chan *Batch, prefetch+1),
	}
	l.nb = s.Len() / cfg.Batch
	if !cfg.DropLast && s.Len()%cfg.Batch != 0 {
		l.nb++
	}
	for range prefetch {
		l.free <- &Batch{
			X:   make([]float32, cfg.Batch*l.size),
			Y:   make([]int32, cfg.Batch),
			Idx: make([]int, cfg.Batch),
		}
	}
	return l, nil
}

// BatchesPerEpoch returns the number of batches in every epoch.
func (l *Loader) BatchesPerEpoch() int { return l.nb }

// Start begins epoch epoch (0-based) at batch index skip, abandoning any
// epoch in progress; with skip = k the batches are exactly those an
// uninterrupted run would have produced from the k-th on (for resuming).
// It panics if epoch < 0, skip is outside [0, BatchesPerEpoch()] or the
// loader is closed.
func (l *Loader) Start(epoch, skip int) {
	if l.closed {
		panic("datasets: Loader.Start after Close")
	}
	if epoch < 0 || skip < 0 || skip > l.nb {
		panic(fmt.Sprintf("datasets: Loader.Start(%d, %d): want epoch ≥ 0 and skip in [0, %d]", epoch, skip, l.nb))
	}
	l.stop()
	l.started, l.ended = true, false
	l.cancel, l.done = make(chan struct{}), make(chan struct{})
	go l.produce(epoch, skip, l.cancel, l.done)
}

// Next returns the next batch of the epoch, or false at the epoch's end.
// The batch is valid until the next call to Next or Start. It panics if
// Start was never called; after Close it returns false.
func (l *Loader) Next() (*Batch, bool) {
	if l.closed {
		return nil, false
	}
	if !l.started {
		panic("datasets: Loader.Next before Start")
	}
	if l.cur != nil {
		l.free <- l.cur
		l.cur = nil
	}
	if l.ended {
		return nil, false
	}
	b := <-l.ready
	if b == nil {
		l.ended = true
		return nil, false
	}
	l.cur = b
	return b, true
}

// Close stops the background goroutine. The loader cannot be used again;
// Close is idempotent.
func (l *Loader) Close() {
	if !l.closed {
		l.stop()
		l.closed = true
	}
}

// stop ends the running producer and returns every buffer to the free list.
func (l *Loader) stop() {
	if l.cancel == nil {
		return
	}
	close(l.cancel)
	<-l.done
	l.cancel, l.done = nil, nil
	for len(l.ready) > 0 {
		if b := <-l.ready; b != nil {
			l.free <- b
		}
	}
	if l.cur != nil {
		l.free <- l.cur
		l.cur = nil
	}
}

// produce fills batches skip… of epoch in order. It never blocks on ready,
// whose capacity exceeds the number of buffers.
func (l *Loader) produce(epoch, skip int, cancel <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	l.order(epoch)
	for b := skip; b < l.nb; b++ {
		var buf *Batch
		select {
		case <-cancel:
			return
		default:
		}
		select {
		case buf = <-l.free:
		case <-cancel:
			return
		}
		l.fill(buf, epoch, b)
		l.ready <- buf
	}
	l.ready <- nil
}

// order writes epoch's sample order to l.perm.
func (l *Loader) order(epoch int) {
	for i := range l.perm {
		l.perm[i] = i
	}
	if l.cfg.Shuffle {
		r := newStream(tagShuffle, l.cfg.Seed, uint64(epoch), 0)
		r.shuffle(l.perm)
	}
}

// fill renders batch bi of epoch into buf.
func (l *Loader) fill(buf *Batch, epoch, bi int) {
	start := bi * l.cfg.Batch
	n := min(l.cfg.Batch, l.set.Len()-start)
	buf.N = n
	buf.X = buf.X[:n*l.size]
	buf.Y = buf.Y[:n]
	buf.Idx = buf.Idx[:n]
	s := l.set
	for j := range n {
		i := l.perm[start+j]
		buf.Idx[j] = i
		buf.Y[j] = s.Labels[i]
		dx, dy, flip := l.cfg.SampleAugment(epoch, i)
		renderSample(buf.X[j*l.size:(j+1)*l.size], s.Pixels[i*l.size:(i+1)*l.size], s.C, s.H, s.W, l.lut, l.cfg.Crop, dx, dy, flip)
	}
}
