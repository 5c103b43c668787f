package backends

import "time"

// Tensor is a float32 array on a backend's device. Its storage belongs to the
// backend that allocated it; passing it to another backend panics.
type Tensor interface {
	// Shape is the tensor's dimensions; callers must not modify it.
	Shape() Shape
	// Backend is the backend that owns the storage.
	Backend() Backend
}

// Indices is an int32 array on a backend's device, used for max-pool argmax
// positions so that the backward pass routes each gradient to the input that
// won the forward pass.
type Indices interface {
	// Shape is the shape of the pooled output the indices belong to.
	Shape() Shape
}

// BNState holds batch-normalisation statistics for C channels: running mean
// and variance (updated in training mode, read in eval mode) and the batch
// mean and inverse standard deviation saved by the forward pass for the
// backward pass. All four are [C] tensors.
type BNState struct {
	RunMean, RunVar      Tensor
	SaveMean, SaveInvStd Tensor
}

// OjaParams configures the Oja-SWTA eligibility (ALGORITHM.md §1).
type OjaParams struct {
	// TInv is the inverse temperature of the soft winner-take-all,
	// y = softmax(TInv·u) over output channels.
	TInv float32
	// AntiHebbian gives every non-winning neuron −y instead of y at each
	// position (SoftHebb, ALGORITHM.md §4); false for GHL.
	AntiHebbian bool
	// Conv is the convolution that produced u (ignored for dense layers).
	Conv ConvParams
	// Y, when not nil, is the competition's output y itself (the shape of
	// u), computed by the caller — the spikes of a population whose neurons
	// compete through lateral inhibition (network.SpikingParams.Competition)
	// — and used in place of softmax(TInv·u); TInv and AntiHebbian are then
	// ignored. H = Σ y·patch(x) − (Σ y·u)⊙W as ever.
	Y Tensor
}

// Backend is one compute device. Every method writes into its first
// argument(s) and allocates nothing once the tensors exist. Shapes follow
// PyTorch: conv weights [K, C, kh, kw], dense weights [out, in], activity
// [B, C, H, W] or [B, N]. A nil bias or gradient-of-bias argument means "no
// bias". Methods panic on shape mismatch (a programmer error).
type Backend interface {
	// Name is the registry name, e.g. "cpu" or "torch:cuda:0".
	Name() string
	// Device describes the hardware in words for run records, e.g.
	// "cpu: 2 threads, amd64 AVX2+FMA".
	Device() string
	// Threads is the number of worker threads kernels use.
	Threads() int
	// SetThreads changes the worker-thread count (n ≥ 1).
	SetThreads(n int)
	// Sync waits for queued device work to finish (a no-op on cpu).
	Sync()
	// Close releases device resources; the backend is unusable afterwards.
	Close() error

	// Alloc returns a zero-filled tensor.
	Alloc(s Shape) Tensor
	// AllocIndices returns index storage for a max-pool output of shape s.
	AllocIndices(s Shape) Indices
	// Reshape returns a view of t with a new shape of equal length sharing
	// storage (used for flatten).
	Reshape(t Tensor, s Shape) Tensor
	// Upload copies host data into a device tensor (len(src) == len(dst)).
	Upload(dst Tensor, src []float32)
	// Download copies a device tensor to host memory.
	Download(dst []float32, src Tensor)

	// Fill sets every element of dst to v.
	Fill(dst Tensor, v float32)
	// Copy copies src into dst (same length).
	Copy(dst, src Tensor)
	// Add computes dst = a + b elementwise (residual add).
	Add(dst, a, b Tensor)
	// Mul computes dst = a ⊙ b elementwise.
	Mul(dst, a, b Tensor)
	// AXPY computes y += a·x.
	AXPY(y Tensor, a float32, x Tensor)
	// Sign writes sign(src) into dst with sign(0) = 0 (ALGORITHM.md §2).
	Sign(dst, src Tensor)
	// MaxAbs returns max |t|; it returns NaN if any element is NaN (the
	// network's numeric guard relies on it).
	MaxAbs(t Tensor) float32

	// Conv2D computes y = conv2d(x, w) + bias. x [B,C,H,W], w [K,C,kh,kw],
	// bias [K] or nil, y [B,K,H',W'].
	Conv2D(y, x, w, bias Tensor, p ConvParams)
	// Conv2DBackwardData computes dx = ∂L/∂x from dy and w.
	Conv2DBackwardData(dx, dy, w Tensor, p ConvParams)
	// Conv2DBackwardWeight computes dw = ∂L/∂w (and dbias = ∂L/∂bias when
	// dbias is not nil) from x and dy; it overwrites dw and dbias.
	Conv2DBackwardWeight(dw, dbias, x, dy Tensor, p ConvParams)

	// Linear computes y = x·wᵀ + bias. x [B,in], w [out,in], y [B,out].
	Linear(y, x, w, bias Tensor)
	// LinearBackwardData computes dx = dy·w.
	LinearBackwardData(dx, dy, w Tensor)
	// LinearBackwardWeight computes dw = dyᵀ·x (and dbias = Σ_b dy).
	LinearBackwardWeight(dw, dbias, x, dy Tensor)

	// MaxPool2D pools x into y, recording each output's winning input in arg.
	MaxPool2D(y Tensor, arg Indices, x Tensor, p PoolParams)
	// MaxPool2DBackward routes dy to the recorded winners (dx is overwritten).
	MaxPool2DBackward(dx, dy Tensor, arg Indices)
	// AvgPool2D averages x over windows into y.
	AvgPool2D(y, x Tensor, p PoolParams)
	// AvgPool2DBackward spreads dy evenly over each window (dx is overwritten).
	AvgPool2DBackward(dx, dy Tensor, p PoolParams)

	// BatchNorm normalises x per channel into y. gamma and beta are [C] or
	// nil (no affine). In training mode it uses batch statistics, saves them
	// in st.SaveMean/SaveInvStd and updates the running statistics with the
	// unbiased batch variance; in eval mode it uses the running statistics.
	BatchNorm(y, x, gamma, beta Tensor, st BNState, p BNParams)
	// BatchNormBackward computes dx (and dgamma, dbeta when gamma is not nil)
	// of a training-mode BatchNorm, from the statistics it saved.
	BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma Tensor, st BNState, p BNParams)

	// Activation computes y = f(x).
	Activation(y, x Tensor, p ActParams)
	// ActivationBackward computes dx = f'(x)·dy (for Triangle, the full
	// Jacobian including the channel mean).
	ActivationBackward(dx, dy, x Tensor, p ActParams)

	// Dropout zeroes each element with probability rate and scales the rest
	// by 1/(1−rate) (inverted dropout), writing the applied factor into mask.
	// Element i is kept iff DropoutKeep(seed, i, rate), so every backend draws
	// the same mask.
	Dropout(y, mask, x Tensor, rate float32, seed uint64)

	// SoftmaxCrossEntropy takes logits [B, classes] and labels, writes
	// ∂(mean loss)/∂logits into dlogits (may be nil for evaluation), and
	// returns the mean loss and the number of correct argmax predictions.
	SoftmaxCrossEntropy(dlogits, logits Tensor, labels []int32) (loss float64, correct int)

	// OjaSWTA computes the unnormalised Oja-SWTA Hebbian term of
	// ALGORITHM.md §1 into h (same shape as w): y = softmax(TInv·u) over
	// channels, H = yᵀ·patches(x) − (Σ y⊙u) ⊙ W, summed over batch and
	// positions. It returns max|H| (the layer-wide normaliser of step 5).
	// synapse.ReferenceOjaSWTA is the float64 reference every backend is
	// tested against.
	OjaSWTA(h, x, u, w Tensor, p OjaParams) (maxAbs float32)
	// ModulatedUpdate applies the GHL update (ALGORITHM.md §3):
	// W ← W − lr·(|E|·eScale ⊙ M + wd·W). With eScale = 1/(max|H|+1e-30)
	// (synapse.NormScale) this is |Ĥ| ⊙ M, synapse.ReferenceGHLUpdate.
	ModulatedUpdate(w, e, m Tensor, eScale, lr, wd float32)
	// SGD applies W ← W − lr·v with v = momentum·v + (g + wd·W) (PyTorch
	// SGD, dampening 0); vel may be nil when momentum is 0.
	SGD(w, g, vel Tensor, lr, momentum, wd float32)
	// Adam applies one Adam step (PyTorch semantics, coupled L2 wd) with
	// first and second moments m, v; step counts from 1.
	Adam(w, g, m, v Tensor, lr, beta1, beta2, eps, wd float32, step int)
}

// ConvArithmetic is implemented by backends whose convolutions may execute
// fewer multiply-adds than the direct product, through a fast algorithm such
// as Winograd. Throughput reports use it to tell the arithmetic actually
// executed from the direct-equivalent count 2·B·K·C·kh·kw·H'·W'.
type ConvArithmetic interface {
	// ConvFLOPFraction is the fraction of the direct multiply-add count that
	// the backend's matrix products execute for a convolution of input x and
	// weight w under p (1 for im2col or direct kernels); it is the same for
	// the forward pass, the input gradient and the weight-side products.
	ConvFLOPFraction(x, w Shape, p ConvParams) float64
}

// PeakProber is implemented by backends that can measure their device's
// peak multiply-add throughput, the "% of peak" denominator of benchmarks
// (the cpu backend runs an FMA loop on the host).
type PeakProber interface {
	// PeakGFLOPS runs the probe on the given number of threads for about d
	// and returns GFLOP/s (a multiply-add counts as two FLOPs).
	PeakGFLOPS(threads int, d time.Duration) float64
	// PeakISA names the widest vector FMA the probe used ("avx512",
	// "avx2", "generic"); KernelISA the widest the backend's GEMM kernels
	// use. Where KernelISA is narrower, "% of peak" is against a peak the
	// kernels cannot reach.
	PeakISA() string
	KernelISA() string
}

// HebbGradFuser is implemented by backends that compute a conv layer's weight
// gradient and its Oja-SWTA Hebbian term in one pass over the same im2col
// patches (DESIGN.md, backend interface). Callers fall back to
// Conv2DBackwardWeight + OjaSWTA when a backend lacks it.
type HebbGradFuser interface {
	// Conv2DBackwardWeightHebb is Conv2DBackwardWeight(dw, dbias, x, dy) and
	// OjaSWTA(h, x, u, w) together; it returns max|H|.
	Conv2DBackwardWeightHebb(dw, dbias, h, x, dy, u, w Tensor, p OjaParams) (maxAbs float32)
}
