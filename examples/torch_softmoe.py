#!/usr/bin/env python3
"""A Soft MoE layer as a PyTorch model would hold it, exported to softmoe-mlir, and the check of a compiled run.

The walk-through of docs/user-guide.md. The module below keeps its parameters the way PyTorch code usually does
(slot embeddings [N,P,D], one nn.Sequential(Linear, GELU, Linear) per expert with Linear's [out,in] weights); the
export transposes them into the layouts of CONTRACT.md and writes a softmoe.layer function for the shapes.

  torch_softmoe.py export --dir DIR [--batch B --tokens M --dim D --experts N --slots P --hidden H]
                          [--activation A] [--normalize] [--mask] [--seed S] [--dynamic]
                          [--prenorm layernorm|rmsnorm]
      writes DIR/layer.mlir (@softmoe_layer; with --dynamic, batch and tokens are `?`), the arguments in their order as
      DIR/x.npy phi.npy w1.npy b1.npy w2.npy b2.npy [scale.npy] [mask.npy] (the names softmoe-bench --inputs
      reads), DIR/args.txt (those paths, in argument order), the module's output as DIR/ref_y.npy and a random
      cotangent for it as DIR/dy.npy.
      --prenorm: the module normalises x first (nn.LayerNorm, or an RMSNorm as in T5/LLaMA) and routes *and
      dispatches* the normalised x, as many PyTorch Soft MoE modules do. That is not softmoe's `normalize` (which
      dispatches the raw x): layer.mlir computes the norm with linalg, arith and math ops on tensors, then feeds
      softmoe.layer the result; the norm's weight (and bias) follow x as norm_g.npy (norm_b.npy).
  torch_softmoe.py compare --dir DIR --y Y.npy
      "PASS ..." when max|y - ref| <= 1e-4 * max|ref| (CONTRACT.md's f32 tolerance) and y is finite, else
      "FAIL ..." and exit status 1.
  torch_softmoe.py grads --dir DIR --grads GDIR [--activation A]
      rebuilds the module from DIR's arrays, takes torch.autograd's gradients of <module(x), dy> (dy from DIR/dy.npy,
      from export) for x and every parameter, in the module's own layouts, and compares them with the
      gradients softmoe-bench --mode train wrote to GDIR (dx.npy dphi.npy dw1.npy ..., CONTRACT.md's layouts),
      mapped back to the module's: "PASS grads ..." at 1e-4 of each tensor's max, else "FAIL ...".
"""
import argparse
import math
import os
import sys

import numpy as np

# The activation names (and which are gated) from the project's one Python list.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from softmoe_reference import ACTIVATIONS, GATES, first_layer_width  # noqa: E402


PRENORMS = ("layernorm", "rmsnorm")
LAYERNORM_EPS = 1e-5  # nn.LayerNorm's default
RMSNORM_EPS = 1e-6


def build_module(D, N, P, H, activation, normalize, prenorm=None):
    import torch
    from torch import nn

    class RMSNorm(nn.Module):
        """x * rsqrt(mean(x^2) + eps) * weight, as T5 and LLaMA normalise (torch 1.13 has no nn.RMSNorm)."""

        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(D))

        def forward(self, x):
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + RMSNORM_EPS) * self.weight

    def function(name):
        return {"gelu_tanh": lambda: nn.GELU(approximate="tanh"), "gelu_erf": nn.GELU,
                "relu": nn.ReLU, "silu": nn.SiLU}[name]()

    class GLU(nn.Module):
        """lucidrains' GEGLU (and SwiGLU): x, gate = x.chunk(2, dim=-1); x * f(gate)."""

        def __init__(self, name):
            super().__init__()
            self.f = function(name)

        def forward(self, x):
            x, gate = x.chunk(2, dim=-1)
            return x * self.f(gate)

    def act():
        return GLU(GATES[activation]) if activation in GATES else function(activation)

    class SoftMoE(nn.Module):
        """Soft MoE (Puigcerver et al.) with per-expert MLPs, written the way a PyTorch model would."""

        def __init__(self):
            super().__init__()
            self.slot_embeds = nn.Parameter(torch.randn(N, P, D) / math.sqrt(D))
            self.scale = nn.Parameter(torch.tensor(3.0)) if normalize else None
            self.norm = {None: lambda: None, "layernorm": lambda: nn.LayerNorm(D, eps=LAYERNORM_EPS),
                         "rmsnorm": RMSNorm}[prenorm]()
            self.experts = nn.ModuleList(
                nn.Sequential(nn.Linear(D, first_layer_width(activation, H)), act(), nn.Linear(H, D))
                for _ in range(N))

        def forward(self, x, mask=None):
            if self.norm is not None:  # from here on, x is the normalised x: routed and dispatched
                x = self.norm(x)
            phi = self.slot_embeds
            if self.scale is not None:  # l2-normalised tokens and slots, as in the paper's large models
                x_r = x * torch.rsqrt(x.pow(2).sum(-1, keepdim=True) + 1e-6)
                phi = self.scale * phi * torch.rsqrt(phi.pow(2).sum(-1, keepdim=True) + 1e-6)
            else:
                x_r = x
            logits = torch.einsum("bmd,npd->bmnp", x_r, phi)
            if mask is not None:
                logits = logits.masked_fill(~mask[:, :, None, None], float("-inf"))
            dispatch = torch.nan_to_num(logits.softmax(dim=1), nan=0.0)
            b, m = x.shape[:2]
            combine = logits.reshape(b, m, N * P).softmax(dim=-1).reshape(b, m, N, P)
            if mask is not None:
                combine = combine.masked_fill(~mask[:, :, None, None], 0.0)
            slots = torch.einsum("bmnp,bmd->bnpd", dispatch, x)
            outs = torch.stack([self.experts[n](slots[:, n]) for n in range(N)], dim=1)
            return torch.einsum("bmnp,bnpd->bmd", combine, outs)

    return SoftMoE()


def contract_arrays(module):
    """The module's parameters in CONTRACT.md's layouts: phi [D,N,P], w1 [N,D,H], b1 [N,H], w2 [N,H,D], b2 [N,D]
    (w1 [N,D,2H] and b1 [N,2H] for a gated activation: Linear(D, 2H)'s outputs, x then gate)."""
    import torch
    with torch.no_grad():
        fc1 = [e[0] for e in module.experts]
        fc2 = [e[2] for e in module.experts]
        t = {"phi": module.slot_embeds.permute(2, 0, 1),
             "w1": torch.stack([l.weight.T for l in fc1]), "b1": torch.stack([l.bias for l in fc1]),
             "w2": torch.stack([l.weight.T for l in fc2]), "b2": torch.stack([l.bias for l in fc2])}
        if module.scale is not None:
            t["scale"] = module.scale
        if module.norm is not None:
            t["norm_g"] = module.norm.weight
            if getattr(module.norm, "bias", None) is not None:
                t["norm_b"] = module.norm.bias
        # np.array, not np.ascontiguousarray: that one turns the 0-d scale into shape (1,).
        return {k: np.array(v.detach().numpy(), dtype=np.float32, order="C") for k, v in t.items()}


PRENORM_SHAPES = {
    True: """  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %nb = tensor.dim %x, %c0 : X
  %nm = tensor.dim %x, %c1 : X
  %e2 = tensor.empty(%nb, %nm) : T2
  %e3 = tensor.empty(%nb, %nm) : X
""",
    False: """  %e2 = tensor.empty() : T2
  %e3 = tensor.empty() : X
"""}

PRENORM_BODY = {
    # (x - mean) * rsqrt(var + eps) * g + b, the variance biased, as nn.LayerNorm computes it.
    "layernorm": """  %sum = linalg.generic {indexing_maps = [#bmd, #bm], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : X) outs(%z2 : T2) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> T2
  %var = linalg.generic {indexing_maps = [#bmd, #bm, #bm], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %sum : X, T2) outs(%z2 : T2) {
  ^bb0(%in: f32, %s: f32, %acc: f32):
    %mean = arith.divf %s, %dim : f32
    %c = arith.subf %in, %mean : f32
    %sq = arith.mulf %c, %c : f32
    %r = arith.addf %acc, %sq : f32
    linalg.yield %r : f32
  } -> T2
  %xn = linalg.generic {indexing_maps = [#bmd, #bm, #bm, #d, #d, #bmd],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %sum, %var, %norm_g, %norm_b : X, T2, T2, TD, TD) outs(%e3 : X) {
  ^bb0(%in: f32, %s: f32, %v: f32, %g: f32, %b: f32, %out: f32):
    %mean = arith.divf %s, %dim : f32
    %vm = arith.divf %v, %dim : f32
    %ve = arith.addf %vm, %eps : f32
    %rstd = math.rsqrt %ve : f32
    %c = arith.subf %in, %mean : f32
    %n = arith.mulf %c, %rstd : f32
    %ng = arith.mulf %n, %g : f32
    %r = arith.addf %ng, %b : f32
    linalg.yield %r : f32
  } -> X
""",
    # x * rsqrt(mean(x^2) + eps) * g, as T5 and LLaMA normalise.
    "rmsnorm": """  %ss = linalg.generic {indexing_maps = [#bmd, #bm], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : X) outs(%z2 : T2) {
  ^bb0(%in: f32, %acc: f32):
    %sq = arith.mulf %in, %in : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> T2
  %xn = linalg.generic {indexing_maps = [#bmd, #bm, #d, #bmd], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %ss, %norm_g : X, T2, TD) outs(%e3 : X) {
  ^bb0(%in: f32, %s: f32, %g: f32, %out: f32):
    %ms = arith.divf %s, %dim : f32
    %me = arith.addf %ms, %eps : f32
    %rrms = math.rsqrt %me : f32
    %n = arith.mulf %in, %rrms : f32
    %ng = arith.mulf %n, %g : f32
    linalg.yield %ng : f32
  } -> X
"""}


def prenorm_mlir(bm, D, prenorm, dynamic):
    """The function body that normalises %x over D into %xn: linalg, arith, math and tensor ops."""
    eps = LAYERNORM_EPS if prenorm == "layernorm" else RMSNORM_EPS
    text = (PRENORM_SHAPES[dynamic] +
            "  %%zero = arith.constant 0.0 : f32\n  %%dim = arith.constant %d.0 : f32\n"
            "  %%eps = arith.constant %.8e : f32\n" % (D, eps) +
            "  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : T2) -> T2\n" + PRENORM_BODY[prenorm])
    return (text.replace("T2", "tensor<%sxf32>" % bm).replace("TD", "tensor<%dxf32>" % D)
            .replace("X", "tensor<%sx%dxf32>" % (bm, D)))


def layer_mlir(B, M, D, N, P, H, activation, normalize, masked, dynamic, prenorm=None):
    bm = "?x?" if dynamic else "%dx%d" % (B, M)
    x = "tensor<%sx%dxf32>" % (bm, D)
    params = [("x", x)]
    if prenorm:
        params.append(("norm_g", "tensor<%dxf32>" % D))
        if prenorm == "layernorm":
            params.append(("norm_b", "tensor<%dxf32>" % D))
    params += [("phi", "tensor<%dx%dx%dxf32>" % (D, N, P)),
               ("w1", "tensor<%dx%dx%dxf32>" % (N, D, first_layer_width(activation, H))),
               ("b1", "tensor<%dx%dxf32>" % (N, first_layer_width(activation, H))),
               ("w2", "tensor<%dx%dx%dxf32>" % (N, H, D)), ("b2", "tensor<%dx%dxf32>" % (N, D))]
    attrs = ""
    if normalize:
        params.append(("scale", "tensor<f32>"))
        attrs += " scale(%scale : tensor<f32>)"
    if masked:
        params.append(("mask", "tensor<%sxi1>" % bm))
        attrs += " mask(%%mask : tensor<%sxi1>)" % bm
    if normalize:
        attrs += " normalize"
    attrs += " activation<%s>" % activation
    core = [p for p in params if p[0] in ("x", "phi", "w1", "b1", "w2", "b2")]
    operands = ["%xn" if prenorm and n == "x" else "%" + n for n, _ in core]
    head = "// Exported by examples/torch_softmoe.py: B=%s M=%s D=%d N=%d P=%d H=%d%s.\n" % (
        "?" if dynamic else B, "?" if dynamic else M, D, N, P, H, ", %s of x first" % prenorm if prenorm else "")
    body = ""
    if prenorm:
        head += ("#bmd = affine_map<(b, m, d) -> (b, m, d)>\n#bm = affine_map<(b, m, d) -> (b, m)>\n"
                 "#d = affine_map<(b, m, d) -> (d)>\n")
        body = prenorm_mlir(bm, D, prenorm, dynamic)
    return ("%s"
            "func.func @softmoe_layer(%s) -> %s {\n"
            "%s"
            "  %%y = softmoe.layer %s%s\n"
            "      : %s\n"
            "  return %%y : %s\n"
            "}\n") % (head, ", ".join("%%%s: %s" % p for p in params), x, body,
                      ", ".join(operands), attrs, ", ".join(t for _, t in core), x)


def export(args):
    import torch
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    module = build_module(args.dim, args.experts, args.slots, args.hidden, args.activation, args.normalize,
                          args.prenorm)
    with torch.no_grad():  # non-trivial biases, so a misplaced one shows
        for e in module.experts:
            e[0].bias.normal_(0, 0.1)
            e[2].bias.normal_(0, 0.1)
        if module.norm is not None:  # and a norm that is not the identity's affine part
            module.norm.weight.copy_(1 + 0.2 * torch.randn(args.dim))
            if getattr(module.norm, "bias", None) is not None:
                module.norm.bias.normal_(0, 0.2)
    g = np.random.default_rng(args.seed)
    x = g.standard_normal((args.batch, args.tokens, args.dim), dtype=np.float32)
    arrays = {"x": x}
    arrays.update(contract_arrays(module))
    mask = None
    if args.mask:  # padding at the end of every sequence but the first, one group fully padded when B > 2
        mask = np.ones((args.batch, args.tokens), dtype=bool)
        for b in range(1, args.batch):
            mask[b, args.tokens - b * args.tokens // (2 * args.batch) - 1:] = False
        if args.batch > 2:
            mask[-1, :] = False
        arrays["mask"] = mask
    with torch.no_grad():
        y = module(torch.from_numpy(x), None if mask is None else torch.from_numpy(mask)).numpy()

    os.makedirs(args.dir, exist_ok=True)
    order = ["x"] + [k for k in ("norm_g", "norm_b") if k in arrays] + ["phi", "w1", "b1", "w2", "b2"] + \
        [k for k in ("scale", "mask") if k in arrays]
    for k in order:
        np.save(os.path.join(args.dir, k + ".npy"), arrays[k])
    np.save(os.path.join(args.dir, "ref_y.npy"), y.astype(np.float32))
    # A cotangent for y, for softmoe-bench --mode train and the grads command.
    np.save(os.path.join(args.dir, "dy.npy"), g.standard_normal(y.shape, dtype=np.float32))
    with open(os.path.join(args.dir, "args.txt"), "w") as f:
        f.write(" ".join(os.path.join(args.dir, k + ".npy") for k in order) + "\n")
    with open(os.path.join(args.dir, "layer.mlir"), "w") as f:
        f.write(layer_mlir(args.batch, args.tokens, args.dim, args.experts, args.slots, args.hidden, args.activation,
                           args.normalize, args.mask, args.dynamic, args.prenorm))
    print("wrote %s/layer.mlir and %d arguments (%s)" % (args.dir, len(order), ", ".join(order)))


def compare(args):
    ref = np.load(os.path.join(args.dir, "ref_y.npy"))
    y = np.load(args.y)
    if y.shape != ref.shape:
        print("FAIL y shape=%s, expected %s" % (list(y.shape), list(ref.shape)))
        return 1
    err = float(np.max(np.abs(y.astype(np.float64) - ref))) if y.size else 0.0
    tol = 1e-4 * float(np.max(np.abs(ref))) if ref.size else 0.0
    ok = bool(np.all(np.isfinite(y))) and err <= tol
    print("%s y shape=%s max|y-ref|=%.3g tolerance=%.3g" % ("PASS" if ok else "FAIL", list(y.shape), err, tol))
    return 0 if ok else 1


def module_from_arrays(d, activation):
    """The module of build_module holding DIR's contract arrays as its parameters (the inverse of contract_arrays)."""
    import torch
    phi, w1, b1, w2, b2 = (np.load(os.path.join(d, k + ".npy")) for k in ("phi", "w1", "b1", "w2", "b2"))
    D, N, P = phi.shape
    H = w2.shape[1]
    normalize = os.path.exists(os.path.join(d, "scale.npy"))
    module = build_module(D, N, P, H, activation, normalize)
    with torch.no_grad():
        module.slot_embeds.copy_(torch.from_numpy(phi).permute(1, 2, 0))
        if normalize:
            module.scale.copy_(torch.from_numpy(np.load(os.path.join(d, "scale.npy"))))
        for n, e in enumerate(module.experts):
            e[0].weight.copy_(torch.from_numpy(w1[n]).T)
            e[0].bias.copy_(torch.from_numpy(b1[n]))
            e[2].weight.copy_(torch.from_numpy(w2[n]).T)
            e[2].bias.copy_(torch.from_numpy(b2[n]))
    return module


def grads(args):
    import torch
    module = module_from_arrays(args.dir, args.activation).double()
    x = torch.tensor(np.load(os.path.join(args.dir, "x.npy")), dtype=torch.float64, requires_grad=True)
    mask_path = os.path.join(args.dir, "mask.npy")
    mask = torch.from_numpy(np.load(mask_path)) if os.path.exists(mask_path) else None
    dy = torch.from_numpy(np.load(os.path.join(args.dir, "dy.npy"))).double()
    module(x, mask).backward(dy)
    g = lambda name: np.load(os.path.join(args.grads, name + ".npy")).astype(np.float64)
    # Ours, in CONTRACT.md's layouts, mapped to the module's.
    pairs = [("x", x.grad, g("dx")),
             ("slot_embeds", module.slot_embeds.grad, g("dphi").transpose(1, 2, 0))]
    if module.scale is not None:
        pairs.append(("scale", module.scale.grad, g("dscale")))
    for n, e in enumerate(module.experts):
        pairs += [("experts.%d.0.weight" % n, e[0].weight.grad, g("dw1")[n].T),
                  ("experts.%d.0.bias" % n, e[0].bias.grad, g("db1")[n]),
                  ("experts.%d.2.weight" % n, e[2].weight.grad, g("dw2")[n].T),
                  ("experts.%d.2.bias" % n, e[2].bias.grad, g("db2")[n])]
    worst = 0.0
    for name, want, got in pairs:
        want = want.numpy()
        err = float(np.max(np.abs(got - want))) / max(float(np.max(np.abs(want))), 1e-30)
        worst = max(worst, err)
        if got.shape != want.shape or not np.all(np.isfinite(got)) or err > 1e-4:
            print("FAIL grads %s: relative error %.3g" % (name, err))
            return 1
    print("PASS grads of x and %d parameters, max relative error %.2g" % (len(pairs) - 1, worst))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("--dir", required=True)
    for k, v in dict(batch=2, tokens=50, dim=64, experts=8, slots=2, hidden=128, seed=0).items():
        e.add_argument("--" + k, type=int, default=v)
    e.add_argument("--activation", choices=ACTIVATIONS, default="gelu_tanh")
    e.add_argument("--normalize", action="store_true")
    e.add_argument("--mask", action="store_true")
    e.add_argument("--dynamic", action="store_true", help="batch and tokens as ? (one function for every size)")
    e.add_argument("--prenorm", choices=PRENORMS,
                   help="normalise x before the router and dispatch the normalised x (see above)")
    c = sub.add_parser("compare")
    c.add_argument("--dir", required=True)
    c.add_argument("--y", required=True)
    gr = sub.add_parser("grads")
    gr.add_argument("--dir", required=True)
    gr.add_argument("--grads", required=True)
    gr.add_argument("--activation", choices=ACTIVATIONS, default="gelu_tanh")
    args = ap.parse_args()
    if args.cmd == "grads":
        return grads(args)
    if args.cmd == "export":
        export(args)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
