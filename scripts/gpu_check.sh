#!/usr/bin/env bash
# gpu_check.sh — checks the libtorch backend on a machine with an NVIDIA GPU
# and a pip PyTorch but NO Go toolchain: builds the shim there against that
# PyTorch, runs the prebuilt torch test binary (CUDA parity + conformance),
# benchmarks one GHL block step, and times one full-width DeepHebb GHL epoch
# with the prebuilt ghl binary. It prints a short table last and exits
# non-zero when a step failed.
#
# Prepare .device/ here, on a machine with Go, from the repository root:
#
#   mkdir -p .device
#   CGO_ENABLED=0 go test -c -o .device/torch.test ./backends/torch
#   CGO_ENABLED=0 go build -o .device/ghl ./cmd/ghl
#   cp /path/to/cifar10-jpeg.tar.gz .device/     # CIFAR-10 as an image folder
#                                                # archive (train/<class>/*.jpg,
#                                                # test/<class>/*.jpg)
#
# (.device/ is git-ignored; carry it with the tree.) Both binaries are static
# Go (no cgo) and load the shim at run time, so they run on any linux/amd64
# machine. Then, on the GPU machine:
#
#   bash scripts/gpu_check.sh
#
# Needs there: python3 with torch (CUDA build), g++ (C++17), bash, coreutils.
# Outputs go to $OUT when set (the device runner's folder), else .device/out.
# Per-step time limits (seconds) can be overridden: BUILD_S, TEST_S, BENCH_S,
# EPOCH_S. PYTHON picks the interpreter (default python3).
set -u

cd "$(dirname "$0")/.."
root=$PWD
dev=$root/.device
out=${OUT:-$dev/out}
mkdir -p "$out"
py=${PYTHON:-python3}
BUILD_S=${BUILD_S:-420}
TEST_S=${TEST_S:-300}
BENCH_S=${BENCH_S:-120}
EPOCH_S=${EPOCH_S:-540}

rows=()
failed=0
row() { rows+=("$(printf '%-26s %-7s %8s  %s' "$1" "$2" "$3" "$4")"); }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fs", b - a }'; }

echo "== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee "$out/gpu.txt"
gpu=$(head -n1 "$out/gpu.txt")
torchv=$("$py" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda, "available" if torch.cuda.is_available() else "UNAVAILABLE")' 2>&1 | tail -n1)
echo "torch: $torchv"

# 1. shim
echo "== build the shim against $py's torch"
shim=$dev/libghl_shim.so
t0=$(now)
if timeout "$BUILD_S" sh backends/torch/shim/build.sh "$shim" >"$out/build.log" 2>&1; then
  row "build shim" ok "$(secs "$t0" "$(now)")" "$(grep -o 'against .*' "$out/build.log" | head -n1)"
else
  failed=1
  row "build shim" FAIL "$(secs "$t0" "$(now)")" "see build.log: $(tail -n1 "$out/build.log")"
fi
export GHLSIM_SHIM=$shim GHLSIM_REQUIRE_TORCH=1

# 2. CUDA parity and conformance tests
echo "== CUDA tests"
if [ -x "$dev/torch.test" ]; then
  t0=$(now)
  timeout "$TEST_S" "$dev/torch.test" -test.v -test.count=1 \
    -test.run 'CUDA|TestNamesAndDevices|TestNoAllocs' >"$out/tests.log" 2>&1
  rc=$?
  pass=$(grep -c -- '--- PASS' "$out/tests.log")
  fail=$(grep -c -- '--- FAIL' "$out/tests.log")
  skip=$(grep -c -- '--- SKIP' "$out/tests.log")
  if [ "$rc" -eq 0 ] && [ "$skip" -eq 0 ]; then st=ok; else st=FAIL; failed=1; fi
  row "cuda tests" "$st" "$(secs "$t0" "$(now)")" "$pass passed, $fail failed, $skip skipped (rc $rc; tests.log)"
  grep -E -- '--- (FAIL|SKIP)' "$out/tests.log" | head -n 20
else
  failed=1
  row "cuda tests" MISSING "-" "no .device/torch.test: see the header of this script"
fi

# 3. GHL block benchmark (cpu reference, torch:cpu and torch:cuda:0)
echo "== GHL block benchmark"
if [ -x "$dev/torch.test" ]; then
  t0=$(now)
  timeout "$BENCH_S" "$dev/torch.test" -test.run '^$' -test.bench 'GHLBlock/(torch-cuda|cpu)/K96' \
    -test.benchtime 20x >"$out/bench.log" 2>&1
  rc=$?
  for k in cpu torch-cuda; do
    ips=$(awk -v k="GHLBlock/$k/K96" 'index($1, k) { for (i = 1; i < NF; i++) if ($(i+1) == "images/s") print $i }' "$out/bench.log" | tail -n1)
    row "bench $k K96 B16" "$([ -n "$ips" ] && echo ok || echo FAIL)" "-" "${ips:-?} images/s (bench.log)"
    [ -n "$ips" ] || failed=1
  done
  [ "$rc" -eq 0 ] || { failed=1; row "bench" FAIL "$(secs "$t0" "$(now)")" "rc $rc"; }
fi

# 3b. per-op GFLOP/s of the DeepHebb layers (backendtest.Benchmarks)
if [ -x "$dev/torch.test" ]; then
  t0=$(now)
  timeout "$BENCH_S" "$dev/torch.test" -test.run '^$' \
    -test.bench 'Ops/cuda/(ConvForward|ConvBackwardData|ConvBackwardWeight|OjaSWTA|ConvBackwardWeightHebb|ModulatedUpdate)/Large' \
    -test.benchtime 10x >"$out/ops.log" 2>&1
  rc=$?
  best=$(awk '/GFLOP\/s/ { for (i = 1; i < NF; i++) if ($(i+1) == "GFLOP/s") print $i, $1 }' "$out/ops.log" | sort -g | tail -n1)
  if [ "$rc" -eq 0 ] && [ -n "$best" ]; then st=ok; else st=FAIL; failed=1; fi
  row "op benchmarks (Large)" "$st" "$(secs "$t0" "$(now)")" "best ${best:-?} GFLOP/s (ops.log)"
fi

# 4. one full-width DeepHebb GHL epoch
echo "== DeepHebb GHL epoch on torch:cuda:0"
if [ -x "$dev/ghl" ] && [ -f "$dev/cifar10-jpeg.tar.gz" ]; then
  t0=$(now)
  timeout "$EPOCH_S" "$dev/ghl" train --backend torch:cuda:0 --data "$dev/cifar10-jpeg.tar.gz" \
    --dataset imagefolder --arch deephebb --width 1 --epochs 1 --batch 64 --rule ghl \
    --out "$out/ghl-epoch" >"$out/epoch.log" 2>&1
  rc=$?
  t1=$(now)
  ips=$(grep -oiE '[0-9.]+ *(images|img)/s' "$out/epoch.log" | tail -n1)
  acc=$(grep -oiE '(test|val)[ _a-z]*acc[a-z]*[ =:]+[0-9.]+%?' "$out/epoch.log" | tail -n1)
  if [ "$rc" -eq 0 ]; then st=ok; else st=FAIL; failed=1; fi
  row "deephebb epoch" "$st" "$(secs "$t0" "$t1")" "rc $rc; ${ips:-no images/s line}; ${acc:-no accuracy line} (epoch.log)"
else
  failed=1
  row "deephebb epoch" MISSING "-" "needs .device/ghl and .device/cifar10-jpeg.tar.gz"
fi

echo
echo "== gpu_check: $gpu; torch $torchv"
printf '%-26s %-7s %8s  %s\n' step status time note
for r in "${rows[@]}"; do echo "$r"; done
exit "$failed"
