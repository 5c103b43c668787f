package torch

import (
	"fmt"
	"runtime"
	"unsafe"

	"ghlsim/backends"
)

// Tensor is a float32 libtorch tensor on the backend's device. Its storage is
// released when the Tensor becomes garbage (views keep it alive).
type Tensor struct {
	h       uintptr // ghl_tensor*; 0 after Free
	shape   backends.Shape
	owner   *Backend
	cleanup runtime.Cleanup
}

// Shape is the tensor's dimensions.
func (t *Tensor) Shape() backends.Shape { return t.shape }

// Backend is the torch backend that allocated the tensor.
func (t *Tensor) Backend() backends.Backend { return t.owner }

// Indices holds max-pool argmax positions as an int64 device tensor (offsets
// within each H×W input plane, as libtorch returns them), plus the pooling
// that produced them, which MaxPool2DBackward needs.
type Indices struct {
	t     *Tensor
	shape backends.Shape
	pool  backends.PoolParams
	set   bool // a MaxPool2D has written them
}

// Shape is the pooled output shape the indices belong to.
func (ix *Indices) Shape() backends.Shape { return ix.shape }

// freeTensor releases a shim tensor handle; it runs as a GC cleanup.
func freeTensor(h uintptr) {
	if lib, err := library(); err == nil {
		callRaw(lib.tensorFree, h, 0)
	}
}

// wrap turns a fresh shim handle into a Tensor freed by the GC.
func (b *Backend) wrap(h uintptr, s backends.Shape) *Tensor {
	t := &Tensor{h: h, shape: s.Clone(), owner: b}
	t.cleanup = runtime.AddCleanup(t, freeTensor, h)
	return t
}

// setShape writes s into the scratch shape block.
func (b *Backend) setShape(s backends.Shape) {
	if len(s) > len(b.s.shape) {
		panic(fmt.Sprintf("torch: rank %d of %v exceeds %d", len(s), s, len(b.s.shape)))
	}
	for i, d := range s {
		b.s.shape[i] = int64(d)
	}
}

// alloc allocates a zero-filled tensor of the shim dtype (0 f32, 1 i64).
func (b *Backend) alloc(s backends.Shape, dtype int) *Tensor {
	if !s.Valid() {
		panic(fmt.Sprintf("torch: Alloc of invalid shape %v", s))
	}
	b.enter()
	defer b.mu.Unlock()
	b.setShape(s)
	b.do("Alloc", b.lib.tensorAlloc, b.dev, b.s.shapep, uintptr(len(s)), uintptr(dtype), b.s.outp, b.s.errp)
	return b.wrap(b.s.out, s)
}

// Alloc returns a zero-filled float32 tensor on the device.
func (b *Backend) Alloc(s backends.Shape) backends.Tensor { return b.alloc(s, 0) }

// AllocIndices returns argmax storage for a max-pool output of shape s.
func (b *Backend) AllocIndices(s backends.Shape) backends.Indices {
	return &Indices{t: b.alloc(s, 1), shape: s.Clone()}
}

// Reshape returns a view of t with shape s sharing its storage.
func (b *Backend) Reshape(t backends.Tensor, s backends.Shape) backends.Tensor {
	tt := b.t(t)
	if !s.Valid() || s.Len() != tt.shape.Len() {
		panic(fmt.Sprintf("torch: cannot reshape %v to %v", tt.shape, s))
	}
	b.enter()
	defer b.mu.Unlock()
	b.setShape(s)
	b.do("Reshape", b.lib.tensorView, tt.h, b.s.shapep, uintptr(len(s)), b.s.outp, b.s.errp)
	runtime.KeepAlive(tt)
	return b.wrap(b.s.out, s)
}

// Upload copies host data into dst.
func (b *Backend) Upload(dst backends.Tensor, src []float32) {
	d := b.t(dst)
	if len(src) != d.shape.Len() {
		panic(fmt.Sprintf("torch: Upload of %d values into %v", len(src), d.shape))
	}
	b.enter()
	defer b.mu.Unlock()
	b.s.host = unsafe.Pointer(unsafe.SliceData(src))
	defer func() { b.s.host = nil }()
	b.do("Upload", b.lib.upload, d.h, uintptr(b.s.host), uintptr(len(src)), b.s.errp)
	runtime.KeepAlive(d)
}

// Download copies src into host memory.
func (b *Backend) Download(dst []float32, src backends.Tensor) {
	s := b.t(src)
	if len(dst) != s.shape.Len() {
		panic(fmt.Sprintf("torch: Download of %v into %d values", s.shape, len(dst)))
	}
	b.enter()
	defer b.mu.Unlock()
	b.s.host = unsafe.Pointer(unsafe.SliceData(dst))
	defer func() { b.s.host = nil }()
	b.do("Download", b.lib.download, uintptr(b.s.host), s.h, uintptr(len(dst)), b.s.errp)
	runtime.KeepAlive(s)
}

// Free releases t's handle now instead of when the garbage collector finds
// it: device memory is invisible to the Go GC, so code that allocates
// temporary tensors on a GPU should free them. The storage itself is
// released once no view of it remains. Using t afterwards panics; freeing
// twice is a no-op.
func (b *Backend) Free(t backends.Tensor) {
	tt, ok := t.(*Tensor)
	if !ok || tt == nil || tt.h == 0 {
		return
	}
	b.t(t)
	b.mu.Lock()
	defer b.mu.Unlock()
	tt.cleanup.Stop()
	b.do("Free", b.lib.tensorFree, tt.h, b.s.errp)
	tt.h = 0
}

// t unwraps a tensor of this backend, panicking on a foreign or nil one.
func (b *Backend) t(t backends.Tensor) *Tensor {
	tt, ok := t.(*Tensor)
	if !ok || tt == nil {
		panic(fmt.Sprintf("torch: tensor %T does not belong to a torch backend", t))
	}
	if tt.owner != b {
		panic(fmt.Sprintf("torch: tensor of %s passed to %s", tt.owner.name, b.name))
	}
	if tt.h == 0 {
		panic(fmt.Sprintf("torch: tensor %v used after Free", tt.shape))
	}
	return tt
}

// opt unwraps an optional tensor argument (nil interface or nil *Tensor).
func (b *Backend) opt(t backends.Tensor) *Tensor {
	if t == nil {
		return nil
	}
	if tt, ok := t.(*Tensor); ok && tt == nil {
		return nil
	}
	return b.t(t)
}

// handle is the shim handle of t, 0 (NULL) for nil.
func (t *Tensor) handle() uintptr {
	if t == nil {
		return 0
	}
	return t.h
}

// ix unwraps max-pool indices of this backend.
func (b *Backend) ix(i backends.Indices) *Indices {
	ix, ok := i.(*Indices)
	if !ok || ix == nil {
		panic(fmt.Sprintf("torch: indices %T do not belong to a torch backend", i))
	}
	if ix.t.owner != b {
		panic(fmt.Sprintf("torch: indices of %s passed to %s", ix.t.owner.name, b.name))
	}
	return ix
}

// keep keeps tensors (and so their shim handles) alive up to this call.
func keep(ts ...*Tensor) {
	for _, t := range ts {
		runtime.KeepAlive(t)
	}
}
