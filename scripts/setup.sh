#!/usr/bin/env bash
# Installs every Debian package that the build, the tests and the benchmarks need, then configures and builds
# the project. Idempotent: when everything is already installed and built it only runs a no-op ninja.
#   scripts/setup.sh [BUILD_DIR [CMAKE_ARGS...]]      (default: build; the arguments apply when BUILD_DIR is new,
#                                                      e.g. -DSOFTMOE_SANITIZE=ON, see docs/robustness.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
shift $(( $# ? 1 : 0 ))
extra_args=("$@")

pkgs=(cmake ninja-build gcc g++ libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 libomp-22-dev
      python3-numpy python3-torch python3-matplotlib libopenblas-dev zlib1g-dev libzstd-dev libedit-dev libxml2-dev
      libcurl4-openssl-dev libclang-rt-22-dev valgrind libgtest-dev libdnnl-dev
      mpich libmpich-dev)  # mpich: expert parallelism (softmoe-bench --shard-experts, docs/distributed.md)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=; [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -f $build/build.ninja ]]; then
  cuda_args=()
  [[ -n ${CUDA_HOME:-} ]] && cuda_args+=(-DCUDAToolkit_ROOT="$CUDA_HOME")
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir -DLLVM_DIR=/usr/lib/llvm-22/lib/cmake/llvm \
    -DCMAKE_C_COMPILER=/usr/bin/clang-22 -DCMAKE_CXX_COMPILER=/usr/bin/clang++-22 \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit -DPython3_EXECUTABLE=/usr/bin/python3 "${cuda_args[@]}" \
    "${extra_args[@]}" >/dev/null
fi
cmake --build "$build"
