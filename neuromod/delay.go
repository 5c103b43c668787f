package neuromod

import (
	"fmt"
	"strconv"

	"ghlsim/backends"
	"ghlsim/internal/quote"
)

func init() {
	RegisterWrapper("delay", "wrapper delay:k: delivers the modulator computed k steps earlier (0, no plastic change, until k steps have run); k+1 buffers of W's size",
		func(b backends.Backend, w backends.Shape, param string, inner Source) (Source, error) {
			if param == "" {
				return nil, fmt.Errorf("delay needs a step count: delay:k with k ≥ 0, e.g. delay:4")
			}
			k, err := strconv.Atoi(param)
			if err != nil {
				return nil, fmt.Errorf("delay: %s is not an integer (write delay:k with k ≥ 0, e.g. delay:4)", quote.Q(param))
			}
			if k < 0 {
				return nil, fmt.Errorf("delay: k = %d must be ≥ 0 (the number of steps the signal is held back)", k)
			}
			d := &delay{wrapped: wrapped{name: wrapName("delay:"+param, inner), inner: inner}, ring: make([]backends.Tensor, k+1), last: -1}
			for i := range d.ring {
				d.ring[i] = b.Alloc(w) // zero: "no signal yet"
			}
			return d, nil
		})
}

// delay is a delay line of k+1 device tensors. At step t the inner source
// writes M_inner(t) into slot t mod (k+1), and the slot (t−k) mod (k+1) =
// (t+1) mod (k+1), which holds M_inner(t−k), is delivered. The buffers start
// at zero, so the first k steps deliver 0. Steps must follow one another;
// after a gap (a step that is not the previous one plus one, e.g. broadcasts
// paused while hidden layers were frozen) the line restarts from zeros.
type delay struct {
	wrapped
	ring []backends.Tensor
	last int // the previous step, −1 when unknown (new or restored)
}

// Modulate advances the delay line by one step and delivers its output.
func (d *delay) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	t := in.Step
	if t < 0 {
		panic(fmt.Sprintf("neuromod: %s: negative step %d", d.name, t))
	}
	if d.last >= 0 && t != d.last+1 {
		for _, r := range d.ring {
			b.Fill(r, 0)
		}
	}
	d.last = t
	n := len(d.ring)
	d.inner.Modulate(b, in, d.ring[t%n])
	b.Copy(m, d.ring[(t+1)%n])
}

// State is the k+1 ring tensors (slot i holds the signal of the latest
// step ≡ i mod (k+1)), then the inner source's state.
func (d *delay) State() []backends.Tensor {
	return append(append([]backends.Tensor(nil), d.ring...), StateOf(d.inner)...)
}
