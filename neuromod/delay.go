package neuromod

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

// parseDelay reads delay's step count k ≥ 0.
func parseDelay(param string) (int, error) {
	if param == "" {
		return 0, fmt.Errorf("delay needs a step count: delay:k with k ≥ 0, e.g. delay:4")
	}
	k, err := strconv.Atoi(param)
	if err != nil {
		return 0, fmt.Errorf("delay: %s is not an integer (write delay:k with k ≥ 0, e.g. delay:4)", quote.Q(param))
	}
	if k < 0 {
		return 0, fmt.Errorf("delay: k = %d must be ≥ 0 (the number of steps the signal is held back)", k)
	}
	return k, nil
}

// newDelay is delay's factory (builtinSources).
func newDelay(_ backends.Backend, w backends.Shape, param string, inner Source) (Source, error) {
	k, err := parseDelay(param)
	if err != nil {
		return nil, err
	}
	d := &delay{wrapped: wrapped{name: wrapName("delay:"+param, inner), inner: inner}, k: k, n: w.Len(), last: -1, width: 4}
	if vals, ok := ValuesOf(inner); ok {
		if vals = addValues([]float32{0}, vals...); len(vals) <= 256 {
			d.palette, d.width = vals, 1
		}
	}
	return d, nil
}

// delay is a delay line: at step t it delivers M_inner(t−k). It keeps the
// k pending values of every synapse in host memory, one byte each when the
// inner source's values are known (Valued: each byte indexes that set, so
// signs, constant:v and flipped constants all fit, bit for bit) and a
// float32 otherwise. Slot t mod k holds M_inner(t−k) until step t reads it
// and writes M_inner(t) in its place. The ring starts empty (+0: "no signal
// yet") and is allocated at the first step or restore, never by New, so a
// caller can check DelayBytes before committing the memory. Steps must
// follow one another; after a gap (a step that is not the previous one plus
// one, e.g. broadcasts paused while hidden layers were frozen) the line
// restarts from zeros. k = 0 delivers M_inner(t) unchanged and holds
// nothing.
type delay struct {
	wrapped
	k, n    int       // steps held back; values per step (W's size)
	palette []float32 // width 1: the values a byte indexes (palette[0] = +0)
	width   int       // bytes per pending value: 1 (palette index) or 4 (float32 bits)
	ring    []byte    // k·n·width bytes, allocated at first use
	host    []float32 // n: the step's M on the host
	last    int       // the previous step, −1 when unknown (new or restored)
}

// alloc allocates the ring and the host buffer on first use.
func (d *delay) alloc() {
	if d.ring == nil && d.k > 0 {
		d.ring = make([]byte, d.k*d.n*d.width)
		d.host = make([]float32, d.n)
	}
}

// Modulate advances the delay line by one step and delivers its output.
func (d *delay) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	t := in.Step
	if t < 0 {
		panic(fmt.Sprintf("neuromod: %s: negative step %d", d.name, t))
	}
	gap := d.last >= 0 && t != d.last+1
	d.last = t
	d.inner.Modulate(b, in, m)
	if d.k == 0 {
		return
	}
	d.alloc()
	if gap {
		clear(d.ring)
	}
	b.Download(d.host, m)
	size := d.n * d.width
	slot := d.ring[(t%d.k)*size : (t%d.k+1)*size]
	if d.width == 1 {
		d.swapCodes(slot)
	} else {
		for i, v := range d.host {
			old := binary.LittleEndian.Uint32(slot[4*i:])
			binary.LittleEndian.PutUint32(slot[4*i:], math.Float32bits(v))
			d.host[i] = math.Float32frombits(old)
		}
	}
	b.Upload(m, d.host)
}

// swapCodes stores the step's values (d.host) as palette indices in slot
// and puts the values slot held, k steps old, in their place.
func (d *delay) swapCodes(slot []byte) {
	pal := d.palette
	for i, v := range d.host {
		old := slot[i]
		c := valueIndex(pal, v)
		if c < 0 {
			panic(fmt.Sprintf("neuromod: %s: the inner source delivered %v, which is not among the values it declares (%v)", d.name, v, pal))
		}
		slot[i] = byte(c)
		d.host[i] = pal[old]
	}
}

// Values is the inner set and +0 (the empty line).
func (d *delay) Values() ([]float32, bool) {
	in, ok := ValuesOf(d.inner)
	if !ok {
		return nil, false
	}
	return addValues(in, 0), true
}

// HostState is the ring (allocating it if needed), then the inner
// source's host state.
func (d *delay) HostState() [][]byte {
	d.alloc()
	var out [][]byte
	if d.k > 0 {
		out = append(out, d.ring)
	}
	return append(out, HostStateOf(d.inner)...)
}

// DelaySteps is k plus the inner source's delay.
func (d *delay) DelaySteps() int { return satAdd(d.k, DelayStepsOf(d.inner)) }

// DelayBytes is the ring and host buffer this line holds once allocated
// (k·n·width + 4n bytes; 0 for k = 0), plus the inner source's.
func (d *delay) DelayBytes() int64 {
	var own int64
	if d.k > 0 {
		per := int64(d.n) * int64(d.width)
		if int64(d.k) > (math.MaxInt64-4*int64(d.n))/per {
			own = math.MaxInt64
		} else {
			own = int64(d.k)*per + 4*int64(d.n)
		}
	}
	return int64(satAdd(int(own), int(DelayBytesOf(d.inner))))
}

// satAdd is a + b for non-negative ints, saturating at math.MaxInt.
func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

// HostStateful is implemented by sources whose state lives in host memory
// (delay:k's ring of pending values). HostState returns the live byte
// slices, in a fixed order for a given spec and weight shape (wrappers list
// their own first, then their inner source's); checkpoint them by copying
// the bytes out, restore them by copying bytes of the same lengths in
// before the next step.
type HostStateful interface {
	// HostState is the live state (allocated on demand).
	HostState() [][]byte
}

// HostStateOf is s.HostState() when s is HostStateful and nil otherwise.
func HostStateOf(s Source) [][]byte {
	if h, ok := s.(HostStateful); ok {
		return h.HostState()
	}
	return nil
}

// DelayLine is implemented by sources that hold the signal back (delay:k
// and the wrappers around it).
type DelayLine interface {
	// DelaySteps is the total number of steps M is held back (the sum
	// over nested delays).
	DelaySteps() int
	// DelayBytes is the host memory the delay lines hold once they run
	// (math.MaxInt64 when that overflows).
	DelayBytes() int64
}

// DelayStepsOf is s.DelaySteps() for a DelayLine and 0 otherwise.
func DelayStepsOf(s Source) int {
	if d, ok := s.(DelayLine); ok {
		return d.DelaySteps()
	}
	return 0
}

// DelayBytesOf is s.DelayBytes() for a DelayLine and 0 otherwise.
func DelayBytesOf(s Source) int64 {
	if d, ok := s.(DelayLine); ok {
		return d.DelayBytes()
	}
	return 0
}

// DefaultDelayMemory is the most host memory the delay lines of one
// network may hold (summed over its groups) unless the caller states
// another limit: 1 GiB, i.e. a delay of 1 GiB / (synapses) steps at one
// byte per synapse per pending step.
const DefaultDelayMemory int64 = 1 << 30

// CheckDelay refuses a source whose delay exceeds steps (when steps > 0: a
// delay of k ≥ steps would deliver nothing but zeros in the whole run) or
// whose delay lines would hold more than limit bytes (total, the memory
// already committed by other groups of the same network included).
func CheckDelay(s Source, steps int, total, limit int64) error {
	k := DelayStepsOf(s)
	if k == 0 {
		return nil
	}
	if steps > 0 && k >= steps {
		return fmt.Errorf("%s: a delay of %d steps is not shorter than the run's %d steps (every modulator it delivers would be 0): use a k below %d", quote.Q(s.Name()), k, steps, steps)
	}
	if total > limit {
		return fmt.Errorf("%s: a delay of %d steps needs %s of host memory for its delay lines (the pending modulator values of every synapse), over the limit of %s", quote.Q(s.Name()), k, FormatBytes(total), FormatBytes(limit))
	}
	return nil
}

// FormatBytes writes n bytes in binary units, e.g. "1.00 GiB".
func FormatBytes(n int64) string {
	if n == math.MaxInt64 {
		return "more than 8 EiB"
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.2f %s", v, units[u])
}
