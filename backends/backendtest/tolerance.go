package backendtest

// Tolerances of the float32 backend against the float64 references, as a
// fraction of the output scale max|reference| (see doc.go for the
// reasoning). A check fails when any element is further off than this.
const (
	// tolExact covers ops that round each result once or a few times:
	// elementwise ops, pooling, dropout, ReLU, the loss and the optimisers.
	tolExact = 1e-6
	// tolGEMM covers convolution and linear layers, forward and backward:
	// float32 dot products of up to a few hundred terms in any summation
	// order (blocked, FMA or not).
	tolGEMM = 1e-5
	// tolNorm covers batch normalisation (a float32 mean is subtracted and
	// the backward pass subtracts two means) and Triangle (a channel mean,
	// then a power).
	tolNorm = 1e-5
	// tolHebb covers the Oja-SWTA term: a float32 softmax feeding a GEMM,
	// then A − s⊙W, measured against max(|A|, |s⊙W|) because the
	// subtraction can cancel.
	tolHebb = 1e-5
	// tolRefFD is the agreement of the analytic float64 reference gradients
	// with central differences of the float64 forward (fdStep = 1e-6).
	tolRefFD = 1e-6
)
