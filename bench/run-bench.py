#!/usr/bin/env python3
# ===- run-bench.py - softmoe-bench against the peers, in one run -----------===#
#
# Times build/bin/softmoe-bench and ../shared/peers/run-peers.sh (OpenBLAS +
# OpenMP, PyTorch eager) on the same inputs for each named shape of
# CONTRACT.md at 1 and 2 threads, prints a table (median ms, ratios to the
# peers, GFLOP/s, GB/s of expert weights, the limit of issue 4) and writes
# docs/benchmarks.md with a bar plot (docs/benchmarks.svg, matplotlib).
#
#   bench/run-bench.py [--shapes tiny,S-32,S-32-b64,B-128] [--threads 1,2]
#                      [--repeat 7] [--bf16] [--no-docs] [--train]
#
# --train times softmoe-bench --mode train against our forward and PyTorch
# autograd (bench/torch_train_peer.py) instead, and prints a Markdown table.
#
# Absolute times on a shared machine drift; the ratios are measured in the
# same run, and the load (uptime) before and after is recorded.
#
# ===------------------------------------------------------------------------===#

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "peers"

# CONTRACT.md: B, M, D, N, P, H.
SHAPES = {
    "tiny": (2, 16, 32, 4, 2, 64),
    "S-32": (8, 196, 384, 32, 4, 1536),
    "S-32-b64": (64, 196, 384, 32, 4, 1536),
    "B-128": (8, 196, 768, 128, 1, 3072),
}
# Issue 4's limits on these machines: ~75 GFLOP/s per core, ~17 GB/s.
PEAK_GFLOPS_PER_CORE = 75.0
BANDWIDTH_GBS = 17.0


def flags(shape):
    b, m, d, n, p, h = SHAPES[shape]
    return ["--batch", str(b), "--tokens", str(m), "--dim", str(d),
            "--experts", str(n), "--slots", str(p), "--hidden", str(h)]


def flops(shape):
    b, m, d, n, p, h = SHAPES[shape]
    s = n * p
    return 2 * b * m * d * s * 3 + 2 * b * s * d * h * 2


def weight_bytes(shape, elem=4):
    b, m, d, n, p, h = SHAPES[shape]
    return 2 * n * d * h * elem


def limit_ms(shape, threads, elem=4):
    compute = flops(shape) / (PEAK_GFLOPS_PER_CORE * 1e9 * threads)
    memory = weight_bytes(shape, elem) / (BANDWIDTH_GBS * 1e9)
    return 1e3 * max(compute, memory)


def json_lines(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode:
        sys.exit("run-bench: %s failed (%d):\n%s" %
                 (" ".join(map(str, cmd)), r.returncode, r.stderr[-2000:]))
    return r.stdout


def uptime():
    return subprocess.run(["uptime"], capture_output=True,
                          text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", default="tiny,S-32,S-32-b64,B-128")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--bf16", action="store_true",
                    help="also time softmoe-bench --dtype bf16 on every shape")
    ap.add_argument("--bench", default=str(ROOT / "build/bin/softmoe-bench"))
    ap.add_argument("--no-docs", action="store_true")
    ap.add_argument("--train", action="store_true",
                    help="time --mode train (forward + backward) against our "
                         "forward and PyTorch autograd instead (train_main)")
    a = ap.parse_args()
    if a.train:
        return train_main(a)
    shapes = a.shapes.split(",")
    for s in shapes:
        if s not in SHAPES:
            sys.exit("run-bench: unknown shape '%s' (known: %s)" %
                     (s, ", ".join(SHAPES)))
    threads = [int(t) for t in a.threads.split(",")]
    tmax = max(threads)
    load_before = uptime()
    rows = []
    commands = []
    for shape in shapes:
        work = Path(tempfile.mkdtemp(prefix="softmoe-bench-"))
        try:
            env = dict(os.environ, THREADS=str(tmax), REPEAT=str(a.repeat),
                       WORK=str(work))
            cmd = [str(PEERS / "run-peers.sh")] + flags(shape)
            commands.append("THREADS=%d REPEAT=%d " % (tmax, a.repeat) +
                            " ".join(cmd))
            peers = json_lines(run(cmd, env))
            blas = {p["threads"]: p for p in peers
                    if p["peer"].startswith("openblas")}
            torch = {p["threads"]: p for p in peers
                     if p["peer"].startswith("torch")}
            for t in threads:
                if t not in blas:
                    blas[t] = json_lines(run([str(work / "blas_softmoe"),
                                              str(work / "inputs"), str(t),
                                              str(a.repeat)]))[0]
            dtypes = ["f32"] + (["bf16"] if a.bf16 else [])
            for t in threads:
                for dtype in dtypes:
                    cmd = [a.bench, "--inputs", str(work / "inputs"),
                           "--threads", str(t), "--repeat", str(a.repeat),
                           "--warmup", "2", "--dtype", dtype]
                    commands.append(" ".join(cmd))
                    me = json_lines(run(cmd))[0]
                    elem = 2 if dtype == "bf16" else 4
                    ms = me["median_ms"]
                    rows.append(dict(
                        shape=shape, threads=t, dtype=dtype, ms=ms,
                        compile_ms=me["compile_ms"],
                        blas_ms=blas[t]["median_ms"],
                        torch_ms=torch.get(t, {}).get("median_ms"),
                        gflops=flops(shape) / (ms * 1e-3) / 1e9,
                        gbs=weight_bytes(shape, elem) / (ms * 1e-3) / 1e9,
                        limit_ms=limit_ms(shape, t, elem)))
                    r = rows[-1]
                    print("%-9s %dT %-4s %9.3f ms  OpenBLAS %9.3f  x%.2f" %
                          (shape, t, dtype, ms, r["blas_ms"],
                           ms / r["blas_ms"]), file=sys.stderr, flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    load_after = uptime()
    table = render(rows)
    print(table)
    print("load before: " + load_before)
    print("load after:  " + load_after)
    if not a.no_docs:
        write_docs(rows, table, commands, load_before, load_after, a.repeat)


def train_main(a):
    """softmoe-bench --mode train, our forward (inference mode) and PyTorch
    autograd (bench/torch_train_peer.py) on the same inputs and dy, per shape
    and thread count, in one run; prints a Markdown table."""
    shapes = a.shapes.split(",")
    threads = [int(t) for t in a.threads.split(",")]
    peer = ROOT / "bench" / "torch_train_peer.py"
    load_before = uptime()
    lines = ["| shape | threads | forward ms | forward+backward ms | PyTorch "
             "autograd ms | train / forward | train / PyTorch | backward "
             "compile s |", "|---|---|---|---|---|---|---|---|"]
    commands = []
    for shape in shapes:
        if shape not in SHAPES:
            sys.exit("run-bench: unknown shape '%s'" % shape)
        work = Path(tempfile.mkdtemp(prefix="softmoe-train-"))
        try:
            inputs = work / "inputs"
            b, m, d, n, p, h = SHAPES[shape]
            run([sys.executable, str(PEERS / "softmoe_ref.py"), "--write-inputs",
                 str(inputs)] + flags(shape))
            import numpy as np
            np.save(inputs / "dy.npy", np.random.default_rng(1).standard_normal(
                (b, m, d), dtype=np.float32))
            for t in threads:
                common = ["--inputs", str(inputs), "--threads", str(t),
                          "--repeat", str(a.repeat)]
                cmds = {
                    "fwd": [a.bench] + common + ["--warmup", "2"],
                    "train": [a.bench] + common + ["--warmup", "2", "--mode",
                                                   "train"],
                    "torch": [sys.executable, str(peer)] + common,
                }
                res = {}
                for k, cmd in cmds.items():
                    commands.append(" ".join(map(str, cmd)))
                    res[k] = json_lines(run(cmd))[0]
                f, tr, pt = (res["fwd"]["median_ms"], res["train"]["median_ms"],
                             res["torch"]["median_ms"])
                lines.append("| %s | %d | %.2f | %.2f | %.2f | %.2fx | %.2fx | "
                             "%.2f |" % (shape, t, f, tr, pt, tr / f, tr / pt,
                                         res["train"]["backward_compile_ms"] / 1e3))
                print(lines[-1], file=sys.stderr, flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))
    print("\nload before: " + load_before)
    print("load after:  " + uptime())
    print("commands:\n" + "\n".join(commands))


def fmt(v, spec="%.2f"):
    return "-" if v is None else spec % v


def render(rows):
    head = ("| shape | threads | dtype | softmoe ms | OpenBLAS ms | PyTorch ms "
            "| vs OpenBLAS | vs PyTorch | GFLOP/s | weights GB/s "
            "| limit ms | vs limit | compile ms |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %.1f | %.1f "
                     "| %s | %s | %.0f |" % (
                         r["shape"], r["threads"], r["dtype"],
                         fmt(r["ms"], "%.3f"), fmt(r["blas_ms"], "%.3f"),
                         fmt(r["torch_ms"], "%.3f"),
                         fmt(r["ms"] / r["blas_ms"]),
                         fmt(r["torch_ms"] and r["ms"] / r["torch_ms"]),
                         r["gflops"], r["gbs"], fmt(r["limit_ms"], "%.3f"),
                         fmt(r["ms"] / r["limit_ms"]), r["compile_ms"]))
    return "\n".join(lines)


def write_docs(rows, table, commands, load_before, load_after, repeat):
    docs = ROOT / "docs"
    plot = docs / "benchmarks.svg"
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        labels = ["%s %dT %s" % (r["shape"], r["threads"], r["dtype"])
                  for r in rows]
        fig, ax = plt.subplots(figsize=(10, 4))
        x = range(len(rows))
        w = 0.27
        ax.bar([i - w for i in x], [r["ms"] / r["blas_ms"] for r in rows], w,
               label="softmoe-mlir / OpenBLAS peer")
        ax.bar([i for i in x],
               [r["ms"] / r["torch_ms"] if r["torch_ms"] else 0
                for r in rows], w, label="softmoe-mlir / PyTorch peer")
        ax.bar([i + w for i in x], [r["ms"] / r["limit_ms"] for r in rows],
               w, label="softmoe-mlir / issue-4 limit")
        ax.axhline(1.0, color="k", lw=0.8)
        ax.axhline(0.8, color="g", lw=0.8, ls="--", label="goal 0.8x OpenBLAS")
        ax.set_yscale("log")
        ax.set_ylabel("time ratio (lower is better)")
        ax.set_xticks(list(x))
        ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(plot)
        plot_line = "![time ratios](benchmarks.svg)\n"
    except ImportError:
        plot_line = "(no plot: python3-matplotlib is not installed)\n"
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    text = """# Benchmarks

Generated by `bench/run-bench.py` on {date} UTC ({cpu}, {ncpu} CPUs visible).
softmoe-bench and the peers (`../shared/peers/run-peers.sh`: OpenBLAS+OpenMP
`blas_softmoe.c`, PyTorch eager) run in the same job on the same inputs;
median of {repeat} runs each. The machine is shared, so compare the ratios,
not the absolute times.

- load before: `{lb}`
- load after: `{la}`

{table}

"vs" columns are time ratios (below 1: softmoe-mlir is faster). GB/s counts
only the expert weights (w1 and w2) read once per call; the limit is the
larger of the compute time at {peak:.0f} GFLOP/s per thread and the weight
bytes at {bw:.0f} GB/s (issue 4).

{plot}
Commands:

```
{cmds}
```
""".format(date=datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
           cpu=cpu, ncpu=os.cpu_count(), repeat=repeat, lb=load_before,
           la=load_after, table=table, peak=PEAK_GFLOPS_PER_CORE,
           bw=BANDWIDTH_GBS, plot=plot_line, cmds="\n".join(commands))
    (docs / "benchmarks.md").write_text(text)


if __name__ == "__main__":
    main()
