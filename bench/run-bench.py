#!/usr/bin/env python3
# ===- run-bench.py - softmoe-bench against the peers, in one run -----------===#
#
# Times build/bin/softmoe-bench and ../shared/peers/run-peers.sh (OpenBLAS +
# OpenMP, PyTorch eager) and bench/dnnl_softmoe.cpp (oneDNN primitives) on the
# same inputs for each named shape of CONTRACT.md at 1 and 2 threads, prints a
# table (median ms, ratios to the peers, GFLOP/s, GB/s of expert weights, the
# limit of issue 4) and writes docs/benchmarks.md with a bar plot
# (docs/benchmarks.svg, matplotlib).
#
#   bench/run-bench.py [--shapes tiny,S-32,S-32-b64,B-128] [--threads 1,2]
#                      [--repeat 7] [--bf16] [--cpu NAME] [--no-docs] [--train]
#
# --train times softmoe-bench --mode train against our forward and PyTorch
# autograd (bench/torch_train_peer.py) instead, and prints a Markdown table.
#
# The OpenBLAS peer runs with every OpenBLAS core type (OPENBLAS_CORETYPE) that
# the CPU supports, or only the AVX2 ones with --cpu avx2 (an AVX2-only machine
# emulated on an AVX-512 one); a core type whose y disagrees with PyTorch's is
# dropped, and each row compares against the fastest of the others.
#
# The oneDNN peer is compiled once per run (g++, -ldnnl: Debian's
# libdnnl-dev), limited to the ISA of a named --cpu (DNNL_MAX_CPU_ISA), and
# dropped with a note where it does not build or its y disagrees with
# PyTorch's.
#
# On a loaded machine (more runnable threads than cores), GNU OpenMP's
# spin-waiting makes the OpenMP peers several times slower at 2 threads (a
# waiting thread spins while the one it waits for is descheduled):
# OMP_WAIT_POLICY=passive in run-bench's environment reaches every program it
# runs, and the notes record it.
#
# Absolute times on a shared machine drift; the ratios are measured in the
# same run, and the load (uptime) before and after is recorded. docs/
# benchmarks.md keeps one section per machine kind (CPU model and the ISA the
# kernels were built for); a run replaces only its own section.
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


# OpenBLAS 0.3.21's DYNAMIC_ARCH core types for x86-64 with AVX2 or better,
# with the CPU flags (/proc/cpuinfo) each one's kernels execute.
CORETYPES = [
    ("Haswell", {"avx2", "fma"}),
    ("Zen", {"avx2", "fma"}),
    ("SkylakeX", {"avx2", "fma", "avx512f", "avx512bw", "avx512dq",
                  "avx512vl"}),
    ("Cooperlake", {"avx2", "fma", "avx512f", "avx512bw", "avx512dq",
                    "avx512vl", "avx512_bf16"}),
]
# What softmoe-bench's --cpu targets may execute, for the peer to match.
TARGET_FLAGS = {
    "avx2": {"avx2", "fma"},
    "avx512": {"avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"},
}


def first_cpu():
    """The fields of the first CPU's block of /proc/cpuinfo."""
    fields = {}
    try:
        for line in open("/proc/cpuinfo"):
            if not line.strip():
                break
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields


def cpu_info():
    """(model name, set of flags)."""
    fields = first_cpu()
    return (fields.get("model name") or platform.processor() or
            platform.machine(), set(fields.get("flags", "").split()))


def cpu_family():
    """'family F model M' of the first CPU, which tells Zen generations
    apart where the model name does not."""
    fields = first_cpu()
    return "family %s model %s" % (fields.get("cpu family", "?"),
                                   fields.get("model", "?"))


def isa_name(flags_):
    if {"avx512f", "avx512_bf16"} <= flags_:
        return "AVX-512 with AVX512-BF16"
    if "avx512f" in flags_:
        return "AVX-512"
    if {"avx2", "fma"} <= flags_:
        return "AVX2+FMA"
    return "SSE"


def peer_coretypes(flags_, cpu):
    """The core types the peer may use: those the host can execute and,
    for a named --cpu, only those within that target's ISA."""
    allowed = flags_ if cpu == "host" else flags_ & TARGET_FLAGS.get(
        cpu, flags_)
    return [name for name, need in CORETYPES if need <= allowed]


def openblas_env(coretype):
    """The environment for one core type. OPENBLAS_L2_SIZE goes with it: the
    machines here set both to pin the Haswell kernels."""
    env = dict(os.environ, OPENBLAS_CORETYPE=coretype)
    env.pop("OPENBLAS_L2_SIZE", None)
    return env


def openblas_corename(env):
    """The core type OpenBLAS really runs under `env`."""
    probe = ("import ctypes, ctypes.util\n"
             "lib = ctypes.CDLL(ctypes.util.find_library('openblas') or "
             "'libopenblas.so.0')\n"
             "lib.openblas_get_corename.restype = ctypes.c_char_p\n"
             "print(lib.openblas_get_corename().decode())")
    r = subprocess.run(["/usr/bin/python3", "-c", probe], capture_output=True,
                       text=True, env=env)
    return r.stdout.strip() or "?"


def max_rel_err(y_path, ref_path):
    import numpy as np
    y, ref = np.load(y_path), np.load(ref_path)
    if y.shape != ref.shape:
        return float("inf")
    return float(np.max(np.abs(y.astype(np.float64) - ref)) /
                 max(np.max(np.abs(ref)), 1e-30))


def best_openblas(work, threads, repeat, coretypes, notes):
    """Runs the OpenBLAS peer with each core type at each thread count;
    returns {threads: result of the fastest correct core type}."""
    inputs, ref = work / "inputs", work / "ref"
    run(["/usr/bin/python3", str(PEERS / "softmoe_ref.py"), "--inputs",
         str(inputs), "--repeat", "1", "--threads", str(max(threads)),
         "--save-outputs", str(ref)])
    best = {}
    for coretype in coretypes:
        env = openblas_env(coretype)
        ran = openblas_corename(env)
        out = work / ("y-" + coretype)
        out.mkdir(exist_ok=True)
        for t in threads:
            r = json_lines(run([str(work / "blas_softmoe"), str(inputs),
                                str(t), str(repeat), str(out)], env))[0]
            err = max_rel_err(out / "y.npy", ref / "y.npy")
            r["coretype"] = ran
            if err > 1e-4:
                notes.append("OpenBLAS core type %s (ran %s) dropped: "
                             "max|y - ref| = %.2g max|ref|" %
                             (coretype, ran, err))
                continue
            if t not in best or r["median_ms"] < best[t]["median_ms"]:
                best[t] = r
    return best


# DNNL_MAX_CPU_ISA for a named --cpu target, so that oneDNN's kernels stay
# within the ISA softmoe-bench's kernels were built for.
DNNL_ISA = {"avx2": "AVX2", "avx512": "AVX512_CORE"}


def build_onednn(bindir, notes):
    """Compiles bench/dnnl_softmoe.cpp into bindir; returns the program's
    path, or None (with a note that says why) where oneDNN is unusable."""
    src, exe = ROOT / "bench" / "dnnl_softmoe.cpp", bindir / "dnnl_softmoe"
    cmd = ["g++", "-O3", "-march=native", "-fopenmp", str(src), "-o",
           str(exe), "-ldnnl"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        notes.append("oneDNN peer not run: %s (%s)" % (" ".join(cmd), e))
        return None
    if r.returncode:
        err = (r.stderr.strip().splitlines() or ["?"])[0]
        notes.append("oneDNN peer not run: it does not build (is "
                     "libdnnl-dev installed? scripts/setup.sh installs "
                     "it): %s" % err)
        return None
    return exe


def onednn_peer(exe, work, threads, repeat, cpu, notes):
    """Runs the oneDNN peer at each thread count on work/inputs and checks
    its y against work/ref (written by best_openblas); returns {threads:
    result} of the runs that computed y correctly."""
    env = dict(os.environ)
    if cpu in DNNL_ISA:
        env["DNNL_MAX_CPU_ISA"] = DNNL_ISA[cpu]
    out = work / "y-onednn"
    out.mkdir(exist_ok=True)
    res = {}
    for t in threads:
        cmd = [str(exe), str(work / "inputs"), str(t), str(repeat), str(out)]
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        lines = json_lines(r.stdout) if not r.returncode else []
        if not lines:
            notes.append("oneDNN peer failed at %d threads (%d): %s" % (
                t, r.returncode, r.stderr.strip()[-300:]))
            continue
        err = (max_rel_err(out / "y.npy", work / "ref" / "y.npy")
               if (out / "y.npy").exists() else float("inf"))
        if err > 1e-4:
            notes.append("oneDNN peer dropped at %d threads: max|y - ref| "
                         "= %.2g max|ref|" % (t, err))
            continue
        res[t] = lines[0]
        (out / "y.npy").unlink()
    return res


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
    ap.add_argument("--cpu", default="host",
                    help="softmoe-bench --cpu; a named ISA also limits the "
                    "OpenBLAS peer's core types to it")
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
    model, host_flags = cpu_info()
    coretypes = peer_coretypes(host_flags, a.cpu)
    if not coretypes:
        sys.exit("run-bench: no OpenBLAS core type fits --cpu %s here" % a.cpu)
    notes = []
    load_before = uptime()
    rows = []
    commands = []
    if os.environ.get("OMP_WAIT_POLICY"):
        notes.append("OMP_WAIT_POLICY=%s for every program run" %
                     os.environ["OMP_WAIT_POLICY"])
    bindir = Path(tempfile.mkdtemp(prefix="softmoe-peers-"))
    dnnl_exe = build_onednn(bindir, notes)
    dnnl_seen = set()
    for shape in shapes:
        work = Path(tempfile.mkdtemp(prefix="softmoe-bench-"))
        try:
            # PyTorch links OpenBLAS as well: it runs with the fastest core
            # type the peer may use.
            env = dict(openblas_env(coretypes[-1]), THREADS=str(tmax),
                       REPEAT=str(a.repeat), WORK=str(work))
            cmd = [str(PEERS / "run-peers.sh")] + flags(shape)
            commands.append("OPENBLAS_CORETYPE=%s THREADS=%d REPEAT=%d " %
                            (coretypes[-1], tmax, a.repeat) + " ".join(cmd))
            peers = json_lines(run(cmd, env))
            torch = {p["threads"]: p for p in peers
                     if p["peer"].startswith("torch")}
            commands.append("for each core type in %s: OPENBLAS_CORETYPE=... "
                            "blas_softmoe INPUTS T %d (T in %s)" %
                            (",".join(coretypes), a.repeat, a.threads))
            blas = best_openblas(work, threads, a.repeat, coretypes, notes)
            missing = [t for t in threads if t not in blas]
            if missing:
                sys.exit("run-bench: no OpenBLAS core type computed y "
                         "correctly:\n" + "\n".join(notes))
            dnnl = {}
            if dnnl_exe:
                commands.append("%sdnnl_softmoe INPUTS T %d SAVE (T in %s)" % (
                    "DNNL_MAX_CPU_ISA=%s " % DNNL_ISA[a.cpu]
                    if a.cpu in DNNL_ISA else "", a.repeat, a.threads))
                dnnl = onednn_peer(dnnl_exe, work, threads, a.repeat, a.cpu,
                                   notes)
                for r in dnnl.values():
                    dnnl_seen.add("%s, kernels %s, ISA limit %s" % (
                        r["peer"], r.get("matmul_impl", "?"),
                        r.get("isa", "?")))
            dtypes = ["f32"] + (["bf16"] if a.bf16 else [])
            for t in threads:
                for dtype in dtypes:
                    cmd = [a.bench, "--inputs", str(work / "inputs"),
                           "--threads", str(t), "--repeat", str(a.repeat),
                           "--warmup", "2", "--dtype", dtype, "--cpu", a.cpu]
                    commands.append(" ".join(cmd))
                    me = json_lines(run(cmd))[0]
                    elem = 2 if dtype == "bf16" else 4
                    ms = me["median_ms"]
                    rows.append(dict(
                        shape=shape, threads=t, dtype=dtype, ms=ms,
                        compile_ms=me["compile_ms"],
                        blas_ms=blas[t]["median_ms"],
                        blas_core=blas[t]["coretype"],
                        dnnl_ms=dnnl.get(t, {}).get("median_ms"),
                        torch_ms=torch.get(t, {}).get("median_ms"),
                        gflops=flops(shape) / (ms * 1e-3) / 1e9,
                        gbs=weight_bytes(shape, elem) / (ms * 1e-3) / 1e9,
                        limit_ms=limit_ms(shape, t, elem)))
                    r = rows[-1]
                    print("%-9s %dT %-4s %9.3f ms  OpenBLAS(%s) %9.3f  x%.2f"
                          "  oneDNN %s  x%s" %
                          (shape, t, dtype, ms, r["blas_core"], r["blas_ms"],
                           ms / r["blas_ms"], fmt(r["dnnl_ms"], "%.3f"),
                           fmt(r["dnnl_ms"] and ms / r["dnnl_ms"])),
                          file=sys.stderr, flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(bindir, ignore_errors=True)
    notes.extend("oneDNN peer: " + s for s in sorted(dnnl_seen))
    load_after = uptime()
    table = render(rows)
    print(table)
    print("load before: " + load_before)
    print("load after:  " + load_after)
    for n in notes:
        print(n)
    if not a.no_docs:
        write_docs(rows, table, commands, load_before, load_after, a.repeat,
                   a.cpu, notes)


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
    head = ("| shape | threads | dtype | softmoe ms | OpenBLAS ms | OpenBLAS core "
            "| oneDNN ms | PyTorch ms | vs OpenBLAS | vs oneDNN | vs PyTorch "
            "| GFLOP/s | weights GB/s | limit ms | vs limit | compile ms |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s "
                     "| %.1f | %.1f | %s | %s | %.0f |" % (
                         r["shape"], r["threads"], r["dtype"],
                         fmt(r["ms"], "%.3f"), fmt(r["blas_ms"], "%.3f"),
                         r["blas_core"], fmt(r.get("dnnl_ms"), "%.3f"),
                         fmt(r["torch_ms"], "%.3f"),
                         fmt(r["ms"] / r["blas_ms"]),
                         fmt(r.get("dnnl_ms") and r["ms"] / r["dnnl_ms"]),
                         fmt(r["torch_ms"] and r["ms"] / r["torch_ms"]),
                         r["gflops"], r["gbs"], fmt(r["limit_ms"], "%.3f"),
                         fmt(r["ms"] / r["limit_ms"]), r["compile_ms"]))
    return "\n".join(lines)


def plot(rows, path):
    """A bar plot of the ratios; returns the Markdown line that shows it."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "(no plot: python3-matplotlib is not installed)\n"
    labels = ["%s %dT %s" % (r["shape"], r["threads"], r["dtype"])
              for r in rows]
    fig, ax = plt.subplots(figsize=(10, 4))
    x = range(len(rows))
    w = 0.2
    ax.bar([i - 1.5 * w for i in x], [r["ms"] / r["blas_ms"] for r in rows],
           w, label="softmoe-mlir / best OpenBLAS peer")
    ax.bar([i - 0.5 * w for i in x],
           [r["ms"] / r["dnnl_ms"] if r.get("dnnl_ms") else 0 for r in rows],
           w, label="softmoe-mlir / oneDNN peer")
    ax.bar([i + 0.5 * w for i in x],
           [r["ms"] / r["torch_ms"] if r["torch_ms"] else 0 for r in rows],
           w, label="softmoe-mlir / PyTorch peer")
    ax.bar([i + 1.5 * w for i in x], [r["ms"] / r["limit_ms"] for r in rows],
           w, label="softmoe-mlir / issue-4 limit")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.axhline(0.8, color="g", lw=0.8, ls="--", label="goal 0.8x OpenBLAS")
    ax.set_yscale("log")
    ax.set_ylabel("time ratio (lower is better)")
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return "![time ratios](%s)\n" % path.name


DOC_HEAD = """# Benchmarks

Generated by `bench/run-bench.py`: softmoe-bench and the peers
(`../shared/peers/run-peers.sh`: OpenBLAS+OpenMP `blas_softmoe.c`, PyTorch
eager) run in the same job on the same inputs. The OpenBLAS peer runs with
every OpenBLAS core type the kernels' ISA allows (`OPENBLAS_CORETYPE`; its
`y` is checked against PyTorch's) and each row compares against the fastest.
A second CPU peer, `bench/dnnl_softmoe.cpp`, builds the layer from oneDNN
primitives (Debian's libdnnl-dev: batched matmul with bias and gelu_tanh
post-ops, softmax, reorder); its `y` is checked the same way.
The machines are shared and change from session to session, so there is one
section per machine kind (CPU model, ISA of the host, `--cpu` of the
kernels); compare the ratios within a section, not absolute times across
them. A run replaces only its own section.
"""


def section_key(model, family, flags_, cpu):
    return "%s (%s), %s, --cpu %s" % (model, family, isa_name(flags_), cpu)


def split_sections(text):
    """The sections of docs/benchmarks.md, keyed by their '## ' title, in
    order; text before the first section is dropped (DOC_HEAD replaces it)."""
    sections, key = {}, None
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            key = line[3:].strip()
            sections[key] = ""
        elif key is not None:
            sections[key] += line
    return sections


def write_docs(rows, table, commands, load_before, load_after, repeat, cpu,
               notes):
    docs = ROOT / "docs"
    model, flags_ = cpu_info()
    family = cpu_family()
    key = section_key(model, family, flags_, cpu)
    slug = "".join(c if c.isalnum() else "-" for c in
                   "%s-%s-%s" % (family, isa_name(flags_), cpu)).lower()
    plot_line = plot(rows, docs / ("benchmarks-%s.svg" % slug))
    body = """
Run on {date} UTC: {model} ({family}; {isa}; {ncpu} CPUs visible), kernels
built with `--cpu {cpu}`; median of {repeat} runs each.

- load before: `{lb}`
- load after: `{la}`
{notes}
{table}

"vs" columns are time ratios (below 1: softmoe-mlir is faster); bf16 rows
compare with the peer's f32 time. GB/s counts only the expert weights (w1 and
w2) read once per call; the limit is the larger of the compute time at
{peak:.0f} GFLOP/s per thread and the weight bytes at {bw:.0f} GB/s (issue 4).

{plot}
Commands:

```
{cmds}
```

""".format(date=datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
           model=model, family=family, isa=isa_name(flags_),
           ncpu=os.cpu_count(), cpu=cpu, repeat=repeat, lb=load_before,
           la=load_after,
           notes="".join("- %s\n" % n for n in notes), table=table,
           peak=PEAK_GFLOPS_PER_CORE, bw=BANDWIDTH_GBS, plot=plot_line,
           cmds="\n".join(commands))
    path = docs / "benchmarks.md"
    sections = split_sections(path.read_text()) if path.exists() else {}
    sections[key] = body
    path.write_text(DOC_HEAD + "".join(
        "\n## %s\n%s" % (k, v.strip("\n") + "\n") for k, v in
        sections.items()))


if __name__ == "__main__":
    main()
