//go:build !amd64 || purego

package cpu

// poolAsm is false: this build has no assembly max-pooling kernels, and
// maxPlaneAVX2 is never called.
var poolAsm = false

func (t *poolTask) maxPlaneAVX2(in, out []float32, idx, hk, hp, kr []int32) bool {
	panic("cpu: no assembly max-pooling kernels in this build")
}
