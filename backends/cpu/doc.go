// Package cpu is ghlsim's reference backend: pure Go (no cgo), float32, NCHW.
// Convolutions run as im2col + a blocked, multi-threaded GEMM (package gemm);
// every other kernel is split over the same worker threads. It registers
// itself as "cpu" in package backends.
//
// Determinism: for a fixed thread count every kernel's reduction order is
// fixed, so the same seed gives bit-identical results run after run.
package cpu
