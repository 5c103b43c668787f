// ghl_dist.cpp — data-parallel collectives of the C ABI in ghl_shim.h
// (the "data parallelism" section): torch.distributed's c10d TCPStore for the
// rendezvous, ProcessGroupGloo (CPU tensors over TCP; CUDA tensors are staged
// through host memory) and, when this libtorch and its headers have it,
// ProcessGroupNCCL (CUDA tensors on the device).
//
// build.sh compiles this file with -DGHL_HAVE_GLOO (and -DUSE_C10D_GLOO, which
// ProcessGroupGloo.hpp needs) when the gloo headers are installed (Debian:
// apt-get install libgloo-dev; pip PyTorch ships them), and with
// -DGHL_HAVE_NCCL (-DUSE_C10D_NCCL) when a CUDA libtorch, nccl.h and the CUDA
// runtime headers are all found. Without them every ghl_dist_* entry point
// still exists (the ABI does not change) and ghl_dist_init fails with a
// message that says what to install.
//
// The classes used here — TCPStore(host, TCPStoreOptions), the process
// groups' (store, rank, size, options) constructors, allreduce, barrier and
// Work::wait — have the same C++ signatures in libtorch 1.13 and 2.x. The
// process groups are held by their concrete types because in 2.x they derive
// from c10d::Backend rather than c10d::ProcessGroup.

#include "ghl_shim.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef GHL_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef GHL_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

// These two definitions must stay token-for-token identical to the ones in
// ghl_shim.cpp (one definition rule): handles cross between the two files.
struct ghl_device {
  at::Device dev;
  std::string name;
};

struct ghl_tensor {
  at::Tensor t;
};

struct ghl_dist {
  c10::intrusive_ptr<c10d::Store> store;
#ifdef GHL_HAVE_GLOO
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
#ifdef GHL_HAVE_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
  bool is_nccl = false;
  at::Device dev = at::Device(at::kCPU);  // NCCL's device (host buffers are staged there)
  int64_t rank = 0, world = 1;
};

namespace {

int dist_fail(char** err, const std::string& msg) {
  if (err != nullptr) *err = strdup(msg.c_str());
  return GHL_ERR;
}

void dist_put(char* buf, int64_t cap, const std::string& s) {
  if (buf == nullptr || cap <= 0) return;
  size_t n = s.size() < static_cast<size_t>(cap - 1) ? s.size() : static_cast<size_t>(cap - 1);
  memcpy(buf, s.data(), n);
  buf[n] = 0;
}

ghl_dist& D(ghl_dist* d) {
  TORCH_CHECK(d != nullptr, "process group is NULL (closed?)");
  return *d;
}

at::Tensor& DT(ghl_tensor* h, int64_t i) {
  TORCH_CHECK(h != nullptr && h->t.defined(), "tensor ", i, " is NULL or undefined");
  return h->t;
}

std::string features() {
  std::string s;
#ifdef GHL_HAVE_GLOO
  s += "gloo";
#endif
#ifdef GHL_HAVE_NCCL
  if (!s.empty()) s += ",";
  s += "nccl";
#endif
  return s;
}

bool loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// allreduce_one sums t (contiguous, on the group's kind of device) in place.
void allreduce_one(ghl_dist& d, at::Tensor& t) {
  std::vector<at::Tensor> v{t};
#ifdef GHL_HAVE_NCCL
  if (d.is_nccl) {
    d.nccl->allreduce(v)->wait();
    return;
  }
#endif
#ifdef GHL_HAVE_GLOO
  d.gloo->allreduce(v)->wait();
  return;
#endif
  TORCH_CHECK(false, "no process group");
}

// allreduce_staged sums t in place, moving it to where the group's
// collectives run (host memory for Gloo, the NCCL device for NCCL) and back.
void allreduce_staged(ghl_dist& d, at::Tensor& t) {
  at::Device want = d.is_nccl ? d.dev : at::Device(at::kCPU);
  if (t.device() == want) {
    allreduce_one(d, t);
    return;
  }
  auto c = t.to(want);
  allreduce_one(d, c);
  t.copy_(c);
}

// flat_cat concatenates flattened tensors (a view of the only one when n == 1).
at::Tensor flat_cat(const std::vector<at::Tensor>& ts) {
  if (ts.size() == 1) return ts[0].reshape({-1});
  std::vector<at::Tensor> f;
  f.reserve(ts.size());
  for (auto& t : ts) f.push_back(t.reshape({-1}));
  return at::cat(f);
}

std::vector<at::Tensor> gather(ghl_tensor* const* ts, int64_t n) {
  TORCH_CHECK(ts != nullptr && n >= 1, "no tensors to reduce");
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (int64_t i = 0; i < n; i++) {
    auto& t = DT(ts[i], i);
    TORCH_CHECK(t.scalar_type() == at::kFloat, "tensor ", i, " is not float32");
    TORCH_CHECK(t.is_contiguous(), "tensor ", i, " is not contiguous");
    TORCH_CHECK(out.empty() || t.device() == out[0].device(),
                "tensors to reduce together must be on one device");
    out.push_back(t);
  }
  return out;
}

// scatter_back copies the concatenation buf back into the tensors.
void scatter_back(const std::vector<at::Tensor>& ts, const at::Tensor& buf) {
  int64_t off = 0;
  for (auto& t : ts) {
    int64_t k = t.numel();
    t.view({-1}).copy_(buf.narrow(0, off, k));
    off += k;
  }
}

}  // namespace

#define DIST_TRY \
  try {          \
    at::NoGradGuard no_grad_;
#define DIST_CATCH                                                  \
  return GHL_OK;                                                    \
  }                                                                 \
  catch (const c10::Error& e) {                                     \
    return dist_fail(err, e.what_without_backtrace());              \
  }                                                                 \
  catch (const std::exception& e) {                                 \
    return dist_fail(err, e.what());                                \
  }                                                                 \
  catch (...) {                                                     \
    return dist_fail(err, "unknown C++ exception inside c10d");     \
  }

extern "C" {

int ghl_dist_features(char* buf, int64_t cap, char** err) {
  DIST_TRY
  dist_put(buf, cap, features());
  DIST_CATCH
}

int ghl_dist_init(const char* backend, const char* host, int64_t port, int64_t rank,
                  int64_t world, int64_t timeout_ms, ghl_device* dev, ghl_dist** out,
                  char** err) {
  DIST_TRY
  TORCH_CHECK(out != nullptr && backend != nullptr && host != nullptr, "NULL argument");
  TORCH_CHECK(world >= 1 && rank >= 0 && rank < world, "rank ", rank, " of world size ", world,
              " is impossible");
  TORCH_CHECK(port > 0 && port < 65536, "port ", port, " is not in 1..65535");
  TORCH_CHECK(timeout_ms > 0, "timeout must be positive");
  std::string be = backend, h = host;
  auto timeout = std::chrono::milliseconds(timeout_ms);
  std::string have = features();
  if (be != "gloo" && be != "nccl") {
    TORCH_CHECK(false, "unknown collective backend \"", be, "\": use gloo or nccl");
  }
  if (have.find(be) == std::string::npos) {
    if (be == "gloo") {
      TORCH_CHECK(false,
                  "this shim was built without the gloo headers, so it cannot create a "
                  "ProcessGroupGloo: install them (Debian: apt-get install libgloo-dev; a pip "
                  "PyTorch ships them) and rebuild with make -C backends/torch shim");
    }
    TORCH_CHECK(false,
                "this shim was built without NCCL (it needs a CUDA libtorch with "
                "ProcessGroupNCCL.hpp, nccl.h and the CUDA runtime headers; set CUDA_HOME or "
                "NCCL_INCLUDE and rebuild), or use --dist-backend gloo");
  }
  auto d = std::make_unique<ghl_dist>();
  d->rank = rank;
  d->world = world;
  c10d::TCPStoreOptions so;
  so.port = static_cast<std::uint16_t>(port);
  so.isServer = rank == 0;
  so.numWorkers = static_cast<std::size_t>(world);
  so.waitWorkers = true;
  so.timeout = timeout;
  d->store = c10::make_intrusive<c10d::TCPStore>(h, so);
  if (be == "nccl") {
#ifdef GHL_HAVE_NCCL
    TORCH_CHECK(dev != nullptr && dev->dev.is_cuda(), "the nccl backend needs a torch:cuda device");
    d->is_nccl = true;
    d->dev = dev->dev;
    auto opts = c10d::ProcessGroupNCCL::Options::create();
    opts->timeout = timeout;
    d->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(d->store, static_cast<int>(rank),
                                                          static_cast<int>(world), opts);
#endif
  } else {
#ifdef GHL_HAVE_GLOO
    (void)dev;
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    const char* ifname = getenv("GLOO_SOCKET_IFNAME");
    if (ifname != nullptr && ifname[0] != 0) {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    } else if (loopback(h)) {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    d->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(d->store, static_cast<int>(rank),
                                                          static_cast<int>(world), opts);
#endif
  }
  *out = d.release();
  DIST_CATCH
}

int ghl_dist_destroy(ghl_dist* d, char** err) {
  DIST_TRY
  delete d;
  DIST_CATCH
}

int ghl_dist_rank_size(ghl_dist* d, int64_t* rank, int64_t* size, char** err) {
  DIST_TRY
  TORCH_CHECK(rank != nullptr && size != nullptr, "NULL argument");
  *rank = D(d).rank;
  *size = D(d).world;
  DIST_CATCH
}

int ghl_dist_allreduce(ghl_dist* d, ghl_tensor* const* ts, int64_t n, char** err) {
  DIST_TRY
  auto& g = D(d);
  auto v = gather(ts, n);
  auto buf = flat_cat(v);
  allreduce_staged(g, buf);
  if (v.size() > 1) scatter_back(v, buf);
  DIST_CATCH
}

int ghl_dist_vote(ghl_dist* d, ghl_tensor* const* ts, int64_t n, char** err) {
  DIST_TRY
  auto& g = D(d);
  TORCH_CHECK(g.world <= 127, "majority vote sums int8 votes: at most 127 workers, not ",
              g.world);
  auto v = gather(ts, n);
  std::vector<at::Tensor> votes;
  votes.reserve(v.size());
  for (auto& t : v) votes.push_back(at::sign(t.reshape({-1})).to(at::kChar));
  auto buf = votes.size() == 1 ? votes[0] : at::cat(votes);
  allreduce_staged(g, buf);
  int64_t off = 0;
  for (auto& t : v) {
    int64_t k = t.numel();
    t.view({-1}).copy_(at::sign(buf.narrow(0, off, k)));  // int8 → float32 in copy_
    off += k;
  }
  DIST_CATCH
}

int ghl_dist_allreduce_host(ghl_dist* d, void* buf, int64_t n, int64_t dtype, char** err) {
  DIST_TRY
  auto& g = D(d);
  TORCH_CHECK(buf != nullptr || n == 0, "buffer is NULL");
  if (n == 0) return GHL_OK;
  at::ScalarType st;
  switch (dtype) {
    case GHL_F32: st = at::kFloat; break;
    case GHL_F64: st = at::kDouble; break;
    case GHL_I8:
      TORCH_CHECK(g.world <= 127, "int8 sums: at most 127 workers, not ", g.world);
      st = at::kChar;
      break;
    default: TORCH_CHECK(false, "host all-reduce: unknown dtype ", dtype);
  }
  auto t = at::from_blob(buf, {n}, at::TensorOptions().dtype(st));
  allreduce_staged(g, t);
  DIST_CATCH
}

int ghl_dist_barrier(ghl_dist* d, char** err) {
  DIST_TRY
  auto& g = D(d);
#ifdef GHL_HAVE_NCCL
  if (g.is_nccl) {
    g.nccl->barrier()->wait();
    return GHL_OK;
  }
#endif
#ifdef GHL_HAVE_GLOO
  g.gloo->barrier()->wait();
#else
  (void)g;
#endif
  DIST_CATCH
}

}  // extern "C"
