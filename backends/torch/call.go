package torch

import (
	"strings"
	"unsafe"

	"github.com/ebitengine/purego"
)

// callRaw calls a shim function and returns its int status; it is for
// setup and cleanup calls (it allocates). Pointer arguments must be
// converted to uintptr in the call expression itself: the uintptrescapes
// directive then keeps what they point to on the heap and alive until the
// call returns. Backend.do is the allocation-free path for operations.
//
//go:uintptrescapes
func callRaw(fn uintptr, args ...uintptr) int32 {
	r, _, _ := purego.SyscallN(fn, args...)
	return int32(r) // C int: the upper half of the register is undefined
}

// takeError reads, frees and clears the message the shim stored in *e.
func takeError(s *symbols, e *uintptr) string {
	if *e == 0 {
		return "the shim reported an error without a message"
	}
	p := *(**byte)(unsafe.Pointer(e))
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	msg := strings.Clone(unsafe.String(p, n))
	callRaw(s.freeError, *e)
	*e = 0
	return msg
}

// cString returns the NUL-terminated prefix of buf.
func cString(buf []byte) string {
	for i, c := range buf {
		if c == 0 {
			return string(buf[:i])
		}
	}
	return string(buf)
}

// scratch is a backend's argument block: scalars, parameter arrays and out
// values the shim reads and writes through pointers. It is allocated once on
// the heap (which does not move), so the uintptrs to its fields stay valid
// while the backend holds it; the backend's mutex serialises its use.
type scratch struct {
	err   uintptr     // char* set by the shim on failure
	f     [8]float32  // float scalars (const float* s)
	i     [8]int64    // conv / pool parameter blocks
	shape [8]int64    // shapes for alloc and view
	out   uintptr     // ghl_tensor* / ghl_device* results
	f32   float32     // float result (max |t|)
	f64   float64     // double result (loss)
	i64   int64       // integer result (correct count, threads)
	buf   [512]byte   // string results
	args  [16]uintptr // call arguments (see Backend.do)

	// host holds the host buffer of an Upload, Download or label list
	// during the call: storing it here makes the caller's buffer escape to
	// the (non-moving) heap and keeps it alive.
	host unsafe.Pointer

	// Addresses of the fields above, as call arguments.
	errp, fp, ip, shapep, outp, f32p, f64p, i64p, bufp uintptr
}

func newScratch() *scratch {
	s := new(scratch)
	s.errp = uintptr(unsafe.Pointer(&s.err))
	s.fp = uintptr(unsafe.Pointer(&s.f[0]))
	s.ip = uintptr(unsafe.Pointer(&s.i[0]))
	s.shapep = uintptr(unsafe.Pointer(&s.shape[0]))
	s.outp = uintptr(unsafe.Pointer(&s.out))
	s.f32p = uintptr(unsafe.Pointer(&s.f32))
	s.f64p = uintptr(unsafe.Pointer(&s.f64))
	s.i64p = uintptr(unsafe.Pointer(&s.i64))
	s.bufp = uintptr(unsafe.Pointer(&s.buf[0]))
	return s
}
