#!/usr/bin/env python3
"""Executable checks of the CPU pipeline against a numpy form of CONTRACT.md.

  gen    writes deterministic inputs (numpy, --seed) to an .npz and either
         - an MLIR module: @layer (one softmoe.layer) plus a @main that calls it
           on the inputs embedded as dense constants and prints y with
           printMemrefF32 (for mlir-runner), or
         - with --aot DIR, the module with @layer alone plus raw little-endian
           input files DIR/<name>.bin for a C driver.
  check  parses y (printMemrefF32 output, or a raw f32 file with --raw), computes
         the reference in float64 on the same (rounded) inputs and prints
         "PASS ..." or "FAIL ..." (exit 1): max|y - ref| <= tol * max|ref|, with
         tol 1e-4 for f32 and 3e-2 for bf16/f16 (the contract's tolerances), and
         no NaN or inf anywhere.
"""
import argparse
import os
import re
import sys

import numpy as np

# The activations (names and formulas) of scripts/softmoe_reference.py.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts"))
import softmoe_reference  # noqa: E402

EPS = 1e-6


# ----------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------

def round_to(a, dtype):
    """a (f32) rounded to dtype, returned as f32, plus the raw storage bytes."""
    a = np.array(a, dtype=np.float32, order="C")  # keeps rank 0
    if dtype == "f32":
        return a, a.tobytes()
    if dtype == "f16":
        h = a.astype(np.float16)
        return h.astype(np.float32), h.tobytes()
    # bf16: round to nearest even on the upper 16 bits of the f32 pattern
    # (on a flat copy: numpy scalars of 0-d arrays do not keep uint types).
    bits = a.reshape(-1).view(np.uint32).astype(np.uint64)
    one, half, sh = np.uint64(1), np.uint64(0x7FFF), np.uint64(16)
    b16 = ((bits + half + ((bits >> sh) & one)) >> sh).astype(np.uint16)
    f = (b16.astype(np.uint32) << np.uint32(16)).view(np.float32)
    return f.reshape(a.shape), b16.tobytes()


def make_inputs(a):
    B, M, D, N, P, H = a.shape
    G = softmoe_reference.first_layer_width(a.act, H)  # 2H for a gated activation
    g = np.random.default_rng(a.seed)
    t = {
        "x": g.standard_normal((B, M, D), dtype=np.float32),
        "phi": g.standard_normal((D, N, P), dtype=np.float32) / np.sqrt(D) * a.logit_scale,
        "w1": g.standard_normal((N, D, G), dtype=np.float32) / np.sqrt(D),
        "b1": 0.1 * g.standard_normal((N, G), dtype=np.float32),
        "w2": g.standard_normal((N, H, D), dtype=np.float32) / np.sqrt(H),
        "b2": 0.1 * g.standard_normal((N, D), dtype=np.float32),
    }
    if a.normalize:
        t["scale"] = np.array(3.0, dtype=np.float32)
    if a.mask != "none":
        mask = np.ones((B, M), dtype=bool)
        for b in range(B):  # ragged groups: the tail is padding
            mask[b, M - 1 - (b * 3) % max(1, M // 2):] = False
        mask[:, 0] = True
        if a.mask == "all-masked-group":
            mask[0, :] = False
        t["mask"] = mask
    raw = {}
    for k in list(t):
        if k != "mask":
            t[k], raw[k] = round_to(t[k], a.dtype)
    return t, raw


# ----------------------------------------------------------------------------
# MLIR
# ----------------------------------------------------------------------------

def ttype(shape, elem):
    return "tensor<" + "".join(f"{d}x" for d in shape) + elem + ">"


def layer_func(a, t):
    B, M, D, N, P, H = a.shape
    G = softmoe_reference.first_layer_width(a.act, H)
    e = a.dtype
    bm = ["?", "?"] if a.dynamic else [B, M]
    types = {
        "x": ttype(bm + [D], e), "phi": ttype([D, N, P], e), "w1": ttype([N, D, G], e),
        "b1": ttype([N, G], e), "w2": ttype([N, H, D], e), "b2": ttype([N, D], e),
        "scale": ttype([], e), "mask": ttype(bm, "i1"),
    }
    names = [k for k in ["x", "phi", "w1", "b1", "w2", "b2", "scale", "mask"] if k in t]
    args = ", ".join(f"%{k}: {types[k]}" for k in names)
    opt = ""
    if "scale" in t:
        opt += f" scale(%scale : {types['scale']})"
    if "mask" in t:
        opt += f" mask(%mask : {types['mask']})"
    if a.normalize:
        opt += " normalize"
    opt += f" activation<{a.act}>"
    sig = ", ".join(types[k] for k in ["x", "phi", "w1", "b1", "w2", "b2"])
    text = (f"func.func @layer({args}) -> {types['x']} {{\n"
            f"  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2{opt}\n"
            f"      : {sig}\n"
            f"  return %y : {types['x']}\n}}\n")
    return text, names, types


def dense(name, arr, raw, elem):
    shape = list(arr.shape)
    if name == "mask":
        body = np.array2string(arr, separator=",", threshold=sys.maxsize).replace("True", "true").replace("False", "false")
        return f"dense<{body}> : {ttype(shape, 'i1')}"
    return f'dense<"0x{raw.hex().upper()}"> : {ttype(shape, elem)}'


def gen_runner_module(a, t, raw):
    B, M, D, _, _, _ = a.shape
    layer, names, types = layer_func(a, t)
    e = a.dtype
    lines = [layer,
             "func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}\n",
             "func.func @main() {"]
    call_args = []
    for k in names:
        static = ttype(list(t[k].shape), "i1" if k == "mask" else e)
        lines.append(f"  %{k}_c = arith.constant {dense(k, t[k], raw.get(k), e)}")
        if static != types[k]:
            lines.append(f"  %{k}_a = tensor.cast %{k}_c : {static} to {types[k]}")
            call_args.append(f"%{k}_a")
        else:
            call_args.append(f"%{k}_c")
    ys = ttype([B, M, D], e)
    yf = ttype([B, M, D], "f32")
    lines.append(f"  %y = call @layer({', '.join(call_args)}) : "
                 f"({', '.join(types[k] for k in names)}) -> {types['x']}")
    y = "%y"
    if types["x"] != ys:
        lines.append(f"  %ys = tensor.cast %y : {types['x']} to {ys}")
        y = "%ys"
    if e != "f32":
        lines += [
            f"  %init = tensor.empty() : {yf}",
            "  %yf = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>,"
            " affine_map<(a, b, c) -> (a, b, c)>], iterator_types = [\"parallel\", \"parallel\", \"parallel\"]}",
            f"      ins({y} : {ys}) outs(%init : {yf}) {{",
            f"  ^bb0(%v: {e}, %o: f32):",
            f"    %w = arith.extf %v : {e} to f32",
            "    linalg.yield %w : f32",
            f"  }} -> {yf}"]
        y = "%yf"
    lines += [f"  %u = tensor.cast {y} : {yf} to tensor<*xf32>",
              "  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()",
              "  return", "}", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------
# Reference (CONTRACT.md in float64)
# ----------------------------------------------------------------------------

def reference(t, act):
    f = {k: v.astype(np.float64) for k, v in t.items() if k != "mask"}
    x, phi = f["x"], f["phi"]
    if "scale" in f:
        xn = x / np.sqrt((x * x).sum(-1, keepdims=True) + EPS)
        phin = f["scale"] * phi / np.sqrt((phi * phi).sum(0, keepdims=True) + EPS)
    else:
        xn, phin = x, phi
    logits = np.einsum("bmd,dnp->bmnp", xn, phin)
    B, M, N, P = logits.shape
    mask = t.get("mask", np.ones((B, M), dtype=bool))[:, :, None, None]
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        lm = np.where(mask, logits, -np.inf)
        mx = lm.max(axis=1, keepdims=True)
        e = np.where(mask, np.exp(lm - mx), 0.0)
        s = e.sum(axis=1, keepdims=True)
        dispatch = np.where(s > 0, e / np.where(s > 0, s, 1), 0.0)
        flat = logits.reshape(B, M, N * P)
        c = np.exp(flat - flat.max(-1, keepdims=True))
        combine = np.where(mask, (c / c.sum(-1, keepdims=True)).reshape(B, M, N, P), 0.0)
    slots = np.einsum("bmnp,bmd->bnpd", dispatch, x)
    h = softmoe_reference.activation_np(
        np.einsum("bnpd,ndh->bnph", slots, f["w1"]) + f["b1"][None, :, None, :], act)
    out = np.einsum("bnph,nhd->bnpd", h, f["w2"]) + f["b2"][None, :, None, :]
    return np.einsum("bmnp,bnpd->bmd", combine, out)


# ----------------------------------------------------------------------------
# Output parsing and the check
# ----------------------------------------------------------------------------

NUM = re.compile(r"[-+]?(?:nan|inf|\d+\.?\d*(?:e[-+]?\d+)?)", re.IGNORECASE)


def parse_printed(text):
    m = re.search(r"sizes = \[([\d, ]*)\].*?data =", text, re.S)
    if not m:
        raise SystemExit("FAIL: no printMemrefF32 output found")
    shape = [int(s) for s in m.group(1).split(",") if s.strip()]
    vals = [float(v) for v in NUM.findall(text[m.end():])]
    if len(vals) != int(np.prod(shape)):
        raise SystemExit(f"FAIL: {len(vals)} values printed for shape {shape}")
    return np.array(vals).reshape(shape)


def cmd_gen(a):
    t, raw = make_inputs(a)
    np.savez(a.npz, act=a.act, dtype=a.dtype, **t)
    if a.aot:
        for k, v in raw.items():
            with open(f"{a.aot}/{k}.bin", "wb") as fh:
                fh.write(v)
        if "mask" in t:
            with open(f"{a.aot}/mask.bin", "wb") as fh:
                fh.write(t["mask"].astype(np.uint8).tobytes())
        text = layer_func(a, t)[0]
    else:
        text = gen_runner_module(a, t, raw)
    with open(a.mlir, "w") as fh:
        fh.write(text)


def cmd_check(a):
    z = np.load(a.npz)
    t = {k: z[k] for k in z.files if k not in ("act", "dtype")}
    dtype, act = str(z["dtype"]), str(z["act"])
    ref = reference(t, act)
    if a.raw:
        y = np.fromfile(a.output, dtype=np.float32).astype(np.float64)
        if y.size != ref.size:
            raise SystemExit(f"FAIL: {y.size} values in {a.output}, expected {ref.size}")
        y = y.reshape(ref.shape)
    else:
        with open(a.output) as fh:
            y = parse_printed(fh.read())
    if y.shape != ref.shape:
        raise SystemExit(f"FAIL: shape {list(y.shape)}, expected {list(ref.shape)}")
    if not np.all(np.isfinite(y)):
        raise SystemExit(f"FAIL: {np.count_nonzero(~np.isfinite(y))} non-finite outputs")
    tol = 1e-4 if dtype == "f32" else 3e-2
    err = np.abs(y - ref).max()
    scale = np.abs(ref).max()
    status = "PASS" if err <= tol * scale else "FAIL"
    # Masked tokens must come out exactly zero.
    if "mask" in t:
        zero_rows = np.all(y[~t["mask"]] == 0)
        print(f"masked rows zero: {bool(zero_rows)}")
        if not zero_rows:
            status = "FAIL"
    print(f"{status} dtype={dtype} act={act} shape={list(y.shape)} max_abs_err={err:.3e} "
          f"max_abs_ref={scale:.3e} rel={err / scale:.3e} tol={tol:g}")
    if status != "PASS":
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--shape", required=True, type=lambda s: [int(v) for v in s.split(",")],
                   help="B,M,D,N,P,H")
    g.add_argument("--dtype", default="f32", choices=["f32", "bf16", "f16"])
    g.add_argument("--act", default="gelu_tanh", choices=softmoe_reference.ACTIVATIONS)
    g.add_argument("--normalize", action="store_true")
    g.add_argument("--mask", default="none", choices=["none", "ragged", "all-masked-group"])
    g.add_argument("--logit-scale", type=float, default=1.0,
                   help="multiplies phi, so logits have about this magnitude")
    g.add_argument("--dynamic", action="store_true", help="B and M dynamic in @layer")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--mlir", required=True)
    g.add_argument("--npz", required=True)
    g.add_argument("--aot", help="write raw inputs here and only @layer to --mlir")
    c = sub.add_parser("check")
    c.add_argument("--npz", required=True)
    c.add_argument("--output", required=True)
    c.add_argument("--raw", action="store_true", help="output is raw little-endian f32")
    a = ap.parse_args()
    if a.cmd == "gen" and len(a.shape) != 6:
        ap.error("--shape takes six sizes B,M,D,N,P,H")
    (cmd_gen if a.cmd == "gen" else cmd_check)(a)


if __name__ == "__main__":
    main()
