package cpu_test

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
)

// The cpu backend opened directly, without the registry, on one thread:
// a dense layer y = x·wᵀ + bias, and its weight gradient for dy = 1.
func ExampleNew() {
	b := cpu.New(1)
	x := b.Alloc(backends.Shape{1, 3}) // [B, in]
	w := b.Alloc(backends.Shape{2, 3}) // [out, in]
	bias := b.Alloc(backends.Shape{2})
	y := b.Alloc(backends.Shape{1, 2})
	b.Upload(x, []float32{1, 2, 3})
	b.Upload(w, []float32{1, 0, -1, 0.5, 0.5, 0.5})
	b.Upload(bias, []float32{0, 1})
	b.Linear(y, x, w, bias)
	fmt.Println("y", cpu.Data(y))
	dy, dw, db := b.Alloc(backends.Shape{1, 2}), b.Alloc(backends.Shape{2, 3}), b.Alloc(backends.Shape{2})
	b.Fill(dy, 1)
	b.LinearBackwardWeight(dw, db, x, dy)
	fmt.Println("dw", cpu.Data(dw), "dbias", cpu.Data(db))
	// Output:
	// y [-2 4]
	// dw [1 2 3 1 2 3] dbias [1 1]
}
