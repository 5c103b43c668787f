// ghl_shim.cpp — libtorch implementation of the C ABI in ghl_shim.h.
//
// Written against ATen operators that exist with the same C++ signature in
// libtorch 1.13 (Debian's libtorch-dev) and 2.x (pip PyTorch):
// at::convolution / at::convolution_backward, at::reflection_pad2d(+_backward),
// at::max_pool2d_with_indices(+_backward), at::avg_pool2d(+_backward),
// at::native_batch_norm(+_backward), elementwise and reduction ops. No
// autograd graph is ever built: every entry point holds an at::NoGradGuard.
//
// Results that libtorch returns as new tensors are copied into the caller's
// destination after an exact shape check, so that the destination keeps its
// storage (views made by ghl_tensor_view keep aliasing it). Elementwise ops
// write through out= variants directly.

#include "ghl_shim.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <dlfcn.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

struct ghl_device {
  at::Device dev;
  std::string name;
};

struct ghl_tensor {
  at::Tensor t;
};

namespace {

// ---- errors -----------------------------------------------------------------

int fail(char** err, const std::string& msg) {
  if (err != nullptr) {
    *err = strdup(msg.c_str());
  }
  return GHL_ERR;
}

void put_string(char* buf, int64_t cap, const std::string& s) {
  if (buf == nullptr || cap <= 0) return;
  size_t n = s.size() < static_cast<size_t>(cap - 1) ? s.size() : static_cast<size_t>(cap - 1);
  memcpy(buf, s.data(), n);
  buf[n] = 0;
}

// ---- threads ------------------------------------------------------------------
//
// With the OpenMP parallel backend libtorch keeps the team size per calling OS
// thread, and Go moves goroutines between OS threads, so a count set on one
// thread must be re-applied on whichever thread calls next. A generation
// counter makes that one atomic load per call.

std::atomic<int64_t> g_threads{0};
std::atomic<int64_t> g_thread_gen{0};
thread_local int64_t t_thread_gen = 0;

void adopt_threads() {
  int64_t gen = g_thread_gen.load(std::memory_order_acquire);
  if (gen != t_thread_gen) {
    int64_t n = g_threads.load(std::memory_order_acquire);
    if (n > 0 && at::get_num_threads() != n) at::set_num_threads(static_cast<int>(n));
    t_thread_gen = gen;
  }
}

// ---- argument helpers -----------------------------------------------------------

at::Tensor& T(ghl_tensor* h, const char* what) {
  TORCH_CHECK(h != nullptr, what, " is NULL");
  TORCH_CHECK(h->t.defined(), what, " is an undefined tensor");
  return h->t;
}

at::Tensor opt(ghl_tensor* h) { return h == nullptr ? at::Tensor() : h->t; }

void same_numel(const at::Tensor& a, const at::Tensor& b, const char* op) {
  TORCH_CHECK(a.numel() == b.numel(), op, ": tensors of ", a.sizes(), " and ", b.sizes(),
              " differ in length");
}

// assign copies r into dst after checking that the shapes are identical
// (copy_ would silently broadcast).
void assign(const at::Tensor& dst, const at::Tensor& r, const char* op) {
  TORCH_CHECK(dst.sizes() == r.sizes(), op, ": destination has shape ", dst.sizes(),
              " but the result has shape ", r.sizes());
  dst.copy_(r);
}

// flat is a 1-d view of a contiguous tensor.
at::Tensor flat(const at::Tensor& t) { return t.reshape({-1}); }

struct Conv {
  int64_t stride, pad;
  bool reflect;
};

Conv conv_params(const int64_t* cp) {
  TORCH_CHECK(cp != nullptr, "conv parameters are NULL");
  TORCH_CHECK(cp[0] >= 1 && cp[1] >= 0, "conv stride ", cp[0], " / padding ", cp[1], " invalid");
  return Conv{cp[0], cp[1], cp[2] == 1};
}

// conv_input returns the input the convolution kernels see and the padding
// they apply themselves (reflect padding is materialised, zero padding is not).
std::tuple<at::Tensor, int64_t> conv_input(const at::Tensor& x, const Conv& c) {
  if (c.reflect && c.pad > 0) {
    return {at::reflection_pad2d(x, {c.pad, c.pad, c.pad, c.pad}), 0};
  }
  return {x, c.pad};
}

// weight_grad returns Σ_{b,p} g[b,k,p] · patch(x)[b,p,:] shaped like a conv
// weight [K', C, kh, kw] (K' = g.size(1)): the conv weight gradient for
// g = dy, the Hebbian correlation for g = y.
at::Tensor weight_grad(const at::Tensor& x, const at::Tensor& g, int64_t kh, int64_t kw,
                       const Conv& c) {
  at::Tensor xin;
  int64_t pad;
  std::tie(xin, pad) = conv_input(x, c);
  auto wshape = at::empty({g.size(1), x.size(1), kh, kw}, x.options());
  std::vector<int64_t> s{c.stride, c.stride}, p{pad, pad}, d{1, 1}, op{0, 0};
  auto r = at::convolution_backward(g, xin, wshape, at::OptionalIntArrayRef(), s, p, d, false, op,
                                    1, {false, true, false});
  return std::get<1>(r);
}

// swta returns the soft winner-take-all y = softmax(tinv·u) over axis 1,
// with non-winners negated when anti is set (SoftHebb).
at::Tensor swta(const at::Tensor& u, float tinv, bool anti) {
  auto y = at::softmax(u * static_cast<double>(tinv), 1);
  if (anti) {
    auto win = y.argmax(1, true);
    auto sign = at::full_like(y, -1.0);
    sign.scatter_(1, win, 1.0);
    y.mul_(sign);
  }
  return y;
}

// competition returns the caller's y when given (checked against u's shape),
// else swta(u, tinv, anti).
at::Tensor competition(ghl_tensor* yg, const at::Tensor& u, float tinv, bool anti) {
  if (yg == nullptr) return swta(u, tinv, anti);
  auto& y = T(yg, "y");
  TORCH_CHECK(y.sizes() == u.sizes(), "oja: y ", y.sizes(), " must have the shape of u ", u.sizes());
  return y;
}

// oja returns H = A − (Σ y⊙u) ⊙ W for a correlation A already computed.
at::Tensor oja(const at::Tensor& a, const at::Tensor& y, const at::Tensor& u, const at::Tensor& w) {
  if (w.dim() == 4) {
    auto s = (y * u).sum({0, 2, 3});
    return a - s.view({-1, 1, 1, 1}) * w;
  }
  auto s = (y * u).sum(0);
  return a - s.view({-1, 1}) * w;
}

float maxabs_of(const at::Tensor& t) { return t.abs().max().item<float>(); }

// ---- dropout hash -------------------------------------------------------------
//
// The mask is computed on the device with int64 tensor ops that reproduce
// backends.SplitMix64 bit for bit: two's-complement multiplication and
// addition wrap exactly like uint64 arithmetic, and a logical right shift is
// an arithmetic shift with the sign-extended bits masked off.

int64_t as_i64(uint64_t v) {
  int64_t r;
  memcpy(&r, &v, sizeof r);
  return r;
}

at::Tensor lsr(const at::Tensor& x, int k) {
  return at::bitwise_and(at::bitwise_right_shift(x, static_cast<int64_t>(k)),
                         as_i64(~0ULL >> k));
}

at::Tensor splitmix64(at::Tensor x) {
  x.add_(as_i64(0x9E3779B97F4A7C15ULL));
  x.bitwise_xor_(lsr(x, 30)).mul_(as_i64(0xBF58476D1CE4E5B9ULL));
  x.bitwise_xor_(lsr(x, 27)).mul_(as_i64(0x94D049BB133111EBULL));
  x.bitwise_xor_(lsr(x, 31));
  return x;
}

// ---- device names -----------------------------------------------------------

// cuda_device_name asks the CUDA driver (already loaded by libtorch) for the
// marketing name of GPU ordinal i; "" when it cannot.
std::string cuda_device_name(int i) {
  void* h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
  if (h == nullptr) return "";
  using get_t = int (*)(int*, int);
  using name_t = int (*)(char*, int, int);
  using ver_t = int (*)(int*);
  auto get = reinterpret_cast<get_t>(dlsym(h, "cuDeviceGet"));
  auto name = reinterpret_cast<name_t>(dlsym(h, "cuDeviceGetName"));
  auto ver = reinterpret_cast<ver_t>(dlsym(h, "cuDriverGetVersion"));
  std::string out;
  int dev = 0;
  char buf[256] = {0};
  if (get != nullptr && name != nullptr && get(&dev, i) == 0 && name(buf, sizeof buf, dev) == 0) {
    out = buf;
  }
  int v = 0;
  if (ver != nullptr && ver(&v) == 0 && v > 0) {
    out += " (driver CUDA " + std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10) + ")";
  }
  dlclose(h);
  return out;
}

bool env_on(const char* name) {
  const char* v = getenv(name);
  return v != nullptr && v[0] != 0 && strcmp(v, "0") != 0;
}

}  // namespace

#define GHL_TRY      \
  try {              \
    adopt_threads(); \
    at::NoGradGuard no_grad_;
#define GHL_CATCH                                              \
  return GHL_OK;                                               \
  }                                                            \
  catch (const c10::Error& e) {                                \
    return fail(err, e.what_without_backtrace());              \
  }                                                            \
  catch (const std::exception& e) {                            \
    return fail(err, e.what());                                \
  }                                                            \
  catch (...) {                                                \
    return fail(err, "unknown C++ exception inside libtorch"); \
  }

extern "C" {

// ---- library, device, threads ---------------------------------------------------

int ghl_abi_version(int64_t* out, char** err) {
  GHL_TRY
  TORCH_CHECK(out != nullptr, "out is NULL");
  *out = GHL_SHIM_ABI;
  GHL_CATCH
}

int ghl_free_error(char* msg) {
  free(msg);
  return GHL_OK;
}

int ghl_version(char* buf, int64_t cap, char** err) {
  GHL_TRY
  std::string s = std::string("libtorch ") + TORCH_VERSION;
  if (torch::cuda::is_available()) {
    s += "; CUDA available (" + std::to_string(torch::cuda::device_count()) + " devices" +
         (torch::cuda::cudnn_is_available() ? ", cuDNN" : "") + ")";
  } else {
    s += "; CUDA unavailable";
  }
  if (at::get_parallel_info().find("backend: OpenMP") != std::string::npos) s += "; OpenMP";
  put_string(buf, cap, s);
  GHL_CATCH
}

int ghl_device_open(const char* spec, ghl_device** out, char** err) {
  GHL_TRY
  TORCH_CHECK(out != nullptr, "out is NULL");
  std::string s = spec == nullptr ? "" : spec;
  if (s.empty()) s = torch::cuda::is_available() ? "cuda:0" : "cpu";
  if (s == "cuda") s = "cuda:0";
  if (s != "cpu") {
    TORCH_CHECK(s.rfind("cuda:", 0) == 0, "unknown torch device \"", s,
                "\": use cpu, cuda or cuda:N");
    TORCH_CHECK(torch::cuda::is_available(), "device ", s, " needs CUDA, but this libtorch (",
                TORCH_VERSION, ") sees no CUDA device (CPU-only build, no GPU, or no driver): use torch:cpu");
    char* end = nullptr;
    long idx = strtol(s.c_str() + 5, &end, 10);
    TORCH_CHECK(end != nullptr && *end == 0 && end != s.c_str() + 5 && idx >= 0,
                "bad CUDA device \"", s, "\": use cuda:N");
    TORCH_CHECK(static_cast<size_t>(idx) < torch::cuda::device_count(), "device ", s,
                " does not exist: ", torch::cuda::device_count(), " CUDA device(s) visible");
    bool tf32 = env_on("GHLSIM_TORCH_TF32");
    at::globalContext().setAllowTF32CuDNN(tf32);
    at::globalContext().setAllowTF32CuBLAS(tf32);
    // Benchmark among deterministic algorithms only: the same inputs give
    // bit-identical results run after run (backendtest's determinism check).
    at::globalContext().setDeterministicCuDNN(!env_on("GHLSIM_TORCH_NONDETERMINISTIC"));
    at::globalContext().setBenchmarkCuDNN(true);
  }
  *out = new ghl_device{at::Device(s), s};
  GHL_CATCH
}

int ghl_device_close(ghl_device* d, char** err) {
  GHL_TRY
  delete d;
  GHL_CATCH
}

int ghl_device_name(ghl_device* d, char* buf, int64_t cap, char** err) {
  GHL_TRY
  TORCH_CHECK(d != nullptr, "device is NULL");
  put_string(buf, cap, d->name);
  GHL_CATCH
}

int ghl_device_describe(ghl_device* d, char* buf, int64_t cap, char** err) {
  GHL_TRY
  TORCH_CHECK(d != nullptr, "device is NULL");
  std::string s = std::string("libtorch ") + TORCH_VERSION + " " + d->name;
  if (d->dev.is_cuda()) {
    std::string n = cuda_device_name(d->dev.index());
    if (!n.empty()) s += ": " + n;
    s += torch::cuda::cudnn_is_available() ? ", cuDNN" : ", no cuDNN";
    s += env_on("GHLSIM_TORCH_TF32") ? ", TF32 on" : ", TF32 off";
  } else {
    s += ": " + std::to_string(at::get_num_threads()) + " threads";
  }
  put_string(buf, cap, s);
  GHL_CATCH
}

int ghl_device_sync(ghl_device* d, char** err) {
  GHL_TRY
  TORCH_CHECK(d != nullptr, "device is NULL");
  if (d->dev.is_cuda()) torch::cuda::synchronize(d->dev.index());
  GHL_CATCH
}

int ghl_set_num_threads(int64_t n, char** err) {
  GHL_TRY
  TORCH_CHECK(n >= 1, "thread count ", n, " must be >= 1");
  g_threads.store(n, std::memory_order_release);
  g_thread_gen.fetch_add(1, std::memory_order_acq_rel);
  at::set_num_threads(static_cast<int>(n));
  t_thread_gen = g_thread_gen.load(std::memory_order_acquire);
  GHL_CATCH
}

int ghl_get_num_threads(int64_t* out, char** err) {
  GHL_TRY
  TORCH_CHECK(out != nullptr, "out is NULL");
  *out = at::get_num_threads();
  GHL_CATCH
}

// ---- tensors ------------------------------------------------------------------------

int ghl_tensor_alloc(ghl_device* d, const int64_t* shape, int64_t ndim, int64_t dtype,
                     ghl_tensor** out, char** err) {
  GHL_TRY
  TORCH_CHECK(d != nullptr && out != nullptr && shape != nullptr, "NULL argument");
  TORCH_CHECK(ndim >= 1 && ndim <= 8, "rank ", ndim, " not in 1..8");
  TORCH_CHECK(dtype == GHL_F32 || dtype == GHL_I64, "unknown dtype ", dtype);
  std::vector<int64_t> s(shape, shape + ndim);
  auto opts = at::TensorOptions().device(d->dev).dtype(dtype == GHL_F32 ? at::kFloat : at::kLong);
  *out = new ghl_tensor{at::zeros(s, opts)};
  GHL_CATCH
}

int ghl_tensor_free(ghl_tensor* t, char** err) {
  GHL_TRY
  delete t;
  GHL_CATCH
}

int ghl_tensor_view(ghl_tensor* t, const int64_t* shape, int64_t ndim, ghl_tensor** out,
                    char** err) {
  GHL_TRY
  TORCH_CHECK(out != nullptr && shape != nullptr, "NULL argument");
  TORCH_CHECK(ndim >= 1 && ndim <= 8, "rank ", ndim, " not in 1..8");
  std::vector<int64_t> s(shape, shape + ndim);
  *out = new ghl_tensor{T(t, "tensor").view(s)};
  GHL_CATCH
}

int ghl_tensor_upload(ghl_tensor* dst, const float* src, int64_t n, char** err) {
  GHL_TRY
  auto& d = T(dst, "dst");
  TORCH_CHECK(d.numel() == n, "upload of ", n, " values into a tensor of ", d.sizes());
  TORCH_CHECK(src != nullptr || n == 0, "src is NULL");
  auto host = at::from_blob(const_cast<float*>(src), {n}, at::TensorOptions().dtype(at::kFloat));
  flat(d).copy_(host);
  GHL_CATCH
}

int ghl_tensor_download(float* dst, ghl_tensor* src, int64_t n, char** err) {
  GHL_TRY
  auto& s = T(src, "src");
  TORCH_CHECK(s.numel() == n, "download of a tensor of ", s.sizes(), " into ", n, " values");
  TORCH_CHECK(dst != nullptr || n == 0, "dst is NULL");
  auto host = at::from_blob(dst, {n}, at::TensorOptions().dtype(at::kFloat));
  host.copy_(flat(s));
  GHL_CATCH
}

// ---- elementwise and reductions -------------------------------------------------------

int ghl_fill(ghl_tensor* dst, const float* v, char** err) {
  GHL_TRY
  T(dst, "dst").fill_(static_cast<double>(v[0]));
  GHL_CATCH
}

int ghl_copy(ghl_tensor* dst, ghl_tensor* src, char** err) {
  GHL_TRY
  auto &d = T(dst, "dst"), &s = T(src, "src");
  same_numel(d, s, "copy");
  flat(d).copy_(flat(s));
  GHL_CATCH
}

int ghl_add(ghl_tensor* dst, ghl_tensor* a, ghl_tensor* b, char** err) {
  GHL_TRY
  auto &d = T(dst, "dst"), &x = T(a, "a"), &y = T(b, "b");
  same_numel(d, x, "add");
  same_numel(d, y, "add");
  auto o = flat(d);
  at::add_out(o, flat(x), flat(y));
  GHL_CATCH
}

int ghl_mul(ghl_tensor* dst, ghl_tensor* a, ghl_tensor* b, char** err) {
  GHL_TRY
  auto &d = T(dst, "dst"), &x = T(a, "a"), &y = T(b, "b");
  same_numel(d, x, "mul");
  same_numel(d, y, "mul");
  auto o = flat(d);
  at::mul_out(o, flat(x), flat(y));
  GHL_CATCH
}

int ghl_axpy(ghl_tensor* y, const float* a, ghl_tensor* x, char** err) {
  GHL_TRY
  auto &yy = T(y, "y"), &xx = T(x, "x");
  same_numel(yy, xx, "axpy");
  flat(yy).add_(flat(xx), static_cast<double>(a[0]));
  GHL_CATCH
}

int ghl_sign(ghl_tensor* dst, ghl_tensor* src, char** err) {
  GHL_TRY
  auto &d = T(dst, "dst"), &s = T(src, "src");
  same_numel(d, s, "sign");
  auto o = flat(d);
  at::sign_out(o, flat(s));
  GHL_CATCH
}

int ghl_maxabs(ghl_tensor* t, float* out, char** err) {
  GHL_TRY
  *out = maxabs_of(T(t, "t"));
  GHL_CATCH
}

// ---- convolution and dense ---------------------------------------------------------

int ghl_conv2d(ghl_tensor* y, ghl_tensor* x, ghl_tensor* w, ghl_tensor* bias, const int64_t* cp,
               char** err) {
  GHL_TRY
  Conv c = conv_params(cp);
  at::Tensor xin;
  int64_t pad;
  std::tie(xin, pad) = conv_input(T(x, "x"), c);
  auto r = at::convolution(xin, T(w, "w"), opt(bias), {c.stride, c.stride}, {pad, pad}, {1, 1},
                           false, {0, 0}, 1);
  assign(T(y, "y"), r, "conv2d");
  GHL_CATCH
}

int ghl_conv2d_backward_data(ghl_tensor* dx, ghl_tensor* dy, ghl_tensor* w, const int64_t* cp,
                             char** err) {
  GHL_TRY
  Conv c = conv_params(cp);
  auto &gx = T(dx, "dx"), &g = T(dy, "dy"), &ww = T(w, "w");
  TORCH_CHECK(gx.dim() == 4, "conv2d backward: dx must be 4-d, got ", gx.sizes());
  bool refl = c.reflect && c.pad > 0;
  int64_t pad = refl ? 0 : c.pad;
  // The input argument only provides the shape of the gradient.
  auto shape_in = refl ? at::empty({gx.size(0), gx.size(1), gx.size(2) + 2 * c.pad,
                                    gx.size(3) + 2 * c.pad},
                                   gx.options())
                       : gx;
  std::vector<int64_t> s{c.stride, c.stride}, p{pad, pad}, d{1, 1}, op{0, 0};
  auto r = at::convolution_backward(g, shape_in, ww, at::OptionalIntArrayRef(), s, p, d, false, op,
                                    1, {true, false, false});
  auto gi = std::get<0>(r);
  if (refl) gi = at::reflection_pad2d_backward(gi, gx, {c.pad, c.pad, c.pad, c.pad});
  assign(gx, gi, "conv2d backward data");
  GHL_CATCH
}

int ghl_conv2d_backward_weight(ghl_tensor* dw, ghl_tensor* dbias, ghl_tensor* x, ghl_tensor* dy,
                               const int64_t* cp, char** err) {
  GHL_TRY
  Conv c = conv_params(cp);
  auto &gw = T(dw, "dw"), &g = T(dy, "dy");
  TORCH_CHECK(gw.dim() == 4, "conv2d backward: dw must be 4-d, got ", gw.sizes());
  assign(gw, weight_grad(T(x, "x"), g, gw.size(2), gw.size(3), c), "conv2d backward weight");
  if (dbias != nullptr) assign(T(dbias, "dbias"), g.sum({0, 2, 3}), "conv2d backward bias");
  GHL_CATCH
}

int ghl_linear(ghl_tensor* y, ghl_tensor* x, ghl_tensor* w, ghl_tensor* bias, char** err) {
  GHL_TRY
  auto &yy = T(y, "y"), &xx = T(x, "x"), &ww = T(w, "w");
  TORCH_CHECK(xx.dim() == 2 && ww.dim() == 2 && yy.dim() == 2 && xx.size(1) == ww.size(1) &&
                  yy.size(0) == xx.size(0) && yy.size(1) == ww.size(0),
              "linear: x ", xx.sizes(), ", w ", ww.sizes(), ", y ", yy.sizes(), " do not fit");
  if (bias != nullptr) {
    auto& b = T(bias, "bias");
    TORCH_CHECK(b.dim() == 1 && b.size(0) == ww.size(0), "linear: bias ", b.sizes());
    at::addmm_out(yy, b.unsqueeze(0), xx, ww.t());
  } else {
    at::mm_out(yy, xx, ww.t());
  }
  GHL_CATCH
}

int ghl_linear_backward_data(ghl_tensor* dx, ghl_tensor* dy, ghl_tensor* w, char** err) {
  GHL_TRY
  auto &gx = T(dx, "dx"), &g = T(dy, "dy"), &ww = T(w, "w");
  TORCH_CHECK(gx.dim() == 2 && g.dim() == 2 && ww.dim() == 2 && g.size(1) == ww.size(0) &&
                  gx.size(0) == g.size(0) && gx.size(1) == ww.size(1),
              "linear backward data: dx ", gx.sizes(), ", dy ", g.sizes(), ", w ", ww.sizes());
  at::mm_out(gx, g, ww);
  GHL_CATCH
}

int ghl_linear_backward_weight(ghl_tensor* dw, ghl_tensor* dbias, ghl_tensor* x, ghl_tensor* dy,
                               char** err) {
  GHL_TRY
  auto &gw = T(dw, "dw"), &xx = T(x, "x"), &g = T(dy, "dy");
  TORCH_CHECK(gw.dim() == 2 && g.dim() == 2 && xx.dim() == 2 && g.size(0) == xx.size(0) &&
                  gw.size(0) == g.size(1) && gw.size(1) == xx.size(1),
              "linear backward weight: dw ", gw.sizes(), ", x ", xx.sizes(), ", dy ", g.sizes());
  at::mm_out(gw, g.t(), xx);
  if (dbias != nullptr) assign(T(dbias, "dbias"), g.sum(0), "linear backward bias");
  GHL_CATCH
}

// ---- pooling -----------------------------------------------------------------------------

int ghl_maxpool2d(ghl_tensor* y, ghl_tensor* idx, ghl_tensor* x, const int64_t* pp, char** err) {
  GHL_TRY
  auto r = at::max_pool2d_with_indices(T(x, "x"), {pp[0], pp[0]}, {pp[1], pp[1]}, {pp[2], pp[2]},
                                       {1, 1}, false);
  assign(T(y, "y"), std::get<0>(r), "maxpool2d");
  assign(T(idx, "indices"), std::get<1>(r), "maxpool2d indices");
  GHL_CATCH
}

int ghl_maxpool2d_backward(ghl_tensor* dx, ghl_tensor* dy, ghl_tensor* idx, const int64_t* pp,
                           char** err) {
  GHL_TRY
  auto& gx = T(dx, "dx");
  // dx is passed as the forward input only for its shape.
  auto r = at::max_pool2d_with_indices_backward(T(dy, "dy"), gx, {pp[0], pp[0]}, {pp[1], pp[1]},
                                                {pp[2], pp[2]}, {1, 1}, false, T(idx, "indices"));
  assign(gx, r, "maxpool2d backward");
  GHL_CATCH
}

int ghl_avgpool2d(ghl_tensor* y, ghl_tensor* x, const int64_t* pp, char** err) {
  GHL_TRY
  auto r = at::avg_pool2d(T(x, "x"), {pp[0], pp[0]}, {pp[1], pp[1]}, {pp[2], pp[2]}, false, true,
                          c10::optional<int64_t>());
  assign(T(y, "y"), r, "avgpool2d");
  GHL_CATCH
}

int ghl_avgpool2d_backward(ghl_tensor* dx, ghl_tensor* dy, const int64_t* pp, char** err) {
  GHL_TRY
  auto& gx = T(dx, "dx");
  auto r = at::avg_pool2d_backward(T(dy, "dy"), gx, {pp[0], pp[0]}, {pp[1], pp[1]},
                                   {pp[2], pp[2]}, false, true, c10::optional<int64_t>());
  assign(gx, r, "avgpool2d backward");
  GHL_CATCH
}

// ---- batch normalisation -----------------------------------------------------------------

int ghl_batchnorm(ghl_tensor* y, ghl_tensor* x, ghl_tensor* gamma, ghl_tensor* beta,
                  ghl_tensor* rmean, ghl_tensor* rvar, ghl_tensor* smean, ghl_tensor* sinvstd,
                  const float* s, int64_t training, char** err) {
  GHL_TRY
  auto &rm = T(rmean, "running mean"), &rv = T(rvar, "running var");
  auto r = at::native_batch_norm(T(x, "x"), opt(gamma), opt(beta), rm, rv, training != 0,
                                 static_cast<double>(s[1]), static_cast<double>(s[0]));
  assign(T(y, "y"), std::get<0>(r), "batchnorm");
  if (training != 0) {
    assign(T(smean, "saved mean"), std::get<1>(r), "batchnorm saved mean");
    assign(T(sinvstd, "saved inv std"), std::get<2>(r), "batchnorm saved inv std");
  }
  GHL_CATCH
}

int ghl_batchnorm_backward(ghl_tensor* dx, ghl_tensor* dgamma, ghl_tensor* dbeta, ghl_tensor* dy,
                           ghl_tensor* x, ghl_tensor* gamma, ghl_tensor* rmean, ghl_tensor* rvar,
                           ghl_tensor* smean, ghl_tensor* sinvstd, const float* s, char** err) {
  GHL_TRY
  bool affine = gamma != nullptr;
  auto r = at::native_batch_norm_backward(T(dy, "dy"), T(x, "x"), opt(gamma), opt(rmean),
                                          opt(rvar), T(smean, "saved mean"),
                                          T(sinvstd, "saved inv std"), true,
                                          static_cast<double>(s[0]), {true, affine, affine});
  assign(T(dx, "dx"), std::get<0>(r), "batchnorm backward");
  if (affine) {
    if (dgamma != nullptr) assign(T(dgamma, "dgamma"), std::get<1>(r), "batchnorm dgamma");
    if (dbeta != nullptr) assign(T(dbeta, "dbeta"), std::get<2>(r), "batchnorm dbeta");
  }
  GHL_CATCH
}

// ---- activations, dropout, loss ----------------------------------------------------------

int ghl_activation(ghl_tensor* y, ghl_tensor* x, int64_t kind, const float* s, char** err) {
  GHL_TRY
  auto &yy = T(y, "y"), &xx = T(x, "x");
  switch (kind) {
    case 0:
      same_numel(yy, xx, "identity");
      flat(yy).copy_(flat(xx));
      break;
    case 1: {
      assign(yy, at::relu(xx), "relu");
      break;
    }
    case 2: {
      double power = s[0] == 0 ? 1.0 : static_cast<double>(s[0]);
      auto t = at::relu(xx - xx.mean(1, true));
      if (power != 1.0) t = t.pow(power);
      assign(yy, t, "triangle");
      break;
    }
    default:
      TORCH_CHECK(false, "unknown activation kind ", kind);
  }
  GHL_CATCH
}

int ghl_activation_backward(ghl_tensor* dx, ghl_tensor* dy, ghl_tensor* x, int64_t kind,
                            const float* s, char** err) {
  GHL_TRY
  auto &gx = T(dx, "dx"), &g = T(dy, "dy"), &xx = T(x, "x");
  switch (kind) {
    case 0:
      same_numel(gx, g, "identity backward");
      flat(gx).copy_(flat(g));
      break;
    case 1:
      assign(gx, at::threshold_backward(g, xx, 0), "relu backward");
      break;
    case 2: {
      double power = s[0] == 0 ? 1.0 : static_cast<double>(s[0]);
      auto t = xx - xx.mean(1, true);
      auto pos = t.gt(0);
      at::Tensor d;
      if (power == 1.0) {
        d = g * pos;
      } else {
        d = at::where(pos, g * (t.clamp_min(0).pow(power - 1.0) * power), at::zeros_like(g));
      }
      assign(gx, d - d.mean(1, true), "triangle backward");
      break;
    }
    default:
      TORCH_CHECK(false, "unknown activation kind ", kind);
  }
  GHL_CATCH
}

int ghl_dropout(ghl_tensor* y, ghl_tensor* mask, ghl_tensor* x, const float* s, uint64_t seed,
                char** err) {
  GHL_TRY
  auto &yy = T(y, "y"), &mm = T(mask, "mask"), &xx = T(x, "x");
  same_numel(yy, xx, "dropout");
  same_numel(mm, xx, "dropout mask");
  float rate = s[0];
  TORCH_CHECK(rate >= 0 && rate <= 1, "dropout rate ", rate, " not in [0, 1]");
  int64_t n = xx.numel();
  auto z = at::arange(n, xx.options().dtype(at::kLong));
  z.mul_(as_i64(0xD1B54A32D192ED03ULL)).bitwise_xor_(as_i64(seed));
  z = splitmix64(z);
  // u = float32(r >> 40) · 2^-24 is exact, and so is the comparison.
  auto u = lsr(z, 40).to(at::kFloat).mul_(1.0 / 16777216.0);
  auto keep = u.ge(static_cast<double>(rate));
  auto fm = flat(mm);
  if (rate >= 1.0f) {
    fm.zero_();
  } else {
    float scale = 1.0f / (1.0f - rate);
    fm.copy_(keep).mul_(static_cast<double>(scale));
  }
  auto o = flat(yy);
  at::mul_out(o, flat(xx), fm);
  GHL_CATCH
}

int ghl_softmax_xent(ghl_tensor* dlogits, ghl_tensor* logits, const int32_t* labels, int64_t n,
                     double* loss, int64_t* correct, char** err) {
  GHL_TRY
  auto& z = T(logits, "logits");
  TORCH_CHECK(z.dim() == 2 && z.size(0) == n, "softmax cross-entropy: logits ", z.sizes(),
              " for ", n, " labels");
  TORCH_CHECK(labels != nullptr && loss != nullptr && correct != nullptr, "NULL argument");
  auto host = at::from_blob(const_cast<int32_t*>(labels), {n}, at::TensorOptions().dtype(at::kInt));
  auto cls = z.size(1);
  TORCH_CHECK(host.min().item<int32_t>() >= 0 && host.max().item<int32_t>() < cls,
              "softmax cross-entropy: labels must be in [0, ", cls, ")");
  auto lab = host.to(z.device(), at::kLong).unsqueeze(1);
  auto lsm = at::log_softmax(z, 1);
  auto l = lsm.gather(1, lab).to(at::kDouble).sum().neg().div(static_cast<double>(n));
  auto c = z.argmax(1, true).eq(lab).sum().to(at::kDouble);
  if (dlogits != nullptr) {
    auto d = lsm.exp();
    d.scatter_add_(1, lab, at::full({n, 1}, -1.0, d.options()));
    d.div_(static_cast<double>(n));
    assign(T(dlogits, "dlogits"), d, "softmax cross-entropy gradient");
  }
  auto res = at::stack({l, c}).cpu();
  *loss = res[0].item<double>();
  *correct = static_cast<int64_t>(res[1].item<double>());
  GHL_CATCH
}

// ---- plasticity and optimisers -----------------------------------------------------------

int ghl_oja_swta(ghl_tensor* h, ghl_tensor* x, ghl_tensor* yg, ghl_tensor* u, ghl_tensor* w,
                 const float* s, int64_t anti, const int64_t* cp, float* maxabs, char** err) {
  GHL_TRY
  auto &hh = T(h, "h"), &xx = T(x, "x"), &uu = T(u, "u"), &ww = T(w, "w");
  auto y = competition(yg, uu, s[0], anti != 0);
  at::Tensor a;
  if (ww.dim() == 4) {
    a = weight_grad(xx, y, ww.size(2), ww.size(3), conv_params(cp));
  } else {
    TORCH_CHECK(ww.dim() == 2, "oja: w must be 2-d or 4-d, got ", ww.sizes());
    a = at::mm(y.t(), xx);
  }
  auto H = oja(a, y, uu, ww);
  assign(hh, H, "oja-swta");
  *maxabs = maxabs_of(hh);
  GHL_CATCH
}

int ghl_backward_weight_hebb(ghl_tensor* dw, ghl_tensor* dbias, ghl_tensor* h, ghl_tensor* x,
                             ghl_tensor* yg, ghl_tensor* dy, ghl_tensor* u, ghl_tensor* w,
                             const float* s, int64_t anti, const int64_t* cp, float* maxabs,
                             char** err) {
  GHL_TRY
  auto &gw = T(dw, "dw"), &hh = T(h, "h"), &xx = T(x, "x"), &g = T(dy, "dy"),
             &uu = T(u, "u"), &ww = T(w, "w");
  auto y = competition(yg, uu, s[0], anti != 0);
  int64_t k = ww.size(0);
  at::Tensor gradw, a;
  if (ww.dim() == 4 && !xx.is_cuda()) {
    // Two weight-gradient passes: on the CPU, ATen's convolution_backward
    // over the stacked [δ; y] (2K channels) is slower than two K-channel
    // passes — DeepHebb width 1, batch 64, one thread: 150.7 vs 15.9 ms
    // (3→96, 5×5, 32×32), 248.7 vs 130.5 ms (96→384), 962.6 vs 782.7 ms
    // (384→1536).
    auto c = conv_params(cp);
    gradw = weight_grad(xx, g, ww.size(2), ww.size(3), c);
    a = weight_grad(xx, y, ww.size(2), ww.size(3), c);
  } else {
    auto both = at::cat({g, y}, 1);  // [B, 2K, ...]: one pass over the patches
    at::Tensor ab;
    if (ww.dim() == 4) {
      ab = weight_grad(xx, both, ww.size(2), ww.size(3), conv_params(cp));
    } else {
      TORCH_CHECK(ww.dim() == 2, "hebb fuser: w must be 2-d or 4-d, got ", ww.sizes());
      ab = at::mm(both.t(), xx);
    }
    gradw = ab.narrow(0, 0, k);
    a = ab.narrow(0, k, k);
  }
  assign(gw, gradw, "backward weight");
  if (dbias != nullptr) {
    auto gb = ww.dim() == 4 ? g.sum({0, 2, 3}) : g.sum(0);
    assign(T(dbias, "dbias"), gb, "backward bias");
  }
  assign(hh, oja(a, y, uu, ww), "oja-swta");
  *maxabs = maxabs_of(hh);
  GHL_CATCH
}

int ghl_modulated_update(ghl_tensor* w, ghl_tensor* e, ghl_tensor* m, const float* s, char** err) {
  GHL_TRY
  auto &ww = T(w, "w"), &ee = T(e, "e"), &mm = T(m, "m");
  same_numel(ww, ee, "modulated update");
  same_numel(ww, mm, "modulated update");
  auto fw = flat(ww);
  auto step = flat(ee).abs().mul_(static_cast<double>(s[0])).mul_(flat(mm));
  if (s[2] != 0) step.add_(fw, static_cast<double>(s[2]));
  fw.sub_(step, static_cast<double>(s[1]));
  GHL_CATCH
}

int ghl_sgd(ghl_tensor* w, ghl_tensor* g, ghl_tensor* vel, const float* s, char** err) {
  GHL_TRY
  auto &ww = T(w, "w"), &gg = T(g, "g");
  same_numel(ww, gg, "sgd");
  double lr = s[0], momentum = s[1], wd = s[2];
  auto fw = flat(ww);
  at::Tensor d = flat(gg);
  if (wd != 0) d = d.add(fw, wd);
  if (momentum != 0) {
    auto& v = T(vel, "velocity");
    same_numel(ww, v, "sgd velocity");
    auto fv = flat(v);
    fv.mul_(momentum).add_(d);
    d = fv;
  }
  fw.sub_(d, lr);
  GHL_CATCH
}

int ghl_adam(ghl_tensor* w, ghl_tensor* g, ghl_tensor* m, ghl_tensor* v, const float* s,
             int64_t step, char** err) {
  GHL_TRY
  auto &ww = T(w, "w"), &gg = T(g, "g"), &mm = T(m, "m"), &vv = T(v, "v");
  same_numel(ww, gg, "adam");
  same_numel(ww, mm, "adam");
  same_numel(ww, vv, "adam");
  TORCH_CHECK(step >= 1, "adam step ", step, " must be >= 1");
  double lr = s[0], b1 = s[1], b2 = s[2], eps = s[3], wd = s[4];
  auto fw = flat(ww), fm = flat(mm), fv = flat(vv);
  at::Tensor d = flat(gg);
  if (wd != 0) d = d.add(fw, wd);
  fm.mul_(b1).add_(d, 1 - b1);
  fv.mul_(b2).addcmul_(d, d, 1 - b2);
  double bc1 = 1 - std::pow(b1, static_cast<double>(step));
  double bc2 = 1 - std::pow(b2, static_cast<double>(step));
  auto denom = (fv.sqrt() / std::sqrt(bc2)).add_(eps);
  fw.addcdiv_(fm, denom, -lr / bc1);
  GHL_CATCH
}

}  // extern "C"
