#!/usr/bin/env python3
"""Inputs and checks for the robustness tests of the compiled layer
(docs/robustness.md), on top of softmoe_exec.py and its AOT driver layout.

  gen    like `softmoe_exec.py gen --aot` for the driver's layer (normalize,
         mask, dynamic B and M), but any of B and M may be 0, and --poison
         NAME:I,J,...:VALUE (repeatable) overwrites one element of an input
         with nan, inf or -inf (in the .npz and in the raw file alike).
  check  compares the driver's raw f32 output with CONTRACT.md evaluated in
         IEEE float64 arithmetic, where an all-masked group's 0/0 dispatch
         weight is the only NaN replaced (by 0): the NaN and +-inf positions
         must be exactly those of the reference, and every finite output
         within the contract's tolerance of it. Prints what it found, then
         PASS or FAIL (exit 1).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import softmoe_exec as se  # noqa: E402


def ieee_reference(t, act):
    """CONTRACT.md in float64, with NaN and inf propagating as IEEE says."""
    f = {k: v.astype(np.float64) for k, v in t.items() if k != "mask"}
    x, phi = f["x"], f["phi"]
    with np.errstate(all="ignore"):
        if "scale" in f:
            xn = x / np.sqrt((x * x).sum(-1, keepdims=True) + se.EPS)
            phin = f["scale"] * phi / np.sqrt((phi * phi).sum(0, keepdims=True) + se.EPS)
        else:
            xn, phin = x, phi
        logits = np.einsum("bmd,dnp->bmnp", xn, phin)
        B, M, N, P = logits.shape
        mask = t.get("mask", np.ones((B, M), dtype=bool))[:, :, None, None]
        lm = np.where(mask, logits, -np.inf)
        mx = lm.max(axis=1, keepdims=True) if M else np.full((B, 1, N, P), -np.inf)
        e = np.where(mask, np.exp(lm - mx), 0.0)
        s = e.sum(axis=1, keepdims=True)
        # Only an exact zero sum (every token masked) gives weight 0; a NaN sum
        # stays NaN.
        dispatch = np.where(s == 0, 0.0, e / np.where(s == 0, 1.0, s))
        flat = logits.reshape(B, M, N * P)
        c = np.exp(flat - flat.max(-1, keepdims=True)) if N * P else flat
        combine = np.where(mask, (c / c.sum(-1, keepdims=True)).reshape(B, M, N, P), 0.0)
        slots = np.einsum("bmnp,bmd->bnpd", dispatch, x)
        h = se.softmoe_reference.activation_np(np.einsum("bnpd,ndh->bnph", slots, f["w1"]) + f["b1"][None, :, None, :], act)
        out = np.einsum("bnph,nhd->bnpd", h, f["w2"]) + f["b2"][None, :, None, :]
        return np.einsum("bmnp,bnpd->bmd", combine, out)


def cmd_gen(a):
    B, M, D, N, P, H = a.shape
    # softmoe_exec draws the inputs (and its mask needs a token); a zero-size
    # B or M takes an empty slice of them.
    a.shape = [max(B, 1), max(M, 1), D, N, P, H]
    a.normalize, a.mask, a.logit_scale, a.dynamic = True, "ragged", 1.0, True
    t, _ = se.make_inputs(a)
    for k in ("x", "mask"):
        t[k] = t[k][:B, :M]
    for spec in a.poison:
        name, index, value = spec.split(":")
        idx = tuple(int(i) for i in index.split(",") if i)
        t[name] = t[name].copy()
        t[name][idx] = float(value)
    raw = {}
    for k in t:
        if k != "mask":
            t[k], raw[k] = se.round_to(t[k], a.dtype)
    np.savez(a.npz, act=a.act, dtype=a.dtype, **t)
    for k, v in raw.items():
        with open(os.path.join(a.aot, k + ".bin"), "wb") as fh:
            fh.write(v)
    with open(os.path.join(a.aot, "mask.bin"), "wb") as fh:
        fh.write(t["mask"].astype(np.uint8).tobytes())
    a.shape = [B, M, D, N, P, H]
    with open(a.mlir, "w") as fh:
        fh.write(se.layer_func(a, t)[0])


def cmd_check(a):
    z = np.load(a.npz)
    t = {k: z[k] for k in z.files if k not in ("act", "dtype")}
    dtype, act = str(z["dtype"]), str(z["act"])
    ref = ieee_reference(t, act)
    y = np.fromfile(a.output, dtype=np.float32).astype(np.float64)
    if y.size != ref.size:
        sys.exit(f"FAIL: {y.size} values in {a.output}, expected {ref.size}")
    y = y.reshape(ref.shape)
    ok = True
    nan_y, nan_r = np.isnan(y), np.isnan(ref)
    inf_y, inf_r = np.isinf(y), np.isinf(ref)
    print(f"shape {list(y.shape)}: nan {nan_y.sum()} (reference {nan_r.sum()}), "
          f"inf {inf_y.sum()} (reference {inf_r.sum()})")
    if not np.array_equal(nan_y, nan_r) or not np.array_equal(inf_y, inf_r) or \
            not np.array_equal(y[inf_y], ref[inf_r]):
        print("non-finite positions differ from the reference")
        ok = False
    # Groups without a non-finite output: their own, finite, results.
    finite = ~(nan_r | inf_r)
    groups = [b for b in range(y.shape[0]) if finite[b].all()]
    print(f"finite groups: {groups}")
    if finite.any():
        tol = 1e-4 if dtype == "f32" else 3e-2
        err = np.abs(y[finite] - ref[finite]).max()
        scale = max(np.abs(ref[finite]).max(), 1e-30)
        print(f"finite outputs: max_abs_err={err:.3e} rel={err / scale:.3e} tol={tol:g}")
        ok = ok and err <= tol * scale
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--shape", required=True, type=lambda s: [int(v) for v in s.split(",")])
    g.add_argument("--dtype", default="f32", choices=["f32", "bf16", "f16"])
    g.add_argument("--act", default="gelu_tanh", choices=se.softmoe_reference.ACTIVATIONS)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--poison", action="append", default=[], help="NAME:I,J,...:VALUE")
    g.add_argument("--aot", required=True)
    g.add_argument("--mlir", required=True)
    g.add_argument("--npz", required=True)
    c = sub.add_parser("check")
    c.add_argument("--npz", required=True)
    c.add_argument("--output", required=True)
    a = ap.parse_args()
    (cmd_gen if a.cmd == "gen" else cmd_check)(a)


if __name__ == "__main__":
    main()
