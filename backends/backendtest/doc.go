// Package backendtest is the conformance and benchmark suite every ghlsim
// backend runs:
//
//	func TestConformance(t *testing.T) {
//		backendtest.Conformance(t, func() backends.Backend { return cpu.New(2) })
//	}
//	func BenchmarkOps(b *testing.B) {
//		backendtest.Benchmarks(b, func() backends.Backend { return cpu.New(2) })
//	}
//
// Conformance compares each op on seeded random cases (stride 1 and 2,
// padding 0/1/2, zero and reflect padding, with and without bias, odd and
// non-square sizes, dense [B, N] activity; batch norm affine or not, 4-d and
// 2-d, training and eval; pooling with padding and ties; Triangle with
// powers 0.7, 1 and 1.4) against naive float64 references (ref_*.go). Every
// backward op is checked three ways on a random upstream gradient dy, with
// loss = Σ dy·f(x): the analytic float64 reference against central finite
// differences of the float64 forward (which validates the reference), the
// backend against those finite differences, and the backend against the
// analytic reference. It also checks OjaSWTA in both modes (conv and dense)
// and on a hand-computed case spelled out by explicit loops (with the
// layer-max normalisation and one GHL update), the fused
// Conv2DBackwardWeightHebb against the separate ops, ModulatedUpdate, SGD,
// Adam, Sign(0) = 0, dropout masks against backends.DropoutKeep, the
// cross-entropy loss, gradient and correct count, and that running every
// op twice gives bit-identical results.
//
// # Tolerances
//
// Backends compute in float32 and the references in float64, so each check
// allows an error of tol·scale per element, where scale is the output
// scale max|reference| (for the Oja-SWTA term, max(|A|, |s⊙W|): the two
// terms of H = A − s⊙W before they cancel). float32 rounds at 6e-8:
//
//   - 1e-6 (tolExact): ops that round each result a few times: elementwise
//     ops, pooling, dropout, ReLU, the loss and its gradient, SGD, Adam and
//     ModulatedUpdate. Max pooling and Sign must be exact.
//   - 1e-5 (tolGEMM): convolution and linear layers, forward and both
//     backward ops, and the fused weight gradient: float32 dot products of
//     up to a few hundred terms in any order (blocked, FMA or not).
//   - 1e-5 (tolNorm): batch normalisation (a float32 mean is subtracted,
//     and the backward pass subtracts two more means) and Triangle (a
//     channel mean, then a fractional power).
//   - 1e-5 (tolHebb): the Oja-SWTA term (a float32 softmax feeding a GEMM)
//     and the fused kernel against the separate OjaSWTA.
//   - 1e-6 (tolRefFD): the analytic float64 reference gradients against
//     central differences with step 1e-6 (truncation and rounding ≈ 1e-10).
//     The backend-vs-finite-difference check allows the op's tolerance plus
//     this. At most 300 elements per variable are differenced (a seeded
//     subset), and elements within 1e-4 of a ReLU kink are left out of the
//     finite-difference comparison only.
//
// The observed errors of the cpu backend and of libtorch (torch:cpu) on
// these cases are 5 to 50 times below these bounds; the bounds are tight
// enough to catch an eps added to the standard deviation instead of the
// variance, or a 1e-4 relative error in the Oja decay term.
//
// Finite differences need inputs away from non-differentiable points: max
// pooling draws pairwise-distinct inputs (no near-ties within the step) and
// the ReLU and Triangle cases skip elements near the kink.
package backendtest
