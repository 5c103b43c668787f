package synapse

// The GHL rule in one file: plain float64 Go that follows docs/ALGORITHM.md
// §1–3 line by line, for a conv or a dense synapse group. It is written to be
// read (and called), not to be fast: the backends compute the same quantities
// with fused float32 kernels (backends/cpu: oja.go, update.go and the Winograd
// path; backends/torch: plasticity.go and the C++ shim), and
// ghl_reference_test.go checks each of them against this file on random
// shapes.
//
// Paper: Hua, Zhao, Leng, Cheng, Ma, Guo, "Hebbian Learning with Global
// Direction", ICASSP 2026 (arXiv 2601.21367), and its reference code
// (github.com/huawjcn/GHL, HebbConv2d.py). Where the two differ ALGORITHM.md
// (and this file) follows the code.
//
// One step for a group with weights W, input x and loss gradient ∂L/∂W:
//
//	u = conv(x, W)  or  W·x                       ReferenceForward    (§1.1)
//	y = softmax(t_inv·u) over output channels     ReferenceSoftWTA    (§1.2)
//	H = Σ_{b,p} y·patch(x) − (Σ_{b,p} y·u)·W      ReferenceOjaSWTA    (§1.3-4)
//	Ĥ = H / (max|H| + 1e-30)                      ReferenceNormalise  (§1.5)
//	M = sign(∂L/∂W)                               ReferenceSign       (§2)
//	W ← W − η·(|Ĥ| ⊙ M + λ·W)                     ReferenceGHLUpdate  (§3; paper eq. 1, 5-6)
//
// ReferenceGHL runs the whole step.

import (
	"fmt"
	"math"

	"ghlsim/backends"
)

// NormEpsilon is the ε of the layer-wide normalisation Ĥ = H/(max|H| + ε)
// (ALGORITHM.md §1 step 5): it keeps an all-zero H (no input) finite.
const NormEpsilon = 1e-30

// NormScale is the float32 normaliser 1/(max|H| + ε) that the training
// step multiplies |H| by (so |H|·NormScale(max|H|) = |Ĥ|, in [0, 1]
// whatever the batch size). It is the one place the backends' float32 path
// computes it: Group.UpdateTrace and the network's distributed reduction
// both call it. ReferenceNormalise is the same formula in float64.
func NormScale(maxAbsH float32) float32 { return 1 / (maxAbsH + NormEpsilon) }

// ReferenceTensor is a float64 array in PyTorch layout (row-major, shape
// Shape), the value type of the reference functions: conv activity
// [B, C, H, W], conv weights [K, C, kh, kw], dense activity [B, N] and
// dense weights [K, N].
type ReferenceTensor struct {
	Shape backends.Shape
	Data  []float64
}

// NewReferenceTensor returns a zero tensor of shape s.
func NewReferenceTensor(s backends.Shape) ReferenceTensor {
	return ReferenceTensor{Shape: s, Data: make([]float64, s.Len())}
}

// ReferenceForward computes a group's pre-activation (ALGORITHM.md §1
// step 1): for conv weights w [K, C, kh, kw] and x [B, C, H, W],
// u = conv2d(pad(x), w) of shape [B, K, H', W']; for dense weights w [K, N]
// and x [B, N], u = x·wᵀ of shape [B, K]. No bias: the Hebbian term of the
// reference code is computed from the bias-free product.
func ReferenceForward(x, w ReferenceTensor, conv backends.ConvParams) ReferenceTensor {
	pt := referencePatches(x, w, conv)
	u := NewReferenceTensor(pt.uShape)
	k := w.Shape[0]
	for b := range pt.batch {
		for p := range pt.positions {
			patch := pt.patch(b, p)
			for c := range k {
				// u[b,c,p] = W_c · patch(x)[b,p]
				u.Data[(b*k+c)*pt.positions+p] = referenceDot(w.Data[c*pt.length:(c+1)*pt.length], patch)
			}
		}
	}
	return u
}

// ReferenceSoftWTA is the soft winner-take-all of ALGORITHM.md §1 step 2:
// y = softmax(tInv·u) over the channel axis (axis 1 of u, [B, K, …]),
// separately at every sample and position. With anti (SoftHebb,
// ALGORITHM.md §4) every channel but the winner — the first argmax of u at
// that position — gets −y instead of y.
func ReferenceSoftWTA(u ReferenceTensor, tInv float64, anti bool) ReferenceTensor {
	batch, k := u.Shape[0], u.Shape[1]
	positions := u.Shape.Len() / (batch * k)
	y := NewReferenceTensor(u.Shape)
	at := func(b, c, p int) int { return (b*k+c)*positions + p }
	for b := range batch {
		for p := range positions {
			winner, top := 0, math.Inf(-1)
			for c := range k {
				if u.Data[at(b, c, p)] > u.Data[at(b, winner, p)] {
					winner = c
				}
				top = math.Max(top, tInv*u.Data[at(b, c, p)])
			}
			// softmax, shifted by its largest argument so that exp cannot overflow
			sum := 0.0
			for c := range k {
				y.Data[at(b, c, p)] = math.Exp(tInv*u.Data[at(b, c, p)] - top)
				sum += y.Data[at(b, c, p)]
			}
			for c := range k {
				y.Data[at(b, c, p)] /= sum
				if anti && c != winner {
					y.Data[at(b, c, p)] = -y.Data[at(b, c, p)]
				}
			}
		}
	}
	return y
}

// ReferenceOjaSWTA is the unnormalised Hebbian term H of ALGORITHM.md §1
// steps 2-4 (Oja's rule with soft competition, the eligibility), shape of
// w:
//
//	y    = softmax(t_inv·u) over channels                 (p.TInv, p.AntiHebbian)
//	A_k  = Σ_{b,p} y[b,k,p] · patch(x)[b,p]               the Hebbian correlation
//	s_k  = Σ_{b,p} y[b,k,p] · u[b,k,p]                    Oja's decay coefficient
//	H_k  = A_k − s_k · W_k
//
// i.e. per synapse ΔH_kj = Σ_{b,p} y_k·(x_j − u_k·W_kj), summed over the
// batch and, for a conv group, every position sharing the kernel. u is the
// group's pre-activation (ReferenceForward(x, w, p.Conv), or the one a
// backend computed); p.Conv is ignored for dense groups.
func ReferenceOjaSWTA(x, u, w ReferenceTensor, p backends.OjaParams) ReferenceTensor {
	return ReferenceOjaGiven(x, ReferenceSoftWTA(u, float64(p.TInv), p.AntiHebbian), u, w, p.Conv)
}

// ReferenceOjaGiven is ReferenceOjaSWTA for a competition output y given by
// the caller (backends.OjaParams.Y: the spikes of a population competing
// through lateral inhibition) instead of softmax(t_inv·u):
//
//	H_k = Σ_{b,p} y[b,k,p]·patch(x)[b,p] − (Σ_{b,p} y[b,k,p]·u[b,k,p])·W_k
func ReferenceOjaGiven(x, y, u, w ReferenceTensor, conv backends.ConvParams) ReferenceTensor {
	pt := referencePatches(x, w, conv)
	if !u.Shape.Equal(pt.uShape) || !y.Shape.Equal(pt.uShape) {
		panic(fmt.Sprintf("synapse: ReferenceOjaGiven: u %v and y %v, want %v for x %v and w %v", u.Shape, y.Shape, pt.uShape, x.Shape, w.Shape))
	}
	k := w.Shape[0]
	h := NewReferenceTensor(w.Shape)
	for c := range k {
		hk := h.Data[c*pt.length : (c+1)*pt.length] // H_k accumulates A_k first
		s := 0.0
		for b := range pt.batch {
			for p := range pt.positions {
				i := (b*k+c)*pt.positions + p
				for j, xj := range pt.patch(b, p) {
					hk[j] += y.Data[i] * xj // A_k += y·patch(x)
				}
				s += y.Data[i] * u.Data[i] // s_k += y·u
			}
		}
		for j, wj := range w.Data[c*pt.length : (c+1)*pt.length] {
			hk[j] -= s * wj // H_k = A_k − s_k·W_k
		}
	}
	return h
}

// ReferenceNormalise is ALGORITHM.md §1 step 5: Ĥ = H/(max|H| + 1e-30), one
// maximum over the whole group (layer), so |Ĥ| ∈ [0, 1] independently of the
// batch size. It also returns max|H|.
func ReferenceNormalise(h ReferenceTensor) (hHat ReferenceTensor, maxAbs float64) {
	for _, v := range h.Data {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	hHat = NewReferenceTensor(h.Shape)
	for i, v := range h.Data {
		hHat.Data[i] = v / (maxAbs + NormEpsilon)
	}
	return hHat, maxAbs
}

// ReferenceSign is the third factor of ALGORITHM.md §2: M = sign(∂L/∂W)
// elementwise, with sign(0) = 0. Only the direction of the task gradient
// reaches the synapse, never its magnitude.
func ReferenceSign(grad ReferenceTensor) ReferenceTensor {
	m := NewReferenceTensor(grad.Shape)
	for i, g := range grad.Data {
		switch {
		case g > 0:
			m.Data[i] = 1
		case g < 0:
			m.Data[i] = -1
		}
	}
	return m
}

// ReferenceGHLUpdate is the GHL update of ALGORITHM.md §3 (the paper's eq. 1
// and 5-6, as implemented): W ← W − η·(|Ĥ| ⊙ M + λ·W). The Hebbian term sets
// each synapse's step size in [0, 1] (its own sign is discarded), the
// modulator M its direction; λ is coupled L2 weight decay. It returns the new
// weights and leaves w unchanged.
func ReferenceGHLUpdate(w, hHat, m ReferenceTensor, lr, weightDecay float64) ReferenceTensor {
	if !hHat.Shape.Equal(w.Shape) || !m.Shape.Equal(w.Shape) {
		panic(fmt.Sprintf("synapse: ReferenceGHLUpdate: w %v, Ĥ %v and M %v differ in shape", w.Shape, hHat.Shape, m.Shape))
	}
	next := NewReferenceTensor(w.Shape)
	for i, wi := range w.Data {
		next.Data[i] = wi - lr*(math.Abs(hHat.Data[i])*m.Data[i]+weightDecay*wi)
	}
	return next
}

// ReferenceGHL is one whole GHL step for a group (ALGORITHM.md §1-3) from
// its input x, weights w and task gradient grad = ∂L/∂W: u = forward(x, w),
// H = Oja-SWTA(x, u, w), Ĥ = H/(max|H| + 1e-30), M = sign(grad) and
// W ← W − η·(|Ĥ| ⊙ M + λ·W). It returns the new weights.
func ReferenceGHL(x, w, grad ReferenceTensor, p backends.OjaParams, lr, weightDecay float64) ReferenceTensor {
	u := ReferenceForward(x, w, p.Conv)
	hHat, _ := ReferenceNormalise(ReferenceOjaSWTA(x, u, w, p))
	return ReferenceGHLUpdate(w, hHat, ReferenceSign(grad), lr, weightDecay)
}

// referencePatchSet is the im2col view of a group's input: for every sample
// b and output position p, the patch of x that the kernel sees, as a vector
// of length C·kh·kw in the weight's layout (a dense group has one position
// whose patch is the sample itself). u[b,k,p] = W_k · patch(x)[b,p]. The
// slice patch returns is overwritten by the next call.
type referencePatchSet struct {
	batch, positions, length int
	uShape                   backends.Shape
	patch                    func(b, p int) []float64
}

// referencePatches returns the patches of x under w's geometry; it panics
// when the shapes do not fit together.
func referencePatches(x, w ReferenceTensor, conv backends.ConvParams) referencePatchSet {
	fail := func(why string) { panic(fmt.Sprintf("synapse: reference: x %v, w %v: %s", x.Shape, w.Shape, why)) }
	if x.Shape.Len() != len(x.Data) || w.Shape.Len() != len(w.Data) {
		fail("a shape does not match its data")
	}
	switch {
	case len(w.Shape) == 2 && len(x.Shape) == 2: // dense: one position, the patch is the sample
		batch, n := x.Shape[0], x.Shape[1]
		if w.Shape[1] != n {
			fail("the weights' inputs differ from x's")
		}
		return referencePatchSet{batch: batch, positions: 1, length: n, uShape: backends.Shape{batch, w.Shape[0]},
			patch: func(b, _ int) []float64 { return x.Data[b*n : (b+1)*n] }}
	case len(w.Shape) == 4 && len(x.Shape) == 4:
	default:
		fail("want dense (rank 2) or conv (rank 4) shapes")
	}
	batch, ch, hi, wi := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	kh, kw := w.Shape[2], w.Shape[3]
	if w.Shape[1] != ch {
		fail("the weights' input channels differ from x's")
	}
	if err := conv.Validate(hi, wi, kh, kw); err != nil {
		fail(err.Error())
	}
	ho, wo := conv.OutSize(hi, kh), conv.OutSize(wi, kw)
	patch := make([]float64, ch*kh*kw)
	// read maps a coordinate of the padded input to the input's, or −1 for
	// a zero: PyTorch "zeros" padding, or "reflect" (mirror without
	// repeating the edge).
	read := func(v, n int) int {
		switch {
		case v >= 0 && v < n:
			return v
		case conv.Mode != backends.PadReflect:
			return -1
		case v < 0:
			return -v
		}
		return 2*(n-1) - v
	}
	return referencePatchSet{batch: batch, positions: ho * wo, length: len(patch),
		uShape: backends.Shape{batch, w.Shape[0], ho, wo},
		patch: func(b, p int) []float64 {
			oy, ox := p/wo, p%wo
			for c := range ch {
				for i := range kh {
					for j := range kw {
						iy, ix := read(oy*conv.Stride-conv.Pad+i, hi), read(ox*conv.Stride-conv.Pad+j, wi)
						v := 0.0
						if iy >= 0 && ix >= 0 {
							v = x.Data[((b*ch+c)*hi+iy)*wi+ix]
						}
						patch[(c*kh+i)*kw+j] = v
					}
				}
			}
			return patch
		}}
}

// referenceDot is Σ a_i·b_i.
func referenceDot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}
