#!/usr/bin/env python3
"""Test driver of the numerical suite: runs the project's tools and the PyTorch
reference (scripts/softmoe_reference.py: shared/peers/softmoe_ref.py with the
gated activations) on the same inputs and applies the
tolerances of CONTRACT.md:  max|y - ref| <= tol * max|ref|,  tol = 1e-4 for
f32 and 3e-2 for bf16/f16 (whose reference runs in f32 on the same rounded
inputs).

  case       write inputs with the reference, optionally edit them (scale x,
             a large scale.npy, an all-masked group), round them for
             bf16/f16, run softmoe-bench (or softmoe-run on a model) and the
             reference, compare
  expect-error  run a command that must fail with exactly one stderr line
             and an empty stdout, and must leave no file in given folders
  bad-npy    write a malformed .npy of a given kind
  round      compare softmoe-run's widened bf16/f16 inputs with torch/numpy
             rounding of the same float32 values

The reference's command line is run in this process (runpy), so torch is
imported once per test instead of once per step.
"""
import argparse
import contextlib
import io
import json
import os
import runpy
import shutil
import struct
import subprocess
import sys

import numpy as np

TOLERANCE = {"f32": 1e-4, "bf16": 3e-2, "f16": 3e-2}
FLOAT_INPUTS = ["x", "phi", "w1", "b1", "w2", "b2", "scale"]
BENCH_KEYS = ["median_ms", "min_ms", "gflops", "compile_ms", "threads", "target", "dtype",
              "batch", "tokens", "dim", "experts", "slots", "hidden"]


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def run_reference(ref, args):
    """Runs softmoe_ref.py's main() with `args`; returns what it printed."""
    out = io.StringIO()
    argv = sys.argv
    sys.argv = [ref] + args
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(ref, run_name="__main__")
    finally:
        sys.argv = argv
    return out.getvalue()


def round_to(a, dtype):
    """float32 values rounded to nearest even in `dtype`, back as float32."""
    a = np.asarray(a, dtype=np.float32)
    if dtype == "f32":
        return a
    if dtype == "f16":
        return a.astype(np.float16).astype(np.float32)
    import torch
    # Not np.ascontiguousarray: it turns a 0-d array (scale) into a 1-d one.
    c = np.array(a, dtype=np.float32, order="C")
    return torch.from_numpy(c).to(torch.bfloat16).to(torch.float32).numpy().reshape(a.shape)


def run_tool(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail("%s exited with %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    lines = p.stdout.splitlines()
    if len(lines) != 1:
        fail("%s printed %d lines on stdout, expected one JSON line" % (cmd[0], len(lines)))
    try:
        return json.loads(lines[0])
    except json.JSONDecodeError as e:
        fail("%s printed invalid JSON (%s): %s" % (cmd[0], e, lines[0]))


def cmd_case(a):
    work = a.work
    shutil.rmtree(work, ignore_errors=True)
    inp, ref_dir, out_dir = (os.path.join(work, d) for d in ("in", "ref", "out"))
    shape = ["--batch", str(a.batch), "--tokens", str(a.tokens), "--dim", str(a.dim),
             "--experts", str(a.experts), "--slots", str(a.slots), "--hidden", str(a.hidden)]
    # The activation fixes the shapes of w1 and b1 (2H for a gated one).
    gen = shape + ["--seed", str(a.seed), "--activation", a.activation, "--write-inputs", inp]
    if a.normalize:
        gen.append("--normalize")
    if a.mask:
        gen.append("--mask")
    run_reference(a.ref, gen)

    def load(name):
        return np.load(os.path.join(inp, name + ".npy"))

    def save(name, v):
        np.save(os.path.join(inp, name + ".npy"), v)

    if a.x_scale != 1.0:
        save("x", (load("x") * np.float32(a.x_scale)).astype(np.float32))
    if a.scale_value is not None:
        if not a.normalize:
            fail("--scale-value needs --normalize")
        save("scale", np.array(a.scale_value, dtype=np.float32))
    if a.masked_group is not None:
        if not a.mask:
            fail("--masked-group needs --mask")
        m = load("mask")
        m[a.masked_group, :] = False
        save("mask", m)
    for name in FLOAT_INPUTS:
        path = os.path.join(inp, name + ".npy")
        if a.dtype != "f32" and os.path.exists(path):
            save(name, round_to(load(name), a.dtype))

    run_reference(a.ref, ["--inputs", inp, "--save-outputs", ref_dir, "--activation", a.activation,
                          "--repeat", "1", "--threads", "1"])
    ref = np.load(os.path.join(ref_dir, "y.npy")).astype(np.float64)

    if a.model:
        names = ["x", "phi", "w1", "b1", "w2", "b2"] + [n for n in ("scale", "mask")
                                                        if os.path.exists(os.path.join(inp, n + ".npy"))]
        cmd = ["softmoe-run", a.model, "--output-dir", out_dir, "--repeat", "1"]
        if a.entry:
            cmd += ["--entry", a.entry]
        cmd += a.tool_arg
        cmd += [os.path.join(inp, n + ".npy") for n in names]
        info = run_tool(cmd)
        y_path = os.path.join(out_dir, "result0.npy")
    else:
        cmd = ["softmoe-bench", "--inputs", inp, "--save-outputs", out_dir, "--dtype", a.dtype,
               "--activation", a.activation, "--repeat", "1", "--warmup", "0"]
        if a.threads:
            cmd += ["--threads", str(a.threads)]
        if a.target != "cpu":
            cmd += ["--target", a.target]
        cmd += a.tool_arg
        info = run_tool(cmd)
        missing = [k for k in BENCH_KEYS if k not in info]
        if missing:
            fail("softmoe-bench JSON lacks %s" % missing)
        got = [info[k] for k in ("batch", "tokens", "dim", "experts", "slots", "hidden")]
        want = [a.batch, a.tokens, a.dim, a.experts, a.slots, a.hidden]
        if got != want or info["dtype"] != a.dtype or info["target"] != a.target:
            fail("softmoe-bench JSON says shape %s dtype %s target %s" % (got, info["dtype"], info["target"]))
        y_path = os.path.join(out_dir, "y.npy")

    y = np.load(y_path)
    if y.dtype != np.float32 or y.shape != ref.shape:
        fail("y is %s %s, the reference %s" % (y.dtype, y.shape, ref.shape))
    if not np.isfinite(y).all():
        fail("y has %d non-finite values" % (~np.isfinite(y)).sum())
    if a.mask:
        mask = load("mask")
        padded = np.abs(y[~mask]).max() if (~mask).any() else 0.0
        if padded != 0.0:
            fail("masked tokens have non-zero output rows (max |y| = %g)" % padded)
    err = np.abs(y.astype(np.float64) - ref).max()
    scale = np.abs(ref).max()
    tol = TOLERANCE[a.dtype]
    desc = "dtype=%s act=%s B%d M%d D%d N%d P%d H%d%s%s" % (
        a.dtype, a.activation, a.batch, a.tokens, a.dim, a.experts, a.slots, a.hidden,
        " normalize" if a.normalize else "", " mask" if a.mask else "")
    stats = "max_abs_err=%.3g max_ref=%.3g rel=%.3g tol=%g median_ms=%.3f" % (
        err, scale, err / scale if scale else err, tol, info.get("median_ms", float("nan")))
    if not (scale > 0 and err <= tol * scale):
        fail(desc + " " + stats)
    print("PASS " + desc + " " + stats)


def cmd_expect_error(a):
    cmd = a.command[1:] if a.command and a.command[0] == "--" else a.command
    before = {d: set(os.listdir(d)) if os.path.isdir(d) else None for d in a.no_new_files}
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = p.stderr.splitlines()
    print("exit=%d" % p.returncode)
    for line in lines:
        print("stderr: " + line)
    if p.returncode == 0:
        fail("the command succeeded")
    if a.exit is not None and p.returncode != a.exit:
        fail("exit code %d, expected %d" % (p.returncode, a.exit))
    if p.returncode < 0 or p.returncode >= 128:
        fail("the command crashed (exit %d)" % p.returncode)
    if len(lines) != 1:
        fail("%d lines on stderr, expected one" % len(lines))
    if p.stdout:
        fail("stdout is not empty: %r" % p.stdout[:200])
    for d, old in before.items():
        new = set(os.listdir(d)) if os.path.isdir(d) else None
        if new is not None and new != (old or set()):
            fail("files were left in %s: %s" % (d, sorted(new - (old or set()))))
    print("OK")


def npy_bytes(header, data=b"", version=(1, 0)):
    header = header + " " * ((64 - (len(header) + 11) % 64) % 64) + "\n"
    fmt = "<H" if version[0] == 1 else "<I"
    return b"\x93NUMPY" + bytes(version) + struct.pack(fmt, len(header)) + header.encode() + data


def cmd_bad_npy(a):
    """Writes a malformed .npy of kind `a.kind` at `a.path` (from `a.like`
    when the kind edits a valid file)."""
    k = a.kind
    if k == "not-npy":
        data = b"this is not an npy file\n"
    elif k == "bad-header":
        data = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}")
    elif k == "extra-key":
        data = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1, }", b"\0" * 4)
    elif k == "version4":
        data = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", b"\0" * 4, (4, 0))
    elif k == "header-overrun":
        data = b"\x93NUMPY\x01\x00" + struct.pack("<H", 60000) + b"{'descr'"
    elif k == "huge-shape":
        data = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }")
    elif k in ("truncate", "trailing", "f64", "fortran", "float32", "bool2"):
        v = np.load(a.like)
        if k == "truncate":
            raw = open(a.like, "rb").read()
            data = raw[:len(raw) - 4]
        elif k == "trailing":
            data = open(a.like, "rb").read() + b"\0\0"
        else:
            buf = io.BytesIO()
            if k == "f64":
                np.save(buf, v.astype(np.float64))
            elif k == "fortran":
                np.save(buf, np.asfortranarray(v.reshape(v.shape[0], -1)))
            elif k == "float32":
                np.save(buf, v.astype(np.float32))
            elif k == "bool2":
                np.save(buf, v)
                raw = bytearray(buf.getvalue())
                raw[-1] = 2
                buf = io.BytesIO(bytes(raw))
            data = buf.getvalue()
    else:
        fail("unknown kind " + k)
    with open(a.path, "wb") as f:
        f.write(data)


def cmd_round(a):
    """Writes special float32 values, runs softmoe-run on a model that widens
    bf16/f16 arguments back to f32, and compares bit for bit."""
    os.makedirs(a.work, exist_ok=True)
    rng = np.random.default_rng(0)
    special = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 65504.0, 65519.99, 65520.0, 1e6,
                        2.0 ** -24, 2.0 ** -25, 1.5 * 2.0 ** -25, 2.0 ** -14, 3.0 * 2.0 ** -26, 1e-8,
                        1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, 1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11,
                        3.3895314e38, np.finfo(np.float32).max, np.finfo(np.float32).tiny, 1e-40],
                       dtype=np.float32)
    bits = rng.integers(0, 2 ** 32, size=4096, dtype=np.uint64).astype(np.uint32)
    values = np.concatenate([special, -special, bits.view(np.float32), rng.standard_normal(1000).astype(np.float32)])
    src = os.path.join(a.work, "values.npy")
    np.save(src, values)
    out = os.path.join(a.work, "out")
    info = run_tool(["softmoe-run", a.model, "--entry", a.entry, "--output-dir", out, src])
    got = np.load(os.path.join(out, "result0.npy"))
    want = round_to(values, a.dtype)
    same = (got.view(np.uint32) == want.view(np.uint32)) | (np.isnan(got) & np.isnan(want))
    if got.shape != want.shape or not same.all():
        i = int(np.argmin(same))
        fail("%s rounding differs at %d: %r -> %r, expected %r" % (a.dtype, i, values[i], got[i], want[i]))
    print("PASS %s rounding of %d values matches %s" % (a.dtype, values.size,
                                                      "numpy" if a.dtype == "f16" else "torch"))


def cmd_plumbing(a):
    """Feeds @negate_where .npy files of every header version (1.0, 2.0, 3.0)
    through positional inputs and --input flags, and checks both results
    exactly: where(mask, -x, x) as float32 and the mask as bool."""
    os.makedirs(a.work, exist_ok=True)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((a.rows, a.cols)).astype(np.float32)
    mask = rng.random((a.rows, a.cols)) < 0.5
    for version in [(1, 0), (2, 0), (3, 0)]:
        tag = "v%d" % version[0]
        paths = []
        for name, v in (("x", x), ("mask", mask)):
            path = os.path.join(a.work, "%s_%s.npy" % (name, tag))
            with open(path, "wb") as f:
                np.lib.format.write_array(f, v, version=version)
            paths.append(path)
        for style in ("positional", "flags"):
            out = os.path.join(a.work, "out_%s_%s" % (tag, style))
            cmd = ["softmoe-run", a.model, "--entry", "negate_where", "--output-dir", out, "--repeat", "2",
                   "--warmup", "1"]
            cmd += paths if style == "positional" else ["--input", paths[0], "--input", paths[1]]
            info = run_tool(cmd)
            y = np.load(os.path.join(out, "result0.npy"))
            m = np.load(os.path.join(out, "result1.npy"))
            if y.dtype != np.float32 or not np.array_equal(y, np.where(mask, -x, x)):
                fail("result0 of %s %s is wrong" % (tag, style))
            if m.dtype != np.bool_ or not np.array_equal(m, mask):
                fail("result1 of %s %s is wrong" % (tag, style))
            r = info["results"]
            if [r[0]["shape"], r[1]["shape"], r[0]["dtype"], r[1]["dtype"]] != \
                    [[a.rows, a.cols], [a.rows, a.cols], "f32", "i1"]:
                fail("softmoe-run JSON results: %s" % r)
            if abs(r[0]["sum"] - float(np.where(mask, -x, x).astype(np.float64).sum())) > 1e-3:
                fail("softmoe-run JSON sum %s" % r[0]["sum"])
            if info["samples"] != 2 or not info["min_ms"] <= info["median_ms"] <= info["max_ms"]:
                fail("softmoe-run JSON timing: %s" % info)
    print("PASS npy versions 1.0 2.0 3.0, positional and --input, %dx%d f32 and bool" % (a.rows, a.cols))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("case")
    c.add_argument("--ref", required=True)
    c.add_argument("--work", required=True)
    for k, v in dict(batch=2, tokens=16, dim=32, experts=4, slots=2, hidden=64, seed=0, threads=0).items():
        c.add_argument("--" + k, type=int, default=v)
    c.add_argument("--dtype", default="f32", choices=sorted(TOLERANCE))
    c.add_argument("--activation", default="gelu_tanh")
    c.add_argument("--normalize", action="store_true")
    c.add_argument("--mask", action="store_true")
    c.add_argument("--x-scale", type=float, default=1.0)
    c.add_argument("--scale-value", type=float)
    c.add_argument("--masked-group", type=int)
    c.add_argument("--model", help="run this .mlir with softmoe-run instead of softmoe-bench")
    c.add_argument("--entry")
    c.add_argument("--target", default="cpu", choices=["cpu", "cuda"])
    c.add_argument("--tool-arg", action="append", default=[],
                   help="pass to softmoe-bench or softmoe-run (as --tool-arg=--flag=value)")
    e = sub.add_parser("expect-error")
    e.add_argument("--exit", type=int)
    e.add_argument("--no-new-files", action="append", default=[])
    e.add_argument("command", nargs=argparse.REMAINDER)
    b = sub.add_parser("bad-npy")
    b.add_argument("kind")
    b.add_argument("path")
    b.add_argument("--like")
    r = sub.add_parser("round")
    r.add_argument("--work", required=True)
    r.add_argument("--model", required=True)
    r.add_argument("--entry", required=True)
    r.add_argument("--dtype", required=True, choices=["bf16", "f16"])
    pl = sub.add_parser("plumbing")
    pl.add_argument("--work", required=True)
    pl.add_argument("--model", required=True)
    pl.add_argument("--rows", type=int, default=3)
    pl.add_argument("--cols", type=int, default=5)
    a = ap.parse_args()
    {"plumbing": cmd_plumbing, "case": cmd_case, "expect-error": cmd_expect_error, "bad-npy": cmd_bad_npy, "round": cmd_round}[a.cmd](a)


if __name__ == "__main__":
    main()
