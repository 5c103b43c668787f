//go:build !amd64 || purego

package cpu

// reluAsm is false: this build has no assembly ReLU kernels.
var reluAsm = false

// reluVector does nothing here: the portable loops handle every value.
func reluVector(x, y, dy []float32) int { return 0 }
