// Package gemm is the float32 matrix-multiply engine of the cpu backend:
// C = alpha·op(A)·op(B) + beta·C on row-major matrices.
//
// The engine follows the GotoBLAS/BLIS structure. op(B) is packed into
// kc×nc blocks of 16-column panels, shared by all threads, and op(A) into
// mc×kc blocks of 6-row panels, private to each thread; a register-tiled
// micro-kernel multiplies one A panel by one B panel into a 6×16 tile of C.
// On amd64 with AVX2 and FMA the micro-kernel and the packing transposes are
// assembly (kernel_amd64.s, pack_amd64.s); without those extensions, with the
// purego build tag or on other architectures the portable Go kernel and
// packers run instead, on the same packed layout.
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
// |beta·c|), the bound the tests check against a float64 reference.
//
// The openblas build tag adds OpenBLAS comparison benchmarks (cgo, needs
// libopenblas-dev; see openblas_test.go).
package gemm
