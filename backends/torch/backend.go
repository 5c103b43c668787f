package torch

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"

	"ghlsim/backends"
)

func init() {
	backends.Register("torch", func(device string) (backends.Backend, error) {
		b, err := New(device)
		if err != nil {
			return nil, err
		}
		return b, nil
	})
}

// Backend runs the backends.Backend operations on one libtorch device.
type Backend struct {
	lib  *symbols
	mu   sync.Mutex // serialises calls and guards s
	s    *scratch
	dev  uintptr // ghl_device*; 0 once closed
	name string  // "torch:cpu", "torch:cuda:0"
	cuda bool
}

// New opens a torch backend on device: "cpu", "cuda", "cuda:N", or "" for
// cuda:0 when CUDA is available and cpu otherwise. It uses
// runtime.GOMAXPROCS(0) intra-op threads. The error wraps ErrUnavailable when
// the shim or libtorch cannot be loaded and says how to build it.
func New(device string) (*Backend, error) {
	lib, err := library()
	if err != nil {
		return nil, err
	}
	b := &Backend{lib: lib, s: newScratch()}
	if err := b.open(device); err != nil {
		return nil, err
	}
	b.SetThreads(runtime.GOMAXPROCS(0))
	return b, nil
}

// open creates the shim's device handle and reads its names.
func (b *Backend) open(device string) error {
	spec := append([]byte(device), 0)
	if st := callRaw(b.lib.deviceOpen, uintptr(unsafe.Pointer(&spec[0])), b.s.outp, b.s.errp); st != 0 {
		return fmt.Errorf("torch: %s", takeError(b.lib, &b.s.err))
	}
	b.dev = b.s.out
	if st := callRaw(b.lib.deviceName, b.dev, b.s.bufp, uintptr(len(b.s.buf)), b.s.errp); st != 0 {
		return fmt.Errorf("torch: %s", takeError(b.lib, &b.s.err))
	}
	dev := cString(b.s.buf[:])
	b.name = "torch:" + dev
	b.cuda = dev != "cpu"
	return nil
}

// Name is "torch:cpu" or "torch:cuda:N".
func (b *Backend) Name() string { return b.name }

// Device describes the libtorch build and the hardware, e.g.
// "libtorch 2.4.1 cuda:0: NVIDIA H100 80GB HBM3 (driver CUDA 12.4), cuDNN,
// TF32 off".
func (b *Backend) Device() string {
	b.enter()
	defer b.mu.Unlock()
	b.do("Device", b.lib.deviceDescribe, b.dev, b.s.bufp, uintptr(len(b.s.buf)), b.s.errp)
	return cString(b.s.buf[:])
}

// Version describes the loaded libtorch: version, CUDA availability and
// parallel backend.
func (b *Backend) Version() string {
	b.enter()
	defer b.mu.Unlock()
	b.do("Version", b.lib.version, b.s.bufp, uintptr(len(b.s.buf)), b.s.errp)
	return cString(b.s.buf[:])
}

// IsCUDA reports whether the backend runs on a CUDA device.
func (b *Backend) IsCUDA() bool { return b.cuda }

// Threads is libtorch's intra-op thread count (process-wide).
func (b *Backend) Threads() int {
	b.enter()
	defer b.mu.Unlock()
	b.do("Threads", b.lib.getNumThreads, b.s.i64p, b.s.errp)
	return int(b.s.i64)
}

// SetThreads sets libtorch's intra-op thread count (values below 1 mean 1).
// The count is process-wide: it applies to every torch backend.
func (b *Backend) SetThreads(n int) {
	if n < 1 {
		n = 1
	}
	b.enter()
	defer b.mu.Unlock()
	b.do("SetThreads", b.lib.setNumThreads, uintptr(n), b.s.errp)
}

// Sync waits until the device has finished the queued work.
func (b *Backend) Sync() {
	b.enter()
	defer b.mu.Unlock()
	b.do("Sync", b.lib.deviceSync, b.dev, b.s.errp)
}

// Close releases the device handle; tensors already allocated stay valid
// until they are garbage, but the backend can no longer be used.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dev == 0 {
		return nil
	}
	st := callRaw(b.lib.deviceClose, b.dev, b.s.errp)
	b.dev = 0
	if st != 0 {
		return fmt.Errorf("torch: close %s: %s", b.name, takeError(b.lib, &b.s.err))
	}
	return nil
}

// enter locks the backend and panics when it is closed; callers unlock.
func (b *Backend) enter() {
	b.mu.Lock()
	if b.dev == 0 {
		b.mu.Unlock()
		panic(fmt.Sprintf("torch: %s used after Close", b.name))
	}
}

// do calls a shim function with the backend locked and panics with the
// shim's message when it fails (libtorch errors are programmer errors here:
// shape mismatches and the like). The arguments are copied into the
// scratch block so that the call allocates nothing; pointer arguments must
// point to the heap (the scratch block, or memory pinned through s.host).
func (b *Backend) do(op string, fn uintptr, args ...uintptr) {
	n := copy(b.s.args[:], args)
	r, _, _ := purego.SyscallN(fn, b.s.args[:n]...)
	if int32(r) != 0 {
		panic(fmt.Sprintf("torch: %s on %s: %s", op, b.name, takeError(b.lib, &b.s.err)))
	}
}

var (
	_ backends.Backend       = (*Backend)(nil)
	_ backends.HebbGradFuser = (*Backend)(nil)
)
