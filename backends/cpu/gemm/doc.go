// Package gemm is the float32 matrix-multiply engine of the cpu backend:
// C = alpha·op(A)·op(B) + beta·C on row-major matrices.
//
// The engine follows the GotoBLAS/BLIS structure. op(B) is packed into
// kc×nc blocks of NR-wide column panels (shared by all threads) and op(A)
// into mc×kc blocks of MR-high row panels (private to each thread); a
// register-tiled micro-kernel multiplies one MR-row panel by one NR-column
// panel. On amd64 with AVX2 and FMA the micro-kernel is assembly (6×16 tile,
// broadcast + FMA); elsewhere, with the purego build tag, or on CPUs without
// those extensions a portable Go kernel with the same packing is used.
//
// Threads split the output C into rectangles (never K), and the K blocking
// depends only on k, so every element of C is computed by the same sequence
// of floating-point operations whatever the thread count: results are
// bit-identical for 1, 2, 3, … threads.
//
// An Engine owns its worker goroutines and grow-only packing buffers, so
// steady-state calls do not allocate. One Engine must not be used by two
// goroutines at the same time; separate Engines are independent.
package gemm
