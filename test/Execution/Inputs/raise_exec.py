#!/usr/bin/env python3
"""Runs the frontend-style IR of the raise-*.mlir tests, before and after softmoe-raise-from-linalg.

  gen      --funcs A,B,...: those functions of test/Dialect/SoftMoE/Inputs/gen_raise_tests.py in one module,
           with a @main that calls each on the same deterministic inputs (dense constants; x, phi, w1, b1, w2, b2
           as softmoe_exec.py makes them at the tiny shape 2,16,32,4,2,64, plus a scale, a second phi and a
           shared [D,H] w1 for the functions that take them) and prints each y with printMemrefF32, in order.
           The inputs go to --npz.
  check    the printed outputs of functions whose math is CONTRACT.md's against its numpy form
           (softmoe_exec.reference): "PASS <func> ..." per function when max|y - ref| <= 1e-4 * max|ref|.
  compare  two runs of the same module (original and raised): "PASS <func> ..." per function when
           max|a - b| <= 1e-5 * max|a|.
Any FAIL exits 1.
"""
import argparse
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "Dialect", "SoftMoE", "Inputs"))
import gen_raise_tests as gen  # noqa: E402
import softmoe_exec as ex  # noqa: E402

# The generator's activation variants -> the contract's activations.
ACT_OF = dict({a: a for a in ex.softmoe_reference.ACTIVATIONS}, relu_select="relu")


def find(name):
    for _, (_, _, funcs) in gen.TESTS.items():
        for f in funcs:
            if f[0] == name:
                return f
    raise SystemExit(f"no function {name} in gen_raise_tests.TESTS")


def inputs(seed):
    ns = argparse.Namespace(shape=[2, 16, 32, 4, 2, 64], seed=seed, logit_scale=1.0, normalize=True,
                            mask="none", dtype="f32", act="gelu_tanh")
    t, _ = ex.make_inputs(ns)
    g = np.random.default_rng(seed + 1)
    t["phi2"] = (g.standard_normal((32, 4, 2), dtype=np.float32) / np.sqrt(32)).astype(np.float32)
    t["w1_shared"] = (g.standard_normal((32, 64), dtype=np.float32) / np.sqrt(32)).astype(np.float32)
    # A gated expert's first layer, 2H = 128 wide.
    t["w1_gated"] = (g.standard_normal((4, 32, 128), dtype=np.float32) / np.sqrt(32)).astype(np.float32)
    t["b1_gated"] = (0.1 * g.standard_normal((4, 128), dtype=np.float32)).astype(np.float32)
    return t


def function_text(name):
    _, style, kw, _, _ = find(name)
    kw = dict(kw)
    if kw.pop("dynamic", False):
        raise SystemExit(f"{name}: gen takes static functions only")
    extra = [("phi2", "dnp")] if "combine_other_logits" in kw.get("mutate", ()) else []
    return gen.function(name, style, extra, **kw)


def cmd_gen(a):
    t = inputs(a.seed)
    lines, calls = [], []
    consts = {}
    for name in a.funcs.split(","):
        text = function_text(name)
        lines += [text, ""]
        sig = re.match(r"func\.func @\w+\((.*?)\) ->", text).group(1)
        params = re.findall(r"%(\w+): (tensor<[^>]*>)", sig)
        args = []
        for p, ty in params:
            key = {("w1", "tensor<32x64xf32>"): "w1_shared", ("w1", "tensor<4x32x128xf32>"): "w1_gated",
                   ("b1", "tensor<4x128xf32>"): "b1_gated"}.get((p, ty), p)
            if key not in consts:
                arr = np.ascontiguousarray(t[key], dtype=np.float32)
                consts[key] = (f"%{key}_c", f'arith.constant dense<"0x{arr.tobytes().hex().upper()}"> : {ty}')
            args.append(consts[key][0])
        calls += [f"  %y_{name} = call @{name}({', '.join(args)}) : ({', '.join(ty for _, ty in params)}) "
                  f"-> tensor<2x16x32xf32>",
                  f"  %u_{name} = tensor.cast %y_{name} : tensor<2x16x32xf32> to tensor<*xf32>",
                  f"  call @printMemrefF32(%u_{name}) : (tensor<*xf32>) -> ()"]
    lines += ["func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}", "",
              "func.func @main() {"]
    lines += [f"  {v} = {c}" for v, c in consts.values()] + calls + ["  return", "}", ""]
    with open(a.mlir, "w") as f:
        f.write("\n".join(lines))
    np.savez(a.npz, **t)


def outputs(path, n):
    with open(path) as f:
        text = f.read()
    blocks = re.split(r"(?=Unranked Memref)", text)
    ys = [ex.parse_printed(b) for b in blocks if "data =" in b]
    if len(ys) != n:
        raise SystemExit(f"FAIL: {len(ys)} outputs in {path}, expected {n}")
    return ys


def report(ok, name, what):
    print(f"{'PASS' if ok else 'FAIL'} {name} {what}")
    return ok


def cmd_check(a):
    z = np.load(a.npz)
    t = {k: z[k] for k in z.files}
    names = a.funcs.split(",")
    ok = True
    for name, y in zip(names, outputs(a.output, len(names))):
        kw = find(name)[2]
        if kw.get("mutate"):
            raise SystemExit(f"{name} does not compute CONTRACT.md's layer")
        ins = {k: t[k] for k in ("x", "phi", "w1", "b1", "w2", "b2")}
        if ex.softmoe_reference.is_gated(ACT_OF[kw.get("act", "gelu_tanh")]):
            ins["w1"], ins["b1"] = t["w1_gated"], t["b1_gated"]
        if kw.get("normalize"):
            ins["scale"] = t["scale"] if kw.get("scale", True) else np.array(1.0, dtype=np.float32)
        ref = ex.reference(ins, ACT_OF[kw.get("act", "gelu_tanh")])
        err, scale = np.abs(y - ref).max(), np.abs(ref).max()
        ok &= report(bool(np.all(np.isfinite(y))) and err <= 1e-4 * scale, name,
                     f"max_abs_err={err:.3e} max_abs_ref={scale:.3e}")
    sys.exit(0 if ok else 1)


def cmd_compare(a):
    names = a.funcs.split(",")
    ok = True
    for name, ya, yb in zip(names, outputs(a.a, len(names)), outputs(a.b, len(names))):
        err, scale = np.abs(ya - yb).max(), np.abs(ya).max()
        finite = bool(np.all(np.isfinite(ya)) and np.all(np.isfinite(yb)))
        ok &= report(finite and err <= 1e-5 * scale, name, f"max_abs_diff={err:.3e} max_abs={scale:.3e}")
    sys.exit(0 if ok else 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--funcs", required=True)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--mlir", required=True)
    g.add_argument("--npz", required=True)
    c = sub.add_parser("check")
    c.add_argument("--funcs", required=True)
    c.add_argument("--npz", required=True)
    c.add_argument("--output", required=True)
    d = sub.add_parser("compare")
    d.add_argument("--funcs", required=True)
    d.add_argument("a")
    d.add_argument("b")
    a = ap.parse_args()
    dict(gen=cmd_gen, check=cmd_check, compare=cmd_compare)[a.cmd](a)


if __name__ == "__main__":
    main()
