#!/usr/bin/env bash
# Correctness and speed of the CUDA pipeline on a GPU machine, in two halves:
#
#   scripts/gpu-check.sh build BUNDLE [BUILD_DIR]
#       Here, on the build machine (no GPU needed): builds AOT executables
#       with softmoe-gpu-aot (cubins for sm_80 and sm_90 plus PTX with the
#       mma.sync kernels, and sm_90a cubins with the wgmma/TMA kernels, which
#       run on compute capability 9.0 devices) for the
#       kernel checks of scripts/gpu_kernel_cases.py and for the layers below,
#       and copies what the GPU half needs into BUNDLE (bin.tar.xz, the Python
#       scripts, softmoe_ref.py, layers.json).
#
#   scripts/gpu-check.sh run BUNDLE OUT [--dry-run SOFTMOE_BENCH]
#       On the GPU machine (Python with numpy and torch, no LLVM): unpacks the
#       executables, runs them on inputs from softmoe_ref.py, checks them
#       against the float64 reference computed there with PyTorch on the GPU
#       (CONTRACT.md tolerances) and times PyTorch eager on the same GPU in the
#       same run. Writes OUT/results.jsonl and OUT/log.txt, prints a summary
#       table, and exits non-zero when a check fails. Meant to take about 3
#       minutes on an H200 (not measured yet); every executable runs under a
#       time limit and the whole run under GPU_CHECK_BUDGET_S (default 540 s).
#       --dry-run tests the run half without a GPU: the executables only
#       print --help, and each layer runs at the tiny shape through the given
#       softmoe-bench on the CPU, checked and timed against PyTorch on the CPU.
#
#   GPU_CHECK_LAYERS=NAME,... and GPU_CHECK_CASES=NAME,... restrict the build
#   half to some layers (names below) and kernel cases.
#
# The layers: S-32 and B-128 of CONTRACT.md at batch 8 in f32 and bf16, B-128
# at batch 256 in bf16 and f32, and S-32 in f16 and with normalize and mask.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

layers_json() {
  cat <<'EOF'
[
 {"name": "S-32-f32", "exe": "layer_S-32_f32", "batch": 8, "tokens": 196, "dim": 384, "experts": 32, "slots": 4, "hidden": 1536, "dtype": "f32", "activation": "gelu_tanh"},
 {"name": "S-32-bf16", "exe": "layer_S-32_bf16", "batch": 8, "tokens": 196, "dim": 384, "experts": 32, "slots": 4, "hidden": 1536, "dtype": "bf16", "activation": "gelu_tanh"},
 {"name": "B-128-f32", "exe": "layer_B-128_f32", "batch": 8, "tokens": 196, "dim": 768, "experts": 128, "slots": 1, "hidden": 3072, "dtype": "f32", "activation": "gelu_tanh"},
 {"name": "B-128-bf16", "exe": "layer_B-128_bf16", "batch": 8, "tokens": 196, "dim": 768, "experts": 128, "slots": 1, "hidden": 3072, "dtype": "bf16", "activation": "gelu_tanh"},
 {"name": "B-128-b256-bf16", "exe": "layer_B-128-b256_bf16", "batch": 256, "tokens": 196, "dim": 768, "experts": 128, "slots": 1, "hidden": 3072, "dtype": "bf16", "activation": "gelu_tanh", "compare_mma_sync": true},
 {"name": "S-32-f16", "exe": "layer_S-32_f16", "batch": 8, "tokens": 196, "dim": 384, "experts": 32, "slots": 4, "hidden": 1536, "dtype": "f16", "activation": "gelu_tanh"},
 {"name": "S-32-bf16-norm-mask-erf", "exe": "layer_S-32_bf16_nm", "batch": 8, "tokens": 196, "dim": 384, "experts": 32, "slots": 4, "hidden": 1536, "dtype": "bf16", "activation": "gelu_erf", "normalize": true, "mask": true},
 {"name": "B-128-b256-f32", "exe": "layer_B-128-b256_f32", "batch": 256, "tokens": 196, "dim": 768, "experts": 128, "slots": 1, "hidden": 3072, "dtype": "f32", "activation": "gelu_tanh"}
]
EOF
}

case "${1:-}" in
build)
  bundle=${2:?usage: gpu-check.sh build BUNDLE [BUILD_DIR]}
  build=${3:-$here/../build}
  aot=$build/bin/softmoe-gpu-aot
  [[ -x $aot ]] || { echo "error: $aot not found; build the project first" >&2; exit 1; }
  py=${PYTHON:-/usr/bin/python3}
  ref=$here/../../shared/peers/softmoe_ref.py
  [[ -f $ref ]] || ref=$here/../shared/peers/softmoe_ref.py
  [[ -f $ref ]] || { echo "error: shared/peers/softmoe_ref.py not found" >&2; exit 1; }
  rm -rf "$bundle"
  mkdir -p "$bundle/bin" "$bundle/cases"
  "$py" "$here/gpu_kernel_cases.py" emit "$bundle/cases" >/dev/null
  for f in "$bundle"/cases/*.mlir; do
    n=$(basename "$f" .mlir)
    [[ -z ${GPU_CHECK_CASES+x} || ,$GPU_CHECK_CASES, == *,$n,* ]] || continue
    "$aot" --input-mlir "$f" --entry "$n" --aot-out "$bundle/bin/$n" >/dev/null
  done
  layers_json | "$py" -c '
import json, os, sys
want = os.environ.get("GPU_CHECK_LAYERS")
layers = json.load(sys.stdin)
if want is not None:
    names = want.split(",")
    unknown = set(names) - {L["name"] for L in layers}
    if unknown:
        sys.exit("error: GPU_CHECK_LAYERS names unknown layers: " + ",".join(sorted(unknown)))
    layers = [L for L in layers if L["name"] in names]
json.dump(layers, sys.stdout, indent=1)' >"$bundle/layers.json"
  "$py" - "$bundle/layers.json" <<'EOF' | while read -r exe flags; do
import json, sys
for L in json.load(open(sys.argv[1])):
    f = "--batch %d --tokens %d --dim %d --experts %d --slots %d --hidden %d --dtype %s --activation %s" % (
        L["batch"], L["tokens"], L["dim"], L["experts"], L["slots"], L["hidden"], L["dtype"], L["activation"])
    f += " --normalize" * bool(L.get("normalize")) + " --mask" * bool(L.get("mask"))
    print(L["exe"], f)
EOF
    # shellcheck disable=SC2086
    "$aot" $flags --aot-out "$bundle/bin/$exe" >/dev/null || exit 1
    echo "built $exe" >&2
  done
  tar -C "$bundle" -cJf "$bundle/bin.tar.xz" bin
  rm -rf "$bundle/bin" "$bundle/cases"
  cp "$here/gpu_check.py" "$here/gpu_kernel_cases.py" "$here/gpu-check.sh" "$ref" "$bundle/"
  echo "bundle: $bundle ($(du -sh "$bundle" | cut -f1))"
  ;;
run)
  bundle=${2:?usage: gpu-check.sh run BUNDLE OUT}
  out=${3:?usage: gpu-check.sh run BUNDLE OUT}
  mkdir -p "$out"
  work=$(mktemp -d)
  cp -r "$bundle"/. "$work/"
  tar -C "$work" -xJf "$work/bin.tar.xz"
  py=${PYTHON:-python3}
  trap 'rm -rf "$work"' EXIT
  PYTHONUNBUFFERED=1 "$py" "$work/gpu_check.py" "$work" "$out" "${@:4}"
  ;;
*)
  sed -n '2,33p' "$0" >&2
  exit 2
  ;;
esac
