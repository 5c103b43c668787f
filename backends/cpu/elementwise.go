package cpu

import "ghlsim/backends"

// grain is the number of elements per work item of elementwise kernels. It
// is fixed (never derived from the thread count), so per-item partial
// results, and hence reductions, do not depend on the thread count.
const grain = 1 << 14

// ewOp selects the operation of an ewTask.
type ewOp int

const (
	ewFill ewOp = iota
	ewCopy
	ewAdd
	ewMul
	ewAXPY
	ewSign
	ewMaxAbs
)

// ewTask runs one elementwise operation over grain-sized items.
type ewTask struct {
	op      ewOp
	dst     []float32
	a, b    []float32
	s       float32
	partial []float32 // ewMaxAbs: one maximum per item
}

func (t *ewTask) run(i int) {
	lo, hi := span(i, grain, len(t.dst))
	d := t.dst[lo:hi]
	switch t.op {
	case ewFill:
		for j := range d {
			d[j] = t.s
		}
	case ewCopy:
		copy(d, t.a[lo:hi])
	case ewAdd:
		a, b := t.a[lo:hi], t.b[lo:hi]
		for j := range d {
			d[j] = a[j] + b[j]
		}
	case ewMul:
		a, b := t.a[lo:hi], t.b[lo:hi]
		for j := range d {
			d[j] = a[j] * b[j]
		}
	case ewAXPY:
		a, s := t.a[lo:hi], t.s
		for j := range d {
			d[j] += s * a[j]
		}
	case ewSign:
		a := t.a[lo:hi]
		for j, v := range a {
			switch {
			case v > 0:
				d[j] = 1
			case v < 0:
				d[j] = -1
			default:
				d[j] = v // ±0 stays 0 (ALGORITHM.md §2: sign(0) = 0), NaN stays NaN
			}
		}
	case ewMaxAbs:
		var m float32
		for _, v := range d {
			if a := abs32(v); a > m || a != a {
				m = a
				if a != a {
					break
				}
			}
		}
		t.partial[i] = m
	}
}

// ew runs an elementwise task over len(t.dst) elements.
func (b *Backend) ew(t *ewTask) {
	b.workers.do(items(len(t.dst), grain), t)
	*t = ewTask{op: t.op, partial: t.partial} // drop references to caller data
}

// Fill sets every element of dst to v.
func (b *Backend) Fill(dst backends.Tensor, v float32) {
	t := &b.ws.ew
	t.op, t.dst, t.s = ewFill, tensorOf(dst).data, v
	b.ew(t)
}

// Copy copies src into dst (same length).
func (b *Backend) Copy(dst, src backends.Tensor) {
	d, s := tensorOf(dst), tensorOf(src)
	sameLen("Copy", d, s)
	t := &b.ws.ew
	t.op, t.dst, t.a = ewCopy, d.data, s.data
	b.ew(t)
}

// Add computes dst = a + b elementwise.
func (b *Backend) Add(dst, x, y backends.Tensor) {
	d, xt, yt := tensorOf(dst), tensorOf(x), tensorOf(y)
	sameLen("Add", d, xt, yt)
	t := &b.ws.ew
	t.op, t.dst, t.a, t.b = ewAdd, d.data, xt.data, yt.data
	b.ew(t)
}

// Mul computes dst = a ⊙ b elementwise.
func (b *Backend) Mul(dst, x, y backends.Tensor) {
	d, xt, yt := tensorOf(dst), tensorOf(x), tensorOf(y)
	sameLen("Mul", d, xt, yt)
	t := &b.ws.ew
	t.op, t.dst, t.a, t.b = ewMul, d.data, xt.data, yt.data
	b.ew(t)
}

// AXPY computes y += a·x.
func (b *Backend) AXPY(y backends.Tensor, a float32, x backends.Tensor) {
	yt, xt := tensorOf(y), tensorOf(x)
	sameLen("AXPY", yt, xt)
	t := &b.ws.ew
	t.op, t.dst, t.a, t.s = ewAXPY, yt.data, xt.data, a
	b.ew(t)
}

// Sign writes sign(src) into dst with sign(0) = 0 (ALGORITHM.md §2).
func (b *Backend) Sign(dst, src backends.Tensor) {
	d, s := tensorOf(dst), tensorOf(src)
	sameLen("Sign", d, s)
	t := &b.ws.ew
	t.op, t.dst, t.a = ewSign, d.data, s.data
	b.ew(t)
}

// MaxAbs returns max |t| (NaN if t holds a NaN).
func (b *Backend) MaxAbs(x backends.Tensor) float32 {
	return b.maxAbs(tensorOf(x).data)
}

// maxAbs is MaxAbs over a slice.
func (b *Backend) maxAbs(d []float32) float32 {
	n := items(len(d), grain)
	t := &b.ws.ew
	t.op, t.dst, t.partial = ewMaxAbs, d, grow32(&b.ws.ewPartial, n)
	b.ew(t)
	return maxOf(t.partial[:n])
}

// maxOf is the largest value of partial maxima, in order (NaN wins).
func maxOf(p []float32) float32 {
	var m float32
	for _, v := range p {
		if v > m || v != v {
			m = v
			if v != v {
				return v
			}
		}
	}
	return m
}
