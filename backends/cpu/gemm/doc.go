// Package gemm is the float32 matrix-multiply engine of the cpu backend:
// C = alpha·op(A)·op(B) + beta·C on row-major matrices, blocked for the cache
// and split over worker threads by output tiles (never over K), so the result
// does not depend on the thread count.
package gemm
