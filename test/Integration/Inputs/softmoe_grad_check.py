#!/usr/bin/env python3
"""Gradient tests of softmoe-generate-vjp, through the project's tools:

  layer   softmoe-bench --mode train on the reference's inputs (optionally
          bf16-rounded, an all-masked group) and a random dy; every gradient
          against torch.autograd of the reference's softmoe() (--ref:
          scripts/softmoe_reference.py, the peer's with the gated ones) in
          float64, tolerance * max|reference gradient| per tensor (1e-4 f32,
          3e-2 bf16/f16, the rounded inputs fed to the reference)
  fd      central finite differences of the compiled forward (softmoe-bench
          inference mode, f32) along a random direction per parameter,
          against <gradient, direction> from --mode train
  sgd     a few SGD steps on 0.5 |y - target|^2 with the compiled forward and
          backward, and the same steps in PyTorch (float64): the losses must
          fall, and match PyTorch's at every step
  ops     each stage op alone (router with/without normalize, dispatch and
          combine with/without a mask, expert_apply with every activation of
          the reference's list, gated ones included):
          softmoe-opt --softmoe-generate-vjp, softmoe-run on @f_fwd and @f_vjp,
          against torch.autograd in float64
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
TOL = {"f32": 1e-4, "bf16": 3e-2, "f16": 3e-2}
GRADS = ["x", "phi", "w1", "b1", "w2", "b2", "scale"]


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail("%s exited with %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return p.stdout


def load_ref(path):
    import importlib.util
    spec = importlib.util.spec_from_file_location("softmoe_ref", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def rounded(a, dtype):
    a = np.asarray(a, dtype=np.float32)
    if dtype == "f32":
        return a
    if dtype == "f16":
        return a.astype(np.float16).astype(np.float32)
    c = np.array(a, dtype=np.float32, order="C")
    return torch.from_numpy(c).to(torch.bfloat16).to(torch.float32).numpy().reshape(a.shape)


def make_case(ref, a):
    B, M, D, N, P, H = a.shape
    t = ref.make_inputs(B, M, D, N, P, H, a.seed, a.normalize, a.mask != "none", act=a.act)
    if a.mask == "all-masked-group":
        t["mask"][-1, :] = False
    g = np.random.default_rng(a.seed + 7)
    t["dy"] = g.standard_normal((B, M, D), dtype=np.float32)
    return t


def reference_grads(ref, t, act, dtype):
    """y and the gradients of <y, dy> in float64 (inputs rounded to dtype)."""
    leaves = {}
    for k in GRADS:
        if k in t:
            leaves[k] = torch.tensor(rounded(t[k], dtype), dtype=torch.float64,
                                     requires_grad=True)
    mask = torch.from_numpy(t["mask"]) if "mask" in t else None
    y = ref.softmoe(leaves["x"], leaves["phi"], leaves["w1"], leaves["b1"], leaves["w2"],
                    leaves["b2"], scale=leaves.get("scale"), mask=mask, act=act)
    dy = torch.tensor(rounded(t["dy"], dtype), dtype=torch.float64)
    (y * dy).sum().backward()
    return y.detach().numpy(), {k: v.grad.numpy() for k, v in leaves.items()}


def save_inputs(t, work, keys):
    os.makedirs(work, exist_ok=True)
    for k in keys:
        if k in t:
            np.save(os.path.join(work, k + ".npy"), t[k])


def bench(a, work, out, mode, extra=()):
    cmd = [a.bench, "--inputs", work, "--save-outputs", out, "--mode", mode,
           "--repeat", "1", "--warmup", "0", "--activation", a.act, "--dtype", a.dtype,
           "--threads", str(a.threads)] + list(extra)
    run(cmd)


def compare(name, got, want, tol):
    if got.shape != want.shape:
        fail("%s has shape %s, expected %s" % (name, got.shape, want.shape))
    if not np.all(np.isfinite(got)):
        fail("%s has non-finite values" % name)
    scale = max(np.abs(want).max(), 1e-30)
    err = np.abs(got.astype(np.float64) - want).max()
    if err > tol * scale:
        fail("%s: max|err| = %.3g > %.1g * max|ref| = %.3g" % (name, err, tol, tol * scale))
    return err / scale


def cmd_layer(a):
    ref = load_ref(a.ref)
    t = make_case(ref, a)
    work = os.path.join(a.work, "in")
    out = os.path.join(a.work, "out")
    save_inputs(t, work, GRADS + ["mask", "dy"])
    extra = ["--recompute-hidden"] if a.recompute_hidden else []
    bench(a, work, out, "train", extra)
    y_ref, g_ref = reference_grads(ref, t, a.act, a.dtype)
    tol = TOL[a.dtype]
    worst = compare("y", np.load(os.path.join(out, "y.npy")), y_ref, tol)
    for k, want in g_ref.items():
        got = np.load(os.path.join(out, "d%s.npy" % k))
        if got.dtype != np.float32:
            fail("d%s.npy is %s, not float32" % (k, got.dtype))
        worst = max(worst, compare("d" + k, got, want, tol))
    if "scale" not in t and os.path.exists(os.path.join(out, "dscale.npy")):
        fail("dscale.npy written without a scale")
    if a.mask == "all-masked-group":
        dx = np.load(os.path.join(out, "dx.npy"))
        if np.any(dx[-1] != 0):
            fail("the all-masked group has a non-zero dx")
    print("PASS grads=%s dtype=%s act=%s shape=%s mask=%s%s%s worst_rel_err=%.2g" % (
        ",".join("d" + k for k in g_ref), a.dtype, a.act, ",".join(map(str, a.shape)),
        a.mask, " normalize" if a.normalize else "",
        " recompute-hidden" if a.recompute_hidden else "", worst))


def cmd_fd(a):
    """Finite differences of our own compiled forward (f32, float64 sums)."""
    ref = load_ref(a.ref)
    t = make_case(ref, a)
    work = os.path.join(a.work, "in")
    out = os.path.join(a.work, "grad")
    save_inputs(t, work, GRADS + ["mask", "dy"])
    bench(a, work, out, "train")
    dy = t["dy"].astype(np.float64)
    g = np.random.default_rng(a.seed + 11)
    results = []
    for k in GRADS:
        if k not in t:
            continue
        v = g.standard_normal(np.shape(t[k]))
        eps = a.eps * max(np.abs(t[k]).max(), 1e-3) / max(np.abs(v).max(), 1e-30)
        ys = []
        for sign in (1, -1):
            moved = dict(t)
            moved[k] = (t[k] + sign * eps * v).astype(np.float32)
            pwork = os.path.join(a.work, "fd_%s_%d" % (k, sign))
            save_inputs(moved, pwork, GRADS + ["mask"])
            bench(a, pwork, pwork, "inference")
            ys.append(np.load(os.path.join(pwork, "y.npy")).astype(np.float64))
        # The perturbation actually applied (after rounding to float32).
        dv = ((t[k] + eps * v).astype(np.float32).astype(np.float64)
              - (t[k] - eps * v).astype(np.float32).astype(np.float64)) / 2
        fd = np.sum(dy * (ys[0] - ys[1]) / 2)
        grad = np.load(os.path.join(out, "d%s.npy" % k)).astype(np.float64)
        an = np.sum(grad * dv)
        rel = abs(fd - an) / max(abs(an), abs(fd), 1e-30)
        if rel > a.fd_tol:
            fail("d%s: finite difference %.6g vs <grad, v> %.6g (rel %.2g)" % (k, fd, an, rel))
        results.append("d%s:%.1e" % (k, rel))
    print("PASS fd " + " ".join(results))


def cmd_sgd(a):
    ref = load_ref(a.ref)
    t = make_case(ref, a)
    target = np.random.default_rng(a.seed + 5).standard_normal(t["x"].shape).astype(np.float32)
    params = {k: t[k].copy() for k in GRADS if k in t}
    # PyTorch's trajectory, float64.
    tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    mask = torch.from_numpy(t["mask"]) if "mask" in t else None
    opt = torch.optim.SGD(list(tp.values()), lr=a.lr)
    torch_losses = []
    for _ in range(a.steps + 1):
        opt.zero_grad()
        y = ref.softmoe(tp["x"], tp["phi"], tp["w1"], tp["b1"], tp["w2"], tp["b2"],
                        scale=tp.get("scale"), mask=mask, act=a.act)
        loss = 0.5 * ((y - torch.from_numpy(target).double()) ** 2).sum()
        torch_losses.append(loss.item())
        loss.backward()
        opt.step()
    # Ours: forward for the loss and dy = y - target, then --mode train.
    losses = []
    for step in range(a.steps + 1):
        work = os.path.join(a.work, "step%d" % step)
        cur = dict(t)
        cur.update(params)
        save_inputs(cur, work, GRADS + ["mask"])
        bench(a, work, work, "inference")
        y = np.load(os.path.join(work, "y.npy")).astype(np.float64)
        losses.append(0.5 * np.sum((y - target) ** 2))
        if step == a.steps:
            break
        np.save(os.path.join(work, "dy.npy"), (y - target).astype(np.float32))
        out = os.path.join(work, "grad")
        bench(a, work, out, "train")
        for k in params:
            grad = np.load(os.path.join(out, "d%s.npy" % k))
            params[k] = (params[k] - a.lr * grad).astype(np.float32)
    for i, (ours, theirs) in enumerate(zip(losses, torch_losses)):
        if abs(ours - theirs) > 1e-3 * abs(theirs):
            fail("step %d: loss %.8g, PyTorch %.8g" % (i, ours, theirs))
    if not all(losses[i + 1] < losses[i] for i in range(len(losses) - 1)):
        fail("the loss did not fall at every step: %s" % losses)
    print("PASS sgd steps=%d loss %.6g -> %.6g (PyTorch %.6g -> %.6g)" % (
        a.steps, losses[0], losses[-1], torch_losses[0], torch_losses[-1]))


# --- single ops --------------------------------------------------------------

def ty(shape, elem="f32"):
    return "tensor<%s%s>" % ("".join("%dx" % s for s in shape), elem)


def op_case(ref, name, B, M, D, N, P, H, act, seed):
    """(mlir function, {arg name: array}, torch function of the float args)."""
    g = np.random.default_rng(seed)
    r = lambda *s: g.standard_normal(s).astype(np.float32)
    mask = np.ones((B, M), dtype=bool)
    mask[0, M // 2:] = False
    mask[-1, :] = False  # an all-masked group
    if name.startswith("router"):
        norm = name == "router_norm"
        args = {"x": r(B, M, D), "phi": r(D, N, P) / np.sqrt(D)}
        sig = "%%x: %s, %%phi: %s" % (ty([B, M, D]), ty([D, N, P]))
        body = "softmoe.router %x, %phi"
        if norm:
            args["scale"] = np.array(2.5, dtype=np.float32)
            sig += ", %%s: %s" % ty([])
            body += " scale(%s : tensor<f32>) normalize"
        body += " : %s, %s" % (ty([B, M, D]), ty([D, N, P]))
        res = ty([B, M, N, P])

        def fn(x, phi, scale=None):
            if scale is not None:
                x = x * torch.rsqrt((x * x).sum(-1, keepdim=True) + 1e-6)
                phi = scale * phi * torch.rsqrt((phi * phi).sum(0, keepdim=True) + 1e-6)
            return torch.einsum("bmd,dnp->bmnp", x, phi)
    elif name.startswith("dispatch") or name.startswith("combine"):
        masked = name.endswith("_mask")
        args = {"logits": 3 * r(B, M, N, P)}
        if name.startswith("dispatch"):
            args["x"] = r(B, M, D)
            sig = "%%l: %s, %%x: %s" % (ty([B, M, N, P]), ty([B, M, D]))
            body = "softmoe.dispatch %l, %x"
            tail = " : %s, %s" % (ty([B, M, N, P]), ty([B, M, D]))
            res = ty([B, N, P, D])
        else:
            args["out"] = r(B, N, P, D)
            sig = "%%l: %s, %%o: %s" % (ty([B, M, N, P]), ty([B, N, P, D]))
            body = "softmoe.combine %l, %o"
            tail = " : %s, %s" % (ty([B, M, N, P]), ty([B, N, P, D]))
            res = ty([B, M, D])
        if masked:
            args["mask"] = mask
            sig += ", %%m: %s" % ty([B, M], "i1")
            body += " mask(%%m : %s)" % ty([B, M], "i1")
        body += tail
        mk = torch.from_numpy(mask) if masked else None

        def fn(logits, other):
            if name.startswith("dispatch"):
                l = logits if mk is None else logits.masked_fill(~mk[:, :, None, None], float("-inf"))
                w = torch.nan_to_num(torch.softmax(l, dim=1), nan=0.0)
                return torch.einsum("bmnp,bmd->bnpd", w, other)
            b, m, n, p = logits.shape
            c = torch.softmax(logits.reshape(b, m, n * p), -1).reshape(b, m, n, p)
            if mk is not None:
                c = c.masked_fill(~mk[:, :, None, None], 0.0)
            return torch.einsum("bmnp,bnpd->bmd", c, other)
    else:
        G = ref.first_layer_width(act, H)  # 2H for a gated activation
        args = {"slots": r(B, N, P, D), "w1": r(N, D, G) / np.sqrt(D), "b1": 0.1 * r(N, G),
                "w2": r(N, H, D) / np.sqrt(H), "b2": 0.1 * r(N, D)}
        types = [ty([B, N, P, D]), ty([N, D, G]), ty([N, G]), ty([N, H, D]), ty([N, D])]
        sig = ", ".join("%%%s: %s" % (k, t) for k, t in zip(args, types))
        body = "softmoe.expert_apply %%slots, %%w1, %%b1, %%w2, %%b2 activation<%s> : %s" % (
            act, ", ".join(types))
        res = ty([B, N, P, D])

        def fn(slots, w1, b1, w2, b2):
            h = ref.activation_torch(torch.einsum("bnpd,ndh->bnph", slots, w1) + b1[None, :, None, :],
                                     act)
            return torch.einsum("bnph,nhd->bnpd", h, w2) + b2[None, :, None, :]
    mlir = "func.func @f(%s) -> %s {\n  %%r = %s\n  return %%r : %s\n}\n" % (sig, res, body, res)
    return mlir, args, fn


def cmd_ops(a):
    ref = load_ref(a.ref)
    B, M, D, N, P, H = a.shape
    names = ["router", "router_norm", "dispatch", "dispatch_mask", "combine", "combine_mask"] + [
        "expert_" + act for act in ref.ACTIVATIONS]
    os.makedirs(a.work, exist_ok=True)
    worst = 0.0
    for i, name in enumerate(names):
        act = name[len("expert_"):] if name.startswith("expert_") else "gelu_tanh"
        mlir, args, fn = op_case(ref, name, B, M, D, N, P, H, act, a.seed + i)
        work = os.path.join(a.work, name)
        os.makedirs(work, exist_ok=True)
        src = os.path.join(work, "f.mlir")
        with open(src, "w") as f:
            f.write(mlir)
        model = os.path.join(work, "vjp.mlir")
        opts = "{recompute-hidden=true}" if a.recompute_hidden else ""
        run([a.opt, src, "--pass-pipeline=builtin.module(softmoe-generate-vjp%s)" % opts,
             "-o", model])
        inputs = []
        for k, v in args.items():
            p = os.path.join(work, k + ".npy")
            np.save(p, v)
            inputs.append(p)
        fout = os.path.join(work, "fwd")
        run([a.run, model, "--entry", "f_fwd", "--output-dir", fout] + inputs)
        results = sorted((f for f in os.listdir(fout) if f.startswith("result")),
                         key=lambda f: int(f[6:-4]))
        y = np.load(os.path.join(fout, results[0]))
        dy = np.random.default_rng(a.seed + 100 + i).standard_normal(y.shape).astype(np.float32)
        np.save(os.path.join(work, "dy.npy"), dy)
        vout = os.path.join(work, "vjp")
        run([a.run, model, "--entry", "f_vjp", "--output-dir", vout] + inputs +
            [os.path.join(fout, f) for f in results[1:]] + [os.path.join(work, "dy.npy")])
        floats = [k for k, v in args.items() if v.dtype != bool]
        leaves = [torch.tensor(args[k], dtype=torch.float64, requires_grad=True) for k in floats]
        yr = fn(*leaves)
        (yr * torch.from_numpy(dy).double()).sum().backward()
        worst = max(worst, compare(name + " y", y, yr.detach().numpy(), 1e-4))
        for j, (k, leaf) in enumerate(zip(floats, leaves)):
            got = np.load(os.path.join(vout, "result%d.npy" % j))
            worst = max(worst, compare("%s d%s" % (name, k), got, leaf.grad.numpy(), 1e-4))
        if name.endswith("_mask") and name.startswith("dispatch"):
            g = np.load(os.path.join(vout, "result0.npy"))
            if np.any(g[-1] != 0) or np.any(np.load(os.path.join(vout, "result1.npy"))[-1] != 0):
                fail("%s: the all-masked group has a non-zero gradient" % name)
    print("PASS ops=%s shape=%s worst_rel_err=%.2g" % (",".join(names), ",".join(map(str, a.shape)),
                                                       worst))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["layer", "fd", "sgd", "ops"])
    ap.add_argument("--ref", required=True)
    ap.add_argument("--bench", default="softmoe-bench")
    ap.add_argument("--opt", default="softmoe-opt")
    ap.add_argument("--run", default="softmoe-run")
    ap.add_argument("--work", required=True)
    ap.add_argument("--shape", default="2,16,32,4,2,64")
    ap.add_argument("--dtype", default="f32")
    ap.add_argument("--act", default="gelu_tanh")
    ap.add_argument("--normalize", action="store_true")
    ap.add_argument("--mask", default="none", choices=["none", "ragged", "all-masked-group"])
    ap.add_argument("--recompute-hidden", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eps", type=float, default=1e-2)
    ap.add_argument("--fd-tol", type=float, default=2e-3)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-3)
    a = ap.parse_args()
    a.shape = [int(s) for s in a.shape.split(",")]
    {"layer": cmd_layer, "fd": cmd_fd, "sgd": cmd_sgd, "ops": cmd_ops}[a.cmd](a)


if __name__ == "__main__":
    main()
