package synapse_test

import (
	"fmt"
	"math"

	"ghlsim/backends"
	"ghlsim/synapse"
)

// One GHL step of a 2→2 dense group by the float64 reference, piece by
// piece: x = (1, 2), W = I and t_inv = ln 3 give u = (1, 2) and
// y = softmax(ln3·u) = (¼, ¾).
func ExampleReferenceGHL() {
	x := synapse.ReferenceTensor{Shape: backends.Shape{1, 2}, Data: []float64{1, 2}}
	w := synapse.ReferenceTensor{Shape: backends.Shape{2, 2}, Data: []float64{1, 0, 0, 1}}
	grad := synapse.ReferenceTensor{Shape: backends.Shape{2, 2}, Data: []float64{1, -1, 0, 2}}
	p := backends.OjaParams{TInv: float32(math.Log(3))}

	u := synapse.ReferenceForward(x, w, p.Conv)              // u = W·x
	h := synapse.ReferenceOjaSWTA(x, u, w, p)                // H_kj = Σ y_k (x_j − u_k W_kj)
	hHat, maxH := synapse.ReferenceNormalise(h)              // Ĥ = H/(max|H| + 1e-30)
	m := synapse.ReferenceSign(grad)                         // M = sign(∂L/∂W)
	next := synapse.ReferenceGHLUpdate(w, hHat, m, 0.1, 0.5) // W − η(|Ĥ|⊙M + λW)

	fmt.Printf("u %.3f\nH %.3f  max|H| %.3f\nĤ %.3f\nM %v\nW %.4f\n", u.Data, h.Data, maxH, hHat.Data, m.Data, next.Data)
	fmt.Printf("ReferenceGHL %.4f\n", synapse.ReferenceGHL(x, w, grad, p, 0.1, 0.5).Data)
	// Output:
	// u [1.000 2.000]
	// H [0.000 0.500 0.750 0.000]  max|H| 0.750
	// Ĥ [0.000 0.667 1.000 0.000]
	// M [1 -1 0 1]
	// W [0.9500 0.0667 0.0000 0.9500]
	// ReferenceGHL [0.9500 0.0667 0.0000 0.9500]
}
