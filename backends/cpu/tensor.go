package cpu

import (
	"fmt"

	"ghlsim/backends"
)

// Tensor is a cpu tensor: a shape over a float32 slice in host memory.
type Tensor struct {
	shape backends.Shape
	data  []float32
	owner *Backend
}

// Shape is the tensor's dimensions.
func (t *Tensor) Shape() backends.Shape { return t.shape }

// Backend is the cpu backend that allocated the tensor.
func (t *Tensor) Backend() backends.Backend { return t.owner }

// Data exposes the tensor's storage (row-major), for tests and host-side
// monitors that run on the cpu backend.
func (t *Tensor) Data() []float32 { return t.data }

// Indices is max-pool argmax storage: flat input offsets per output element.
type Indices struct {
	shape backends.Shape
	idx   []int32
}

// Shape is the pooled output shape the indices belong to.
func (ix *Indices) Shape() backends.Shape { return ix.shape }

// tensorOf unwraps a backends.Tensor, panicking on a foreign or nil tensor.
func tensorOf(t backends.Tensor) *Tensor {
	ct, ok := t.(*Tensor)
	if !ok || ct == nil {
		panic(fmt.Sprintf("cpu: tensor %T does not belong to the cpu backend", t))
	}
	return ct
}

// optTensor unwraps an optional (possibly nil) tensor argument.
func optTensor(t backends.Tensor) *Tensor {
	if t == nil {
		return nil
	}
	if ct, ok := t.(*Tensor); ok && ct == nil {
		return nil
	}
	return tensorOf(t)
}

// Data returns the storage of a cpu tensor (panics for other backends).
func Data(t backends.Tensor) []float32 { return tensorOf(t).data }

// FromSlice wraps host data as a tensor of backend b without copying.
func FromSlice(b *Backend, s backends.Shape, data []float32) *Tensor {
	if s.Len() != len(data) {
		panic(fmt.Sprintf("cpu: FromSlice shape %v needs %d values, got %d", s, s.Len(), len(data)))
	}
	return &Tensor{shape: s.Clone(), data: data, owner: b}
}
