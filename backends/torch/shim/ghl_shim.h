/*
 * ghl_shim.h — the stable C ABI between ghlsim's Go "torch" backend and
 * libtorch. The Go side loads libghl_shim.so at run time (purego, no cgo) and
 * calls these functions by name.
 *
 * Conventions (every function):
 *   - returns an int status: GHL_OK (0) on success, GHL_ERR when libtorch
 *     raised an error or an argument was wrong (shape mismatch, NULL tensor);
 *   - takes a last argument `char** err`; on failure *err receives a
 *     malloc'ed NUL-terminated message that the caller frees with
 *     ghl_free_error. err may be NULL (the message is then dropped);
 *   - floating-point scalars are passed by pointer (const float* s, one
 *     documented array per call) so that every argument is an integer or a
 *     pointer: purego's SyscallN cannot mix integer and float registers;
 *   - tensors are opaque handles (ghl_tensor*), float32 unless stated, on the
 *     device they were allocated on; destinations come first and are written
 *     in place (their storage, and every view of it, is preserved);
 *   - every op runs under torch::NoGradGuard and never records autograd state.
 *
 * Conv parameter block `cp` (int64_t[3]): stride, padding, mode
 * (0 = zeros, 1 = reflect). Pool parameter block `pp` (int64_t[3]): kernel,
 * stride, padding.
 *
 * Bump GHL_SHIM_ABI whenever a signature changes; the Go side refuses a shim
 * whose ghl_abi_version differs from the one it was written for.
 */
#ifndef GHL_SHIM_H
#define GHL_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI 2 added the data-parallelism section (ghl_dist_*, GHL_I8, GHL_F64). */
#define GHL_SHIM_ABI 3

#define GHL_OK 0
#define GHL_ERR 1

/* Tensor element types for ghl_tensor_alloc (GHL_F32, GHL_I64) and host
 * buffers of ghl_dist_allreduce_host (GHL_F32, GHL_F64, GHL_I8). */
#define GHL_F32 0
#define GHL_I64 1
#define GHL_I8 2
#define GHL_F64 3

typedef struct ghl_device ghl_device; /* a device: "cpu" or "cuda:N" */
typedef struct ghl_tensor ghl_tensor; /* an at::Tensor handle */

/* ---- library, device, threads ---------------------------------------- */

/* ghl_abi_version writes GHL_SHIM_ABI into *out. */
int ghl_abi_version(int64_t* out, char** err);
/* ghl_free_error frees a message returned through an err argument. */
int ghl_free_error(char* msg);
/* ghl_version writes "libtorch X.Y.Z; CUDA available|unavailable (N
 * devices); parallel backend" into buf (cap bytes, NUL-terminated). */
int ghl_version(char* buf, int64_t cap, char** err);
/* ghl_device_open opens "cpu", "cuda", "cuda:N" or "" (cuda:0 when CUDA is
 * available, else cpu). */
int ghl_device_open(const char* spec, ghl_device** out, char** err);
/* ghl_device_close frees the device handle (tensors stay valid). */
int ghl_device_close(ghl_device* d, char** err);
/* ghl_device_name writes the canonical device name ("cpu", "cuda:0"). */
int ghl_device_name(ghl_device* d, char* buf, int64_t cap, char** err);
/* ghl_device_describe writes a human description of the hardware. */
int ghl_device_describe(ghl_device* d, char* buf, int64_t cap, char** err);
/* ghl_device_sync waits for the device's queued work (no-op on cpu). */
int ghl_device_sync(ghl_device* d, char** err);
/* ghl_set_num_threads sets libtorch's intra-op thread count (n >= 1); every
 * OS thread that later calls into the shim adopts it (OpenMP keeps the
 * count per calling thread). */
int ghl_set_num_threads(int64_t n, char** err);
/* ghl_get_num_threads writes the intra-op thread count. */
int ghl_get_num_threads(int64_t* out, char** err);

/* ---- tensors ----------------------------------------------------------- */

/* ghl_tensor_alloc returns a zero-filled contiguous tensor of the given
 * shape and dtype (GHL_F32 or GHL_I64) on device d. */
int ghl_tensor_alloc(ghl_device* d, const int64_t* shape, int64_t ndim,
                     int64_t dtype, ghl_tensor** out, char** err);
/* ghl_tensor_free releases a handle (storage lives while views remain). */
int ghl_tensor_free(ghl_tensor* t, char** err);
/* ghl_tensor_view returns a new handle sharing t's storage with a new shape
 * of equal element count. */
int ghl_tensor_view(ghl_tensor* t, const int64_t* shape, int64_t ndim,
                    ghl_tensor** out, char** err);
/* ghl_tensor_upload copies n host floats into dst (n == numel). */
int ghl_tensor_upload(ghl_tensor* dst, const float* src, int64_t n, char** err);
/* ghl_tensor_download copies src (n == numel) into host memory. */
int ghl_tensor_download(float* dst, ghl_tensor* src, int64_t n, char** err);

/* ---- elementwise and reductions ---------------------------------------- */

int ghl_fill(ghl_tensor* dst, const float* v, char** err);             /* dst = v[0] */
int ghl_copy(ghl_tensor* dst, ghl_tensor* src, char** err);            /* same numel */
int ghl_add(ghl_tensor* dst, ghl_tensor* a, ghl_tensor* b, char** err); /* a + b */
int ghl_mul(ghl_tensor* dst, ghl_tensor* a, ghl_tensor* b, char** err); /* a ⊙ b */
int ghl_axpy(ghl_tensor* y, const float* a, ghl_tensor* x, char** err); /* y += a[0]·x */
int ghl_sign(ghl_tensor* dst, ghl_tensor* src, char** err);            /* sign(0) = 0 */
int ghl_maxabs(ghl_tensor* t, float* out, char** err);                  /* max |t| */

/* ---- convolution and dense --------------------------------------------- */

/* y = conv2d(pad(x), w) + bias; bias may be NULL. */
int ghl_conv2d(ghl_tensor* y, ghl_tensor* x, ghl_tensor* w, ghl_tensor* bias,
               const int64_t* cp, char** err);
/* dx = ∂L/∂x from dy and w (reflect padding folds the mirrored borders back). */
int ghl_conv2d_backward_data(ghl_tensor* dx, ghl_tensor* dy, ghl_tensor* w,
                             const int64_t* cp, char** err);
/* dw = ∂L/∂w, dbias = Σ dy (dbias may be NULL). */
int ghl_conv2d_backward_weight(ghl_tensor* dw, ghl_tensor* dbias, ghl_tensor* x,
                               ghl_tensor* dy, const int64_t* cp, char** err);
/* y = x·wᵀ + bias; bias may be NULL. */
int ghl_linear(ghl_tensor* y, ghl_tensor* x, ghl_tensor* w, ghl_tensor* bias, char** err);
/* dx = dy·w. */
int ghl_linear_backward_data(ghl_tensor* dx, ghl_tensor* dy, ghl_tensor* w, char** err);
/* dw = dyᵀ·x, dbias = Σ_b dy (dbias may be NULL). */
int ghl_linear_backward_weight(ghl_tensor* dw, ghl_tensor* dbias, ghl_tensor* x,
                               ghl_tensor* dy, char** err);

/* ---- pooling ------------------------------------------------------------ */

/* y = maxpool(x); idx (GHL_I64, shape of y) receives the argmax offsets
 * within each H×W plane. */
int ghl_maxpool2d(ghl_tensor* y, ghl_tensor* idx, ghl_tensor* x,
                  const int64_t* pp, char** err);
/* dx = routing of dy to the recorded winners (overwrites dx). */
int ghl_maxpool2d_backward(ghl_tensor* dx, ghl_tensor* dy, ghl_tensor* idx,
                           const int64_t* pp, char** err);
/* y = avgpool(x) (count_include_pad = true, floor mode). */
int ghl_avgpool2d(ghl_tensor* y, ghl_tensor* x, const int64_t* pp, char** err);
/* dx = ∂L/∂x of avgpool (overwrites dx). */
int ghl_avgpool2d_backward(ghl_tensor* dx, ghl_tensor* dy, const int64_t* pp, char** err);

/* ---- batch normalisation ----------------------------------------------- */

/* Batch norm over axis 1. gamma, beta may be NULL (no affine). s = {eps,
 * momentum}. training != 0: batch statistics, saved into smean/sinvstd,
 * running stats updated with the unbiased variance; else running stats. */
int ghl_batchnorm(ghl_tensor* y, ghl_tensor* x, ghl_tensor* gamma, ghl_tensor* beta,
                  ghl_tensor* rmean, ghl_tensor* rvar, ghl_tensor* smean,
                  ghl_tensor* sinvstd, const float* s, int64_t training, char** err);
/* Backward of a training-mode batch norm; dgamma, dbeta written when gamma
 * is not NULL. s = {eps, momentum}. */
int ghl_batchnorm_backward(ghl_tensor* dx, ghl_tensor* dgamma, ghl_tensor* dbeta,
                           ghl_tensor* dy, ghl_tensor* x, ghl_tensor* gamma,
                           ghl_tensor* rmean, ghl_tensor* rvar, ghl_tensor* smean,
                           ghl_tensor* sinvstd, const float* s, char** err);

/* ---- activations, dropout, loss ---------------------------------------- */

/* kind: 0 identity, 1 relu, 2 triangle; power = s[0] (triangle, 0 => 1). */
int ghl_activation(ghl_tensor* y, ghl_tensor* x, int64_t kind, const float* s, char** err);
/* dx = f'(x)·dy (triangle: full Jacobian incl. the channel mean). */
int ghl_activation_backward(ghl_tensor* dx, ghl_tensor* dy, ghl_tensor* x,
                            int64_t kind, const float* s, char** err);
/* Inverted dropout with rate s[0]: element i kept iff the top 24 bits of
 * SplitMix64(seed ^ i·0xD1B54A32D192ED03), scaled by 2^-24, are >= rate
 * (backends.DropoutKeep). mask = kept ? 1/(1-rate) : 0; y = x ⊙ mask. */
int ghl_dropout(ghl_tensor* y, ghl_tensor* mask, ghl_tensor* x, const float* s,
                uint64_t seed, char** err);
/* Mean softmax cross-entropy of logits [B, classes] against n = B host
 * labels; dlogits (may be NULL) = ∂(mean loss)/∂logits; *loss, *correct. */
int ghl_softmax_xent(ghl_tensor* dlogits, ghl_tensor* logits, const int32_t* labels,
                     int64_t n, double* loss, int64_t* correct, char** err);

/* ---- plasticity and optimisers ----------------------------------------- */

/* Oja-SWTA Hebbian term (ALGORITHM.md §1): y = softmax(s[0]·u, axis 1)
 * (anti != 0: non-winners get −y), or the caller's y when y is not NULL
 * (a competition by lateral inhibition; s[0] and anti are then ignored),
 * h = yᵀ·patches(x) − (Σ y⊙u)·w; conv when w is 4-d (cp used), dense when
 * 2-d. *maxabs = max |h|. */
int ghl_oja_swta(ghl_tensor* h, ghl_tensor* x, ghl_tensor* y, ghl_tensor* u,
                 ghl_tensor* w, const float* s, int64_t anti, const int64_t* cp,
                 float* maxabs, char** err);
/* ghl_conv2d_backward_weight and ghl_oja_swta in one weight-gradient pass
 * (dy and y stacked along the output channels); y as in ghl_oja_swta. */
int ghl_backward_weight_hebb(ghl_tensor* dw, ghl_tensor* dbias, ghl_tensor* h,
                             ghl_tensor* x, ghl_tensor* y, ghl_tensor* dy,
                             ghl_tensor* u, ghl_tensor* w, const float* s,
                             int64_t anti, const int64_t* cp, float* maxabs,
                             char** err);
/* w ← w − lr·(|e|·eScale ⊙ m + wd·w); s = {eScale, lr, wd}. */
int ghl_modulated_update(ghl_tensor* w, ghl_tensor* e, ghl_tensor* m,
                         const float* s, char** err);
/* PyTorch SGD (dampening 0, no Nesterov); vel may be NULL when momentum is
 * 0. s = {lr, momentum, wd}. */
int ghl_sgd(ghl_tensor* w, ghl_tensor* g, ghl_tensor* vel, const float* s, char** err);
/* PyTorch Adam (coupled L2); s = {lr, beta1, beta2, eps, wd}; step >= 1. */
int ghl_adam(ghl_tensor* w, ghl_tensor* g, ghl_tensor* m, ghl_tensor* v,
             const float* s, int64_t step, char** err);

/* ---- data parallelism (torch.distributed c10d; ghl_dist.cpp) ----------- */

/* A process group: one per worker process. Collectives block until every
 * rank has called them (or the group's timeout expires, which is an error). */
typedef struct ghl_dist ghl_dist;

/* ghl_dist_features writes the collective backends this shim was compiled
 * with: "gloo", "gloo,nccl", "nccl" or "" (no gloo headers at build time). */
int ghl_dist_features(char* buf, int64_t cap, char** err);
/* ghl_dist_init joins a process group of `world` ranks. Rank 0 hosts a c10d
 * TCPStore on port `port` and every rank connects to it at `host`
 * (rendezvous); then backend "gloo" creates a ProcessGroupGloo (TCP; the
 * transport binds to $GLOO_SOCKET_IFNAME if set, to 127.0.0.1 when host is a
 * loopback address, else to this machine's hostname) and "nccl" a
 * ProcessGroupNCCL on dev (a CUDA device; dev may be NULL for gloo).
 * timeout_ms bounds the rendezvous and every later collective. */
int ghl_dist_init(const char* backend, const char* host, int64_t port, int64_t rank,
                  int64_t world, int64_t timeout_ms, ghl_device* dev, ghl_dist** out,
                  char** err);
/* ghl_dist_destroy leaves the group and frees it. */
int ghl_dist_destroy(ghl_dist* d, char** err);
/* ghl_dist_rank_size writes this process's rank and the world size. */
int ghl_dist_rank_size(ghl_dist* d, int64_t* rank, int64_t* size, char** err);
/* ghl_dist_allreduce replaces each of the n float32 tensors ts[i] (all on
 * one device) by its elementwise sum over the ranks, as ONE collective over
 * their concatenation. Gloo stages CUDA tensors through host memory. */
int ghl_dist_allreduce(ghl_dist* d, ghl_tensor* const* ts, int64_t n, char** err);
/* ghl_dist_vote is the majority vote: each rank contributes sign(ts[i]) as
 * int8 (one byte per element), the votes are summed in one collective and
 * ts[i] = sign(Σ votes) (a tie gives 0). world must be <= 127. */
int ghl_dist_vote(ghl_dist* d, ghl_tensor* const* ts, int64_t n, char** err);
/* ghl_dist_allreduce_host sums a host buffer of n elements of dtype
 * GHL_F32, GHL_F64 or GHL_I8 over the ranks, in place (for backends whose
 * tensors libtorch does not own; NCCL stages it through its device). */
int ghl_dist_allreduce_host(ghl_dist* d, void* buf, int64_t n, int64_t dtype, char** err);
/* ghl_dist_barrier returns once every rank has entered it. */
int ghl_dist_barrier(ghl_dist* d, char** err);

#ifdef __cplusplus
}
#endif

#endif /* GHL_SHIM_H */
