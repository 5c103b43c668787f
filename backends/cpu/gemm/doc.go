// Package gemm is the float32 matrix-multiply engine of the cpu backend:
// C = alpha·op(A)·op(B) + beta·C on row-major matrices.
//
// The engine follows the GotoBLAS/BLIS structure. op(B) is packed into
// kc×nc blocks of column panels as wide as the micro-kernel's tile, shared
// by all threads, and op(A) into mc×kc blocks of 6-row panels, private to
// each thread; a register-tiled micro-kernel multiplies A panels by one B
// panel into a tile of C. There are three paths, chosen once at package
// initialisation:
//
//   - avx512: a 12×32 AVX-512F kernel (kernel_avx512_amd64.s) on 32-wide B
//     panels, reading two consecutive 6-row A panels. 24 ZMM accumulators,
//     two B vectors and six broadcast A registers fill the 32 ZMM
//     registers; a K step is 2 loads and 12 broadcasts for 24 FMAs. 12×32
//     rather than 14×32 keeps the A packing's 6-row panels, and 12 divides
//     every DeepHebb M but one (75) where 14 divides none.
//   - avx2: the 6×16 AVX2+FMA kernel (kernel_amd64.s) on 16-wide panels.
//   - generic: the portable Go kernel and packers, 6×16.
//
// Both assembly paths pack with the AVX2 routines (pack_amd64.s). The
// fastest path the CPU supports runs unless GHLSIM_CPU_ISA (ISAEnv) names
// another: generic, avx2 or avx512. An unknown value or a path the CPU or
// build lacks does not panic: the fastest supported path runs, ISAError
// says why, and KernelISA and Features name the path in use. The purego
// build tag and other architectures have only the generic path.
//
// Threads share the output C, never K: each K block is applied to every
// element in order, by one chain of multiply-adds, and the blocking depends
// only on the shape, so results are bit-identical for any thread count (see
// schedule.go for how work is handed out). Helper goroutines are persistent
// and packing buffers grow only, so steady-state calls do not allocate. Like
// OpenBLAS threads, idle helpers spin (yielding to other goroutines) for up
// to a millisecond after a call before they sleep, so runs of GEMMs keep
// their cores; see parallel.go.
//
// An Engine must not run two Sgemm calls at once (it panics if it notices);
// separate Engines are independent. PeakGFLOPS measures the machine's FMA
// throughput, the reference for "% of peak" figures.
//
// Accuracy: every element is a float32 dot product accumulated with fused
// multiply-adds (the portable kernel rounds each product unless the compiler
// fuses it), so |C − C_exact| ≤ (k + 2⌈k/256⌉ + 4)·2⁻²⁴·(|alpha|·Σ|a·b| +
// |beta·c|), the bound the tests check against a float64 reference; two
// paths therefore differ by at most twice that. The avx2 and avx512 kernels
// apply the same operations to every element, so they agree bit for bit
// whenever they use the same K blocks (always for k ≤ 256; the K block
// depends on the N block, which is rounded to the tile width).
//
// The openblas build tag adds OpenBLAS comparison benchmarks (cgo, needs
// libopenblas-dev; see openblas_test.go).
package gemm
