// Package cpu is ghlsim's reference backend: pure Go (no cgo), float32, NCHW.
// Convolutions run as im2col + a blocked, multi-threaded GEMM (package gemm);
// every other kernel is split over the same worker threads. It registers
// itself as "cpu" in package backends.
//
// 3×3, stride-1, one-pixel-padded convolutions with at least 16 input and
// output channels on even planes 8 or a multiple of 16 wide (the DeepHebb,
// VGG and ResNet bodies on 32×32 inputs) run instead as
// Winograd F(2×2, 3×3) (Lavin & Gray 2016): 16 GEMMs over transformed tiles
// do the work of the 36-tap direct products, 2.25× fewer multiplications,
// for the forward pass, the input gradient and the weight-side products alike
// (GHLSIM_CPU_CONV=auto|im2col|winograd, read by New, Open and the
// registered backend alike, or SetConvAlgorithm overrides the choice; Device
// names it).
//
// Convolutions process the batch in chunks of samples whose im2col patches
// fit a bounded buffer (16 MiB); each chunk is one GEMM. The weight-side
// products — the weight gradient δ·patchesᵀ and the Hebbian correlation
// yᵀ·patches of the Oja-SWTA eligibility (ALGORITHM.md §1) — share one code
// path, and Conv2DBackwardWeightHebb stacks [δ; y] so one GEMM per chunk
// yields both.
//
// Determinism: every non-GEMM kernel cuts its work into items of a fixed
// size (a sample, a channel, a block of elements) that never depends on the
// thread count, and reductions combine per-item partial results in item
// order; the GEMM splits only output tiles. The same inputs therefore give
// bit-identical results run after run and for any thread count.
//
// Memory: scratch buffers only grow and kernel tasks are preallocated, so
// once every layer shape has been seen no call allocates. A Backend runs one
// kernel at a time and must not be used from several goroutines at once.
package cpu
