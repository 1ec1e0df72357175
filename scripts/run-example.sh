#!/usr/bin/env bash
# The main job: compiles examples/softmoe_layer.mlir (the S-32 layer of CONTRACT.md at B=8 M=196) with
# the CPU pipeline, runs it on seeded random inputs with softmoe-run, and prints a checksum of the
# output and its speed.
#   scripts/run-example.sh [BUILD_DIR]        (after scripts/setup.sh; THREADS=T for T threads, default: all cores)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Inputs with the distributions of the reference's make_inputs (seed 0).
"$python" - "$work" <<'PY'
import sys, numpy as np
B, M, D, N, P, H = 8, 196, 384, 32, 4, 1536
g = np.random.default_rng(0)
t = {"x": g.standard_normal((B, M, D), dtype=np.float32),
     "phi": g.standard_normal((D, N, P), dtype=np.float32) / np.float32(np.sqrt(D)),
     "w1": g.standard_normal((N, D, H), dtype=np.float32) / np.float32(np.sqrt(D)),
     "b1": np.float32(0.1) * g.standard_normal((N, H), dtype=np.float32),
     "w2": g.standard_normal((N, H, D), dtype=np.float32) / np.float32(np.sqrt(H)),
     "b2": np.float32(0.1) * g.standard_normal((N, D), dtype=np.float32)}
for k, v in t.items():
    np.save("%s/%s.npy" % (sys.argv[1], k), v.astype(np.float32))
PY

threads=(--threads "${THREADS:-$(nproc)}")
"$build/bin/softmoe-run" "$root/examples/softmoe_layer.mlir" "${threads[@]}" --warmup 1 --repeat 3 \
  --output-dir "$work/out" "$work"/{x,phi,w1,b1,w2,b2}.npy > "$work/run.json"

"$python" - "$work/run.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
y = r["results"][0]
B, M, D, N, P, H = 8, 196, 384, 32, 4, 1536
flops = 2 * B * M * D * N * P * 3 + 2 * B * N * P * D * H * 2
print("examples/softmoe_layer.mlir, y%s: checksum sum(y) = %.6g, sum|y| = %.6g, non-finite %d"
      % (y["shape"], y["sum"], y["abs_sum"], y["nonfinite"]))
print("median %.2f ms over %d runs (min %.2f ms), %.2f GFLOP/s, %d thread(s); compile %.0f ms"
      % (r["median_ms"], r["samples"], r["min_ms"], flops / r["median_ms"] / 1e6, r["threads"], r["compile_ms"]))
PY
