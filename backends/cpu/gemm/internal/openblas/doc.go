// Package openblas is a minimal cgo binding to OpenBLAS's cblas_sgemm, built
// only with the openblas tag (needs libopenblas-dev). The gemm package's
// comparison benchmarks use it as the reference peer; it lives apart because
// a cgo package cannot hold Go assembly.
package openblas
