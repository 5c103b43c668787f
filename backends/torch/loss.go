package torch

import (
	"fmt"
	"unsafe"

	"ghlsim/backends"
)

// SoftmaxCrossEntropy returns the mean cross-entropy of logits [B, classes]
// against labels and the number of correct argmax predictions, and writes
// ∂(mean loss)/∂logits into dlogits unless it is nil. It waits for the
// device (the loss comes back to the host).
func (b *Backend) SoftmaxCrossEntropy(dlogits, logits backends.Tensor, labels []int32) (loss float64, correct int) {
	tz, td := b.t(logits), b.opt(dlogits)
	if len(tz.shape) != 2 || tz.shape[0] != len(labels) {
		panic(fmt.Sprintf("torch: SoftmaxCrossEntropy: logits %v for %d labels", tz.shape, len(labels)))
	}
	b.enter()
	defer b.mu.Unlock()
	b.s.host = unsafe.Pointer(unsafe.SliceData(labels))
	defer func() { b.s.host = nil }()
	b.do("SoftmaxCrossEntropy", b.lib.softmaxXent, td.handle(), tz.h,
		uintptr(b.s.host), uintptr(len(labels)), b.s.f64p, b.s.i64p, b.s.errp)
	keep(tz, td)
	return b.s.f64, int(b.s.i64)
}
