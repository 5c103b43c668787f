package backends_test

import (
	"fmt"

	"ghlsim/backends"
	_ "ghlsim/backends/cpu" // registers the "cpu" family
)

// Opening a backend by name and running one convolution: a 3×3 image
// convolved with a 2×2 kernel that sums each window, plus a bias of 10.
func ExampleNew() {
	b, err := backends.New("cpu")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	x := b.Alloc(backends.Shape{1, 1, 3, 3}) // [B, C, H, W]
	w := b.Alloc(backends.Shape{1, 1, 2, 2}) // [K, C, kh, kw]
	bias := b.Alloc(backends.Shape{1})
	y := b.Alloc(backends.Shape{1, 1, 2, 2})
	b.Upload(x, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9})
	b.Fill(w, 1)
	b.Fill(bias, 10)
	b.Conv2D(y, x, w, bias, backends.ConvParams{Stride: 1})
	out := make([]float32, 4)
	b.Download(out, y)
	fmt.Println(b.Name(), out)
	_, err = backends.New("nope:0")
	fmt.Println(err)
	// Output:
	// cpu [22 26 34 38]
	// backend "nope:0": unknown backend (known: cpu)
}
