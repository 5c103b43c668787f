#!/bin/sh
# build.sh — compiles libghl_shim.so, the C shim the Go "torch" backend loads
# at run time, against whichever libtorch it finds.
#
#   sh backends/torch/shim/build.sh [OUTPUT]      (or: make -C backends/torch shim)
#
# Output: OUTPUT, else $GHLSIM_SHIM, else backends/torch/shim/build/libghl_shim.so.
#
# libtorch is looked for in this order:
#   1. $LIBTORCH: a directory with include/ and lib/ (the libtorch zip from
#      pytorch.org, or a pip torch package directory); C++ ABI from
#      $GHLSIM_CXX11_ABI (default 1);
#   2. a pip PyTorch importable by ${PYTHON:-python3} (include/ and lib/ beside
#      torch/__init__.py; C++ ABI and CUDA from torch itself);
#   3. Debian's libtorch-dev (apt-get install libtorch-dev: headers under
#      /usr/include, libraries in /usr/lib/<multiarch>).
# When that libtorch has CUDA (lib/libtorch_cuda.so) the shim links it too, so
# torch:cuda:N works. Needs a C++17 compiler: $CXX, default g++.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${GHLSIM_SHIM:-$here/build/libghl_shim.so}}
cxx=${CXX:-g++}
py=${PYTHON:-python3}

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "build.sh: no C++ compiler '$cxx': apt-get install g++ (or set CXX)" >&2
  exit 1
fi

if [ -n "${LIBTORCH:-}" ]; then
  src="LIBTORCH=$LIBTORCH"
  inc="$LIBTORCH/include"
  lib="$LIBTORCH/lib"
  abi=${GHLSIM_CXX11_ABI:-1}
elif "$py" -c 'import torch' >/dev/null 2>&1; then
  root=$("$py" -c 'import os, torch; print(os.path.dirname(torch.__file__))')
  src="pip PyTorch $("$py" -c 'import torch; print(torch.__version__)') at $root"
  inc="$root/include"
  lib="$root/lib"
  abi=$("$py" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
elif [ -f /usr/include/torch/csrc/api/include/torch/version.h ]; then
  arch=$("$cxx" -print-multiarch 2>/dev/null || true)
  src="Debian libtorch-dev"
  inc=/usr/include
  lib=/usr/lib/${arch:-x86_64-linux-gnu}
  abi=1
else
  cat >&2 <<'MSG'
build.sh: libtorch not found. Install one of:
  - Debian/Ubuntu: apt-get install libtorch-dev
  - pip:           pip install torch   (CUDA builds give torch:cuda:N)
  - or set LIBTORCH to an unpacked libtorch directory (include/ and lib/)
MSG
  exit 1
fi

if [ ! -f "$inc/torch/csrc/api/include/torch/version.h" ] || [ ! -e "$lib/libtorch.so" ]; then
  echo "build.sh: $src lacks headers ($inc) or libtorch.so ($lib)" >&2
  exit 1
fi

cuda_libs=""
kind="CPU"
if [ -e "$lib/libtorch_cuda.so" ]; then
  # --no-as-needed: nothing references libtorch_cuda directly, but loading it
  # registers the CUDA kernels and hooks.
  cuda_libs="-Wl,--no-as-needed -ltorch_cuda -lc10_cuda -Wl,--as-needed"
  kind="CUDA"
fi

# Data parallelism (ghl_dist.cpp): ProcessGroupGloo needs the gloo headers
# (pip PyTorch ships them in include/; Debian: apt-get install libgloo-dev),
# ProcessGroupNCCL a CUDA libtorch plus nccl.h and the CUDA runtime headers
# ($NCCL_INCLUDE, $CUDA_HOME/include, or pip's nvidia/*/include). Missing
# headers only disable that backend: ghl_dist_init then says what to install.
dist_flags=""
dist_kind=""
if [ -f "$inc/gloo/algorithm.h" ] || [ -f /usr/include/gloo/algorithm.h ]; then
  dist_flags="-DGHL_HAVE_GLOO -DUSE_C10D_GLOO"
  dist_kind="gloo"
fi
if [ "$kind" = "CUDA" ] && [ -f "$inc/torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp" ]; then
  nccl_inc=""
  for d in ${NCCL_INCLUDE:-} "$inc" /usr/include ${CUDA_HOME:+"$CUDA_HOME/include"} /usr/local/cuda/include \
           ${root:+"$root/../nvidia/nccl/include"}; do
    if [ -n "$d" ] && [ -f "$d/nccl.h" ]; then nccl_inc="$d"; break; fi
  done
  cuda_inc=""
  for d in ${CUDA_HOME:+"$CUDA_HOME/include"} /usr/local/cuda/include /usr/include \
           ${root:+"$root/../nvidia/cuda_runtime/include"}; do
    if [ -n "$d" ] && [ -f "$d/cuda_runtime_api.h" ]; then cuda_inc="$d"; break; fi
  done
  if [ -n "$nccl_inc" ] && [ -n "$cuda_inc" ]; then
    dist_flags="$dist_flags -DGHL_HAVE_NCCL -DUSE_C10D_NCCL -I$nccl_inc -I$cuda_inc"
    dist_kind="${dist_kind:+$dist_kind,}nccl"
  else
    echo "build.sh: CUDA libtorch without nccl.h or cuda_runtime_api.h: building without ProcessGroupNCCL (set NCCL_INCLUDE / CUDA_HOME to enable it)" >&2
  fi
fi
if [ -z "$dist_kind" ]; then
  echo "build.sh: no gloo headers: data parallelism (ghl train --nproc) disabled; install them (Debian: apt-get install libgloo-dev) and rebuild to enable it" >&2
fi

mkdir -p "$(dirname "$out")"
echo "build.sh: compiling $out against $src ($kind, collectives: ${dist_kind:-none}, _GLIBCXX_USE_CXX11_ABI=$abi)" >&2
compile() {
  # shellcheck disable=SC2086
  "$cxx" -O2 -fPIC -shared -std=c++17 -D_GLIBCXX_USE_CXX11_ABI="$abi" \
    -Wno-deprecated-declarations $1 \
    -I"$inc" -I"$inc/torch/csrc/api/include" \
    "$here/ghl_shim.cpp" "$here/ghl_dist.cpp" -o "$out.tmp" \
    -L"$lib" -Wl,-rpath,"$lib" $cuda_libs -ltorch -ltorch_cpu -lc10 -ldl
}
if ! compile "$dist_flags"; then
  if [ -z "$dist_flags" ]; then
    exit 1
  fi
  # Headers that do not match this libtorch must not cost the whole backend.
  echo "build.sh: compiling with the $dist_kind collectives failed (headers that do not match this libtorch?); building without data parallelism" >&2
  compile ""
fi
mv -f "$out.tmp" "$out"
echo "build.sh: wrote $out" >&2
