#!/usr/bin/env python3
"""The ViT encoder block of examples/vit_block.mlir in PyTorch, its inputs, and the check of a run.

  vit_block.py write --dir DIR [--seed S]
      builds the block from torch modules (nn.LayerNorm, nn.MultiheadAttention, and the Soft MoE layer of
      shared/peers/softmoe_ref.py) with seeded random weights, writes the 18 arguments of @vit_block as
      DIR/in/NN_name.npy (NN = argument position, so a sorted glob is the argument order) and the block's
      outputs on them, y and the Soft MoE branch, as DIR/ref_y.npy and DIR/ref_moe.npy.
  vit_block.py compare --dir DIR --y Y.npy --moe MOE.npy
      for each of the two: "PASS ..." when max|out - ref| <= 1e-4 * max|ref| (CONTRACT.md's f32 tolerance)
      and nothing is NaN or inf, else "FAIL ..." (and exit 1 at the end).
"""
import argparse
import os
import sys

import numpy as np

B, M, D, HEADS, N, P, H = 2, 65, 192, 3, 8, 2, 384
DH = D // HEADS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def block(peers, seed):
    import torch
    sys.path.insert(0, peers)
    import softmoe_ref

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    ln1 = torch.nn.LayerNorm(D, eps=1e-6)
    ln2 = torch.nn.LayerNorm(D, eps=1e-6)
    attn = torch.nn.MultiheadAttention(D, HEADS, batch_first=True)
    with torch.no_grad():  # non-trivial affine parameters and biases everywhere
        for ln in (ln1, ln2):
            ln.weight.copy_(1 + 0.1 * torch.randn(D))
            ln.bias.copy_(0.1 * torch.randn(D))
        attn.in_proj_bias.copy_(0.1 * torch.randn(3 * D))
        attn.out_proj.bias.copy_(0.1 * torch.randn(D))
    moe = softmoe_ref.make_inputs(B, M, D, N, P, H, seed, normalize=False, masked=False)
    moe = {k: torch.from_numpy(v) for k, v in moe.items()}
    x = torch.randn(B, M, D)

    with torch.no_grad():
        xn = ln1(x)
        a, _ = attn(xn, xn, xn, need_weights=False)
        h = x + a
        branch = softmoe_ref.softmoe(ln2(h), moe["phi"], moe["w1"], moe["b1"], moe["w2"], moe["b2"],
                                     act="gelu_tanh")
        y = h + branch

    # torch computes q = xn @ Wq^T + bq with head h in rows h*64:(h+1)*64 of Wq; the MLIR reads
    # wq[d, h, e] = Wq[h*64 + e, d] and wo[h, e, d] = Wo[d, h*64 + e].
    wq, wk, wv = attn.in_proj_weight.detach().chunk(3)
    bq, bk, bv = attn.in_proj_bias.detach().chunk(3)
    heads = lambda w: w.T.reshape(D, HEADS, DH)
    args = [
        ("x", x), ("ln1_g", ln1.weight), ("ln1_b", ln1.bias),
        ("wq", heads(wq)), ("bq", bq.reshape(HEADS, DH)),
        ("wk", heads(wk)), ("bk", bk.reshape(HEADS, DH)),
        ("wv", heads(wv)), ("bv", bv.reshape(HEADS, DH)),
        ("wo", attn.out_proj.weight.detach().T.reshape(HEADS, DH, D)), ("bo", attn.out_proj.bias),
        ("ln2_g", ln2.weight), ("ln2_b", ln2.bias),
        ("phi", moe["phi"]), ("w1", moe["w1"]), ("b1", moe["b1"]), ("w2", moe["w2"]), ("b2", moe["b2"]),
    ]
    return ([(n, np.ascontiguousarray(t.detach().numpy(), dtype=np.float32)) for n, t in args],
            {"y": y.numpy(), "moe": branch.numpy()})


def cmd_write(a):
    args, refs = block(a.peers, a.seed)
    os.makedirs(os.path.join(a.dir, "in"), exist_ok=True)
    for i, (name, arr) in enumerate(args):
        np.save(os.path.join(a.dir, "in", f"{i:02d}_{name}.npy"), arr)
    for name, ref in refs.items():
        np.save(os.path.join(a.dir, f"ref_{name}.npy"), ref.astype(np.float32))


def compare_one(name, path, ref):
    try:
        out = np.load(path).astype(np.float64)
    except (OSError, ValueError) as e:
        print(f"FAIL {name}: cannot read {path}: {e}")
        return False
    if out.shape != ref.shape:
        print(f"FAIL {name}: shape {list(out.shape)}, expected {list(ref.shape)}")
        return False
    if not np.all(np.isfinite(out)):
        print(f"FAIL {name}: {np.count_nonzero(~np.isfinite(out))} non-finite outputs")
        return False
    err, scale = np.abs(out - ref).max(), np.abs(ref).max()
    ok = err <= 1e-4 * scale
    print(f"{'PASS' if ok else 'FAIL'} {name} shape={list(out.shape)} max_abs_err={err:.3e} "
          f"max_abs_ref={scale:.3e} rel={err / scale:.3e} tol=1e-4")
    return ok


def cmd_compare(a):
    ok = True
    for name, path in (("y", a.y), ("moe", a.moe)):
        ref = np.load(os.path.join(a.dir, f"ref_{name}.npy")).astype(np.float64)
        ok &= compare_one(name, path, ref)
    sys.exit(0 if ok else 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("--dir", required=True)
    w.add_argument("--seed", type=int, default=0)
    w.add_argument("--peers", default=os.path.join(ROOT, "..", "shared", "peers"),
                   help="folder with softmoe_ref.py (default: ../shared/peers beside the repository)")
    c = sub.add_parser("compare")
    c.add_argument("--dir", required=True)
    c.add_argument("--y", required=True, help="the block's output as run")
    c.add_argument("--moe", required=True, help="the Soft MoE branch as run")
    a = ap.parse_args()
    (cmd_write if a.cmd == "write" else cmd_compare)(a)


if __name__ == "__main__":
    main()
