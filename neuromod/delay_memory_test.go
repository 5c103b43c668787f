package neuromod

import (
	"math"
	"runtime"
	"strings"
	"testing"

	"ghlsim/backends"
)

// float32Delay is the delay line as it was before one byte per synapse: a
// ring of k+1 device tensors of W's size, the reference the byte line must
// match bit for bit.
type float32Delay struct {
	inner Source
	ring  []backends.Tensor
	last  int
}

func newFloat32Delay(b backends.Backend, w backends.Shape, k int, inner Source) *float32Delay {
	d := &float32Delay{inner: inner, ring: make([]backends.Tensor, k+1), last: -1}
	for i := range d.ring {
		d.ring[i] = b.Alloc(w)
	}
	return d
}

func (d *float32Delay) Name() string { return "float32-delay" }

func (d *float32Delay) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	t := in.Step
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

// gradsWithZeros is stepGrads with exact zeros and negative zeros mixed in,
// so that sign(0) = ±0 and flip's −1·0 = −0 occur.
func gradsWithZeros(w backends.Shape, steps int) [][]float32 {
	g := stepGrads(w, steps)
	for t := range g {
		for i := range g[t] {
			switch (i + t) % 7 {
			case 0:
				g[t][i] = 0
			case 3:
				g[t][i] = negZero
			}
		}
	}
	return g
}

// TestDelayBytesMatchFloat32Line runs the byte line and the old float32 line
// side by side over specs whose values are signs, constants (constant:v with
// arbitrary v, flipped to ±v), gated, coarse-grained and nested, across a gap
// in the steps, and requires every delivered M to be equal bit for bit.
func TestDelayBytesMatchFloat32Line(t *testing.T) {
	b := newB()
	w := backends.Shape{6, 2, 3, 3}
	post := upload(b, backends.Shape{6}, gaussians(5, 6))
	g := gradsWithZeros(w, 40)
	for _, tc := range []struct {
		k     int
		inner string
	}{
		{3, "grad-sign"},
		{1, "grad-sign"},
		{5, "flip:0.5+grad-sign"},
		{2, "constant:0.37"},
		{4, "flip:0.3+constant:0.37"},
		{3, "constant:-0"},
		{3, "every:3+flip:0.4+grad-sign@neuron"},
		{2, "grad-sign@layer"},
		{2, "grad-sign@global"},
		{3, "random"},
		{2, "delay:3+flip:0.2+fa-sign"},
	} {
		spec := "delay:" + itoa(tc.k) + "+" + tc.inner
		got := mustNew(t, b, spec, w)
		if d, ok := got.(*delay); !ok || d.width != 1 {
			t.Fatalf("%s: not a one-byte delay line", spec)
		}
		ref := newFloat32Delay(b, w, tc.k, mustNew(t, b, tc.inner, w))
		for step := range 40 {
			if step >= 20 && step < 23 {
				continue // a gap: both lines restart from zeros
			}
			in := Inputs{Grad: upload(b, w, g[step]), PostGrad: post, Step: step, Seed: 9, GlobalCredit: float64(step%3) - 1}
			sameBits(t, spec, run(b, got, in, w), run(b, ref, in, w))
		}
	}
}

// opaque is a third-party source that does not declare its values.
type opaque struct{}

func (opaque) Name() string { return "opaque" }
func (opaque) Modulate(b backends.Backend, in Inputs, m backends.Tensor) {
	b.Copy(m, in.Grad)
}

// TestDelayKeepsFloat32ForUndeclaredValues: a source with arbitrary values
// is delayed exactly, at 4 bytes per synapse per step.
func TestDelayKeepsFloat32ForUndeclaredValues(t *testing.T) {
	b := newB()
	w := backends.Shape{5, 7}
	g := gradsWithZeros(w, 12)
	e, _ := lookup("delay")
	src, err := e.wrap(b, w, "3", opaque{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := DelayBytesOf(src), int64(3*4*w.Len()+4*w.Len()); got != want {
		t.Errorf("undeclared values: %d bytes, want 4·k·N + 4N = %d", got, want)
	}
	ref := newFloat32Delay(b, w, 3, opaque{})
	for step := range 12 {
		in := Inputs{Grad: upload(b, w, g[step]), Step: step}
		sameBits(t, "delay:3+opaque", run(b, src, in, w), run(b, ref, in, w))
	}
}

// TestDelayMemoryIsOneBytePerSynapsePerStep measures the heap a long delay
// allocates (New, then running it) against k·N bytes, where the float32 line
// took 4·(k+1)·N.
func TestDelayMemoryIsOneBytePerSynapsePerStep(t *testing.T) {
	b := newB()
	w := backends.Shape{64, 576} // 36 864 synapses
	const k = 500
	grad := upload(b, w, gaussians(3, w.Len()))
	m := b.Alloc(w)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	src := mustNew(t, b, "delay:500", w)
	for step := range 3 {
		src.Modulate(b, Inputs{Grad: grad, Step: step}, m)
	}
	runtime.ReadMemStats(&after)
	got := after.TotalAlloc - before.TotalAlloc
	budget := uint64(k*w.Len() + 4*w.Len() + 1<<20)
	old := uint64(4 * (k + 1) * w.Len())
	t.Logf("delay:%d on %d synapses allocated %.1f MB (float32 line: %.1f MB)", k, w.Len(), float64(got)/1e6, float64(old)/1e6)
	if got > budget {
		t.Fatalf("delay:%d on %d synapses allocated %d bytes, want ≤ k·N + 4N + 1 MiB = %d", k, w.Len(), got, budget)
	}
	// New alone commits nothing: a delay of 10⁹ steps is built, measured
	// and refused without allocating its line.
	runtime.ReadMemStats(&before)
	huge := mustNew(t, b, "delay:1000000000", w)
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Fatalf("New(delay:1000000000) allocated %d bytes", d)
	}
	if got, want := DelayBytesOf(huge), int64(1e9)*int64(w.Len())+4*int64(w.Len()); got != want {
		t.Errorf("DelayBytes = %d, want %d", got, want)
	}
	err := CheckDelay(huge, 0, DelayBytesOf(huge), DefaultDelayMemory)
	if err == nil || !strings.Contains(err.Error(), "1000000000 steps") || !strings.Contains(err.Error(), "1.00 GiB") {
		t.Fatalf("CheckDelay(delay:1000000000) = %v, want an error naming the 1000000000 steps and the 1.00 GiB limit", err)
	}
	if DelayBytesOf(mustNew(t, b, "delay:9223372036854775807", w)) != math.MaxInt64 {
		t.Error("DelayBytes of an overflowing delay does not saturate")
	}
	err = CheckDelay(src, 400, DelayBytesOf(src), DefaultDelayMemory)
	if err == nil || !strings.Contains(err.Error(), "500 steps") || !strings.Contains(err.Error(), "400 steps") {
		t.Fatalf("CheckDelay(delay:500, 400 steps) = %v, want an error naming both", err)
	}
	if err := CheckDelay(src, 501, DelayBytesOf(src), DefaultDelayMemory); err != nil {
		t.Fatalf("delay:500 in a 501-step run: %v", err)
	}
}

func itoa(k int) string {
	if k == 0 {
		return "0"
	}
	var s string
	for ; k > 0; k /= 10 {
		s = string(rune('0'+k%10)) + s
	}
	return s
}
