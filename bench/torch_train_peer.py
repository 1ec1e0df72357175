#!/usr/bin/env python3
# ===- torch_train_peer.py - PyTorch autograd forward+backward peer ---------===#
#
# The training peer of softmoe-bench --mode train: PyTorch eager forward of
# scripts/softmoe_reference.py's softmoe() (../shared/peers/softmoe_ref.py's,
# with the gated activations) and torch.autograd's backward of
# <y, dy>, on the same --inputs folder (dy.npy there, else seeded random).
# Prints one JSON line: median_ms (forward + backward), forward_ms, threads.
#
#   bench/torch_train_peer.py --inputs DIR [--threads T] [--repeat R]
#                             [--activation A] [--save-outputs DIR]
#
# ===------------------------------------------------------------------------===#

import argparse
import importlib.util
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np
import torch

REF = Path(__file__).resolve().parent.parent / "scripts" / "softmoe_reference.py"
GRADS = ["x", "phi", "w1", "b1", "w2", "b2", "scale"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--save-outputs")
    ap.add_argument("--ref", default=str(REF))
    spec = importlib.util.spec_from_file_location("softmoe_reference", REF)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    ap.add_argument("--activation", default="gelu_tanh", choices=ref.ACTIVATIONS)
    a = ap.parse_args()
    if a.ref != str(REF):
        spec = importlib.util.spec_from_file_location("softmoe_ref", a.ref)
        ref = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(ref)
    torch.set_num_threads(a.threads)

    t = {f[:-4]: np.load(os.path.join(a.inputs, f)) for f in os.listdir(a.inputs)
         if f.endswith(".npy")}
    if "dy" not in t:
        t["dy"] = np.random.default_rng(0).standard_normal(t["x"].shape, dtype=np.float32)
    leaves = {k: torch.tensor(t[k], requires_grad=True) for k in GRADS if k in t}
    mask = torch.from_numpy(t["mask"]) if "mask" in t else None
    dy = torch.from_numpy(t["dy"])

    def step():
        for v in leaves.values():
            v.grad = None
        t0 = time.perf_counter()
        y = ref.softmoe(leaves["x"], leaves["phi"], leaves["w1"], leaves["b1"], leaves["w2"],
                        leaves["b2"], scale=leaves.get("scale"), mask=mask, act=a.activation)
        t1 = time.perf_counter()
        y.backward(dy)
        t2 = time.perf_counter()
        return y, t1 - t0, t2 - t0

    for _ in range(a.warmup):
        step()
    fwd, total = [], []
    for _ in range(a.repeat):
        y, f, s = step()
        fwd.append(f)
        total.append(s)
    if a.save_outputs:
        os.makedirs(a.save_outputs, exist_ok=True)
        np.save(os.path.join(a.save_outputs, "y.npy"), y.detach().numpy())
        for k, v in leaves.items():
            np.save(os.path.join(a.save_outputs, "d%s.npy" % k), v.grad.numpy())
    print(json.dumps(dict(peer="torch-autograd-" + torch.__version__, mode="train",
                          median_ms=statistics.median(total) * 1e3,
                          min_ms=min(total) * 1e3,
                          forward_ms=statistics.median(fwd) * 1e3, threads=a.threads)))


if __name__ == "__main__":
    main()
