//go:build amd64 && !purego

package cpu

import "golang.org/x/sys/cpu"

// reluAsm reports whether the AVX2 ReLU kernels run; tests turn it off to
// compare them with the portable loops, which they match bit for bit.
var reluAsm = cpu.X86.HasAVX2

// reluAVX2 writes y[i] = max(x[i], 0) for 32·n32 values (relu_amd64.s).
//
//go:noescape
func reluAVX2(n32 int, x, y *float32)

// reluBackwardAVX2 writes dx[i] = dy[i] where x[i] > 0, else +0, for
// 32·n32 values (relu_amd64.s).
//
//go:noescape
func reluBackwardAVX2(n32 int, x, dy, dx *float32)

// reluVector runs the AVX2 kernel over the longest multiple of 32 values of
// x and returns how many it did (0 without AVX2); dy nil is the forward pass.
func reluVector(x, y, dy []float32) int {
	n32 := len(x) / 32
	if !reluAsm || n32 == 0 {
		return 0
	}
	if dy == nil {
		reluAVX2(n32, &x[0], &y[:len(x)][0])
	} else {
		reluBackwardAVX2(n32, &x[0], &dy[:len(x)][0], &y[:len(x)][0])
	}
	return 32 * n32
}
