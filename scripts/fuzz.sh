#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, -DSOFTMOE_ENABLE_FUZZERS=ON) in their own build directory and runs each for a
# bounded time, seeded with the lit inputs. Prints one summary line per target (executions, corpus size, crashes) and
# exits non-zero if any target found a crash, a leak, a timeout or an out-of-memory input; those inputs are left in
# BUILD_DIR/fuzz-findings/TARGET/ (reproduce with: softmoe-opt INPUT --softmoe-cpu-pipeline, or run the target on it).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [BUILD_DIR] [TARGET...]   (defaults: 60, build-fuzz, every target)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build=${2:-$root/build-fuzz}
shift $(( $# < 2 ? $# : 2 ))
targets=("$@")
((${#targets[@]})) || targets=(softmoe-pipeline-fuzzer softmoe-unverified-fuzzer softmoe-npy-fuzzer)

# Configures (and, the first time, builds) the instrumented tree, then builds just the fuzzers in it.
[[ -f $build/build.ninja ]] || "$root/scripts/setup.sh" "$build" -DSOFTMOE_ENABLE_FUZZERS=ON >/dev/null
cmake --build "$build" --target softmoe-fuzzers >/dev/null

# Seeds: every MLIR file of the lit suite and the examples, split at the `// -----` markers of --split-input-file,
# without comment lines (RUN/CHECK lines only lengthen the inputs); chunks over 4 KiB are split further at their
# top-level functions, and pieces still over 4 KiB are left out (they make every execution slow).
seeds=$build/fuzz-seeds/mlir
rm -rf "$build/fuzz-seeds" && mkdir -p "$seeds"
/usr/bin/python3 - "$root" "$seeds" <<'PY'
import hashlib, pathlib, re, sys
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
limit = 4096
for f in sorted(list(root.glob("test/**/*.mlir")) + list(root.glob("examples/*.mlir"))):
    for chunk in re.split(r"^// -----.*$", f.read_text(), flags=re.M):
        text = "".join(l for l in chunk.splitlines(True) if not l.lstrip().startswith("//")).strip()
        pieces = [text] if len(text) <= limit else re.split(r"^(?=func\.func)", text, flags=re.M)
        for p in pieces:
            p = p.strip()
            if p and len(p) <= limit:
                (out / hashlib.sha1(p.encode()).hexdigest()[:16]).write_text(p + "\n")
PY
# .npy seeds: valid files of every dtype, version and rank the reader takes, and the adversarial ones of the lit suite.
npy_seeds=$build/fuzz-seeds/npy
mkdir -p "$npy_seeds"
/usr/bin/python3 "$root/test/Integration/Inputs/adversarial_npy.py" "$npy_seeds"
/usr/bin/python3 - "$npy_seeds" <<'PY'
import io, sys, numpy as np
out = sys.argv[1]
arrays = {"f32": np.arange(12, dtype=np.float32).reshape(3, 4), "f16": np.ones((2, 3, 2), np.float16),
          "bool": np.array([[True, False], [False, True]]), "scalar": np.array(3.0, np.float32),
          "empty": np.zeros((2, 0, 3), np.float32), "vector": np.arange(5, dtype=np.float32)}
for name, a in arrays.items():
    for version in [(1, 0), (2, 0), (3, 0)]:
        buf = io.BytesIO()
        np.lib.format.write_array(buf, a, version=version)
        open(f"{out}/{name}-v{version[0]}.npy", "wb").write(buf.getvalue())
PY

status=0
for t in "${targets[@]}"; do
  case $t in
    softmoe-npy-fuzzer) tseeds=$npy_seeds dict=$root/fuzz/npy.dict ;;
    *) tseeds=$seeds dict=$root/fuzz/mlir.dict ;;
  esac
  corpus=$build/fuzz-corpus/$t findings=$build/fuzz-findings/$t
  mkdir -p "$corpus" "$findings"
  log=$build/fuzz-$t.log
  # -timeout: one input compiling for 30 s is a hang; -rss_limit_mb: MLIR's uniquing of huge constants is an OOM.
  # -fork=1 -ignore_crashes=1: a child process fuzzes, and a finding (saved in $findings) does not end the run, so
  # a crash in upstream MLIR's parser (docs/robustness.md) does not stop the search for the project's own.
  "$build/bin/$t" "$corpus" "$tseeds" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=3072 -max_len=4096 \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -dict="$dict" -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1 || true
  # Fork mode's progress lines: "#EXECUTIONS: cov: ...".
  runs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -1)
  found=$(find "$findings" -type f | wc -l)
  echo "fuzz: $t: ${runs:-0} executions in ${seconds}s, corpus $(find "$corpus" -type f | wc -l) inputs," \
       "$found findings (in $findings)"
  if ((found)) || [[ -z $runs ]]; then
    status=1
    grep -m3 -E "ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error|LLVM ERROR" "$log" >&2 || tail -5 "$log" >&2
  fi
done
exit $status
