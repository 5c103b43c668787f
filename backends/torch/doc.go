// Package torch is ghlsim's libtorch backend: the backends.Backend interface
// on libtorch's CPU or CUDA kernels, registered as "torch" ("torch" picks
// cuda:0 when CUDA is available and cpu otherwise; "torch:cpu",
// "torch:cuda:N" name a device).
//
// # How it reaches libtorch
//
// Go never links libtorch. A thin C shim of our own (shim/ghl_shim.h, a
// stable C ABI over about forty functions, and shim/ghl_shim.cpp, written
// against ATen operators whose C++ signatures are the same in libtorch 1.13
// and 2.x) is compiled into libghl_shim.so by
//
//	make -C backends/torch shim        # or: sh backends/torch/shim/build.sh
//
// and loaded at run time with github.com/ebitengine/purego, so binaries that
// import this package still build with CGO_ENABLED=0 and run on machines
// without libtorch (New then returns an error wrapping ErrUnavailable). The
// shim is looked for at $GHLSIM_SHIM, then next to the executable, then in
// backends/torch/shim/build/ of the source tree (found from this package's
// source path and from the working directory upwards).
//
// # Execution model
//
// Tensors live on the device between operations; data crosses to the host
// only in Upload, Download, MaxAbs, OjaSWTA's max|H| and the loss and
// accuracy of SoftmaxCrossEntropy. On CUDA every kernel goes to the default
// stream in issue order, so calls from any goroutine or OS thread are ordered;
// Sync waits for them. Each call holds a per-backend mutex, so a Backend may
// be shared between goroutines, and allocates nothing on the Go heap.
// libtorch's intra-op thread count is process-wide: SetThreads on one torch
// backend changes it for all of them (the shim re-applies it on whichever OS
// thread calls next, since OpenMP keeps it per thread).
//
// # Numerics
//
// float32 throughout. Results match the cpu reference backend to float32
// rounding (the parity tests document the tolerances); reductions run in a
// different order, so results are not bit-identical to cpu, and on CUDA
// cuDNN picks its algorithms by benchmarking (cudnn.benchmark), so repeated
// runs may differ in the last bits. TF32 is off unless GHLSIM_TORCH_TF32=1.
// Dropout masks are bit-identical to backends.DropoutKeep: the SplitMix64
// hash is evaluated on the device with int64 tensor operations (wrapping
// multiplication, masked arithmetic shifts), so no mask crosses the bus.
package torch
