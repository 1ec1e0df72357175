#!/usr/bin/env python3
"""Emits the Soft MoE layer of CONTRACT.md as linalg/tensor/arith/math IR in the styles frontends produce.

The raise-*.mlir lit tests were written with these helpers (then given their RUN and CHECK lines); rerun it to
get the IR of one variant:  gen_raise_tests.py STYLE [options], see --help.

Styles:
  einsum  every einsum one linalg.generic over the full iteration space (StableHLO dot_general / JAX einsum
          lowered to linalg), reductions to reduced-rank tensors broadcast back through indexing maps, one generic
          per elementwise op.
  torch   torch-mlir's einsum decomposition: permute (linalg.transpose or a permuting generic), collapse to
          rank 3 / rank 2, linalg.batch_matmul / linalg.matmul, expand back; keepdim reductions written with
          constant-0 indices, exp(x - max) fused, the activation in one fused generic, biases unsqueezed with
          tensor.expand_shape.
"""
import argparse
import os
import sys

# The gated activations and their gate functions, from the project's one Python list.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "scripts"))
from softmoe_reference import GATES as GATED  # noqa: E402

SIZES = dict(b=2, m=16, d=32, n=4, p=2, h=64, g=128)  # g = 2h, a gated expert's first layer


def ty(shape):
    return "tensor<" + "".join(f"{s}x" for s in shape) + "f32>"


DYN = "?"  # a dynamic size: tensor.empty takes it from %x's first dimension


class Body:
    """Scalar ops of one payload."""

    def __init__(self, em):
        self.em, self.lines, self.k = em, [], 0

    def v(self):
        self.k += 1
        return f"%s{self.k}"

    def op(self, name, *args):
        r = self.v()
        self.lines.append(f"{r} = {name} {', '.join(args)} : f32")
        return r

    def cst(self, value):
        r = self.v()
        self.lines.append(f"{r} = arith.constant {value} : f32")
        return r

    def cmp(self, pred, a, b):
        r = self.v()
        self.lines.append(f"{r} = arith.cmpf {pred}, {a}, {b} : f32")
        return r

    def select(self, c, a, b):
        r = self.v()
        self.lines.append(f"{r} = arith.select {c}, {a}, {b} : f32")
        return r


class Emitter:
    def __init__(self):
        self.lines, self.used = [], {}

    def name(self, base):
        i = self.used.get(base, 0)
        self.used[base] = i + 1
        return f"%{base}" if i == 0 else f"%{base}_{i}"

    def emit(self, s):
        self.lines.append("  " + s)

    def const(self, value):
        key = ("cst", value)
        if key not in self.used:
            n = self.name("cst")
            self.emit(f"{n} = arith.constant {value} : f32")
            self.used[key] = n
        return self.used[key]

    def empty(self, shape):
        n = self.name("empty")
        dyn = ", ".join("%batch" for s in shape if s == DYN)
        self.emit(f"{n} = tensor.empty({dyn}) : {ty(shape)}")
        return n

    def fill(self, shape, value):
        c = self.const(value)
        e = self.empty(shape)
        n = self.name("fill")
        self.emit(f"{n} = linalg.fill ins({c} : f32) outs({e} : {ty(shape)}) -> {ty(shape)}")
        return n

    def generic(self, res, ins, out_shape, maps, iters, body_fn, init=None):
        """ins: [(value, shape)]; maps: result lists (loop index, or "c0" for a unit dim read at 0) for ins then
        out, over len(iters) loops."""
        nd = len(iters)
        dims = ", ".join(f"d{i}" for i in range(nd))
        amaps = ", ".join(
            "affine_map<(" + dims + ") -> (" + ", ".join("0" if r == "c0" else f"d{r}" for r in m) + ")>"
            for m in maps)
        its = ", ".join(f'"{i}"' for i in iters)
        if init is None:
            init = self.empty(out_shape)
        n = self.name(res)
        ins_s = ", ".join(v for v, _ in ins)
        ins_t = ", ".join(ty(s) for _, s in ins)
        self.emit(f"{n} = linalg.generic {{indexing_maps = [{amaps}], iterator_types = [{its}]}}")
        self.emit(f"    ins({ins_s} : {ins_t}) outs({init} : {ty(out_shape)}) {{")
        args = [f"%in{i}" if len(ins) > 1 else "%in" for i in range(len(ins))] + ["%out"]
        self.emit("^bb0(" + ", ".join(f"{a}: f32" for a in args) + "):")
        b = Body(self)
        y = body_fn(b, *args)
        for l in b.lines:
            self.emit("  " + l)
        self.emit(f"  linalg.yield {y} : f32")
        self.emit(f"}} -> {ty(out_shape)}")
        return n

    # -- shapes and views ----------------------------------------------------------------------------------------
    def collapse(self, v, shape, groups, res="collapsed"):
        out = [DYN if any(shape[i] == DYN for i in g) else eval("*".join(str(shape[i]) for i in g)) for g in groups]
        n = self.name(res)
        self.emit(f"{n} = tensor.collapse_shape {v} {groups} : {ty(shape)} into {ty(out)}")
        return n, out

    def expand(self, v, shape, groups, out, res="expanded"):
        n = self.name(res)
        sizes = ", ".join("%batch" if s == DYN else str(s) for s in out)
        self.emit(f"{n} = tensor.expand_shape {v} {groups} output_shape [{sizes}] : {ty(shape)} into {ty(out)}")
        return n

    def half(self, v, shape, which, res, offset=None):
        """x.chunk(2, dim=-1)[which] as tensor.extract_slice (offset overrides where it starts)."""
        h = shape[-1] // 2
        off = h * which if offset is None else offset
        out = shape[:-1] + [h]
        n = self.name(res)
        zeros = ", ".join("0" for _ in shape[:-1])
        sizes = ", ".join("%batch" if s == DYN else str(s) for s in out)
        self.emit(f"{n} = tensor.extract_slice {v}[{zeros}, {off}] [{sizes}] "
                  f"[{', '.join('1' for _ in shape)}] : {ty(shape)} to {ty(out)}")
        return n

    def transpose(self, v, shape, perm, named=True, res="permuted"):
        out = [shape[p] for p in perm]
        if named:
            e = self.empty(out)
            n = self.name(res)
            self.emit(f"{n} = linalg.transpose ins({v} : {ty(shape)}) outs({e} : {ty(out)}) "
                      f"permutation = {list(perm)}")
            return n, out
        # A permuting generic: out[i0..] = in[...], the input map carries the permutation.
        inv = [perm.index(i) for i in range(len(perm))]
        n = self.generic(res, [(v, shape)], out, [[inv[i] for i in range(len(shape))],
                                                  list(range(len(out)))],
                         ["parallel"] * len(out), lambda b, a, o: a)
        return n, out

    # -- compute ---------------------------------------------------------------------------------------------------
    def einsum(self, spec, a, b, res):
        """A contraction as one generic over the full iteration space, zero-filled init."""
        lhs, out = spec.split("->")
        la, lb = lhs.split(",")
        red = [c for c in la + lb if c not in out]
        red = sorted(set(red), key=(la + lb).index)
        loops = list(out) + red
        maps = [[loops.index(c) for c in la], [loops.index(c) for c in lb], [loops.index(c) for c in out]]
        shape = [SIZES[c] for c in out]
        init = self.fill(shape, "0.000000e+00")
        iters = ["parallel"] * len(out) + ["reduction"] * len(red)
        return self.generic(res, [(a, [SIZES[c] for c in la]), (b, [SIZES[c] for c in lb])], shape, maps, iters,
                            lambda B, x, y, o: B.op("arith.addf", o, B.op("arith.mulf", x, y)), init=init)

    def elementwise(self, res, ins, letters_out, fn):
        """ins: [(value, letters)] broadcast by maps onto letters_out."""
        shape = [SIZES[c] for c in letters_out]
        maps = [[letters_out.index(c) for c in l] for _, l in ins] + [list(range(len(shape)))]
        return self.generic(res, [(v, [SIZES[c] for c in l]) for v, l in ins], shape, maps,
                            ["parallel"] * len(shape), fn)

    def reduce(self, res, v, letters_in, letters_out, kind, keepdim=False):
        """A max or add reduction of v over the letters not in letters_out."""
        shape_in = [SIZES[c] for c in letters_in]
        if keepdim:
            shape = [SIZES[c] if c in letters_out else 1 for c in letters_in]
            out_map = [i if c in letters_out else "c0" for i, c in enumerate(letters_in)]
        else:
            shape = [SIZES[c] for c in letters_out]
            out_map = [letters_in.index(c) for c in letters_out]
        init = self.fill(shape, "0xFF800000" if kind == "max" else "0.000000e+00")
        iters = ["parallel" if c in letters_out else "reduction" for c in letters_in]
        op = "arith.maximumf" if kind == "max" else "arith.addf"
        n = self.generic(res, [(v, shape_in)], shape, [list(range(len(shape_in))), out_map], iters,
                         lambda B, a, o: B.op(op, a, o), init=init)
        return n, shape


# -- activations ---------------------------------------------------------------------------------------------------
def act_body(kind):
    def gelu_tanh(B, x):
        x3 = B.op("arith.mulf", B.op("arith.mulf", x, x), x)
        inner = B.op("arith.addf", x, B.op("arith.mulf", B.cst("4.471500e-02"), x3))
        t = B.op("math.tanh", B.op("arith.mulf", B.cst("0.797884583"), inner))
        return B.op("arith.mulf", B.op("arith.mulf", B.cst("5.000000e-01"), x), B.op("arith.addf", B.cst("1.000000e+00"), t))

    def gelu_erf(B, x):
        e = B.op("math.erf", B.op("arith.mulf", x, B.cst("0.707106769")))
        return B.op("arith.mulf", B.op("arith.mulf", x, B.cst("5.000000e-01")), B.op("arith.addf", e, B.cst("1.000000e+00")))

    def relu(B, x):
        return B.op("arith.maximumf", x, B.cst("0.000000e+00"))

    def relu_select(B, x):
        z = B.cst("0.000000e+00")
        return B.select(B.cmp("ugt", x, z), x, z)

    def silu(B, x):
        e = B.op("math.exp", B.op("arith.negf", x))
        return B.op("arith.divf", x, B.op("arith.addf", B.cst("1.000000e+00"), e))

    def gelu_tanh_wrong(B, x):  # the cubic coefficient off: not gelu_tanh
        x3 = B.op("arith.mulf", B.op("arith.mulf", x, x), x)
        inner = B.op("arith.addf", x, B.op("arith.mulf", B.cst("5.000000e-02"), x3))
        t = B.op("math.tanh", B.op("arith.mulf", B.cst("0.797884583"), inner))
        return B.op("arith.mulf", B.op("arith.mulf", B.cst("5.000000e-01"), x), B.op("arith.addf", B.cst("1.000000e+00"), t))

    def quick_gelu(B, x):  # x * sigmoid(1.702 x): an approximation the contract does not name
        e = B.op("math.exp", B.op("arith.negf", B.op("arith.mulf", B.cst("1.702000e+00"), x)))
        return B.op("arith.divf", x, B.op("arith.addf", B.cst("1.000000e+00"), e))

    return dict(gelu_tanh=gelu_tanh, gelu_erf=gelu_erf, relu=relu, relu_select=relu_select, silu=silu,
                gelu_tanh_wrong=gelu_tanh_wrong, quick_gelu=quick_gelu)[kind]


def gated_act(em, u, shape, act, mutate=(), res="act"):
    """lucidrains' GEGLU on u (last dimension 2H): x, gate = u.chunk(2, dim=-1); x * f(gate)."""
    # gate_gelu_tanh: x * gelu_tanh(gate), a gated activation the contract does not name.
    f = act_body("gelu_tanh" if "gate_gelu_tanh" in mutate else GATED[act])
    if "gate_swapped" in mutate:  # gate = the first half: not the contract's geglu/swiglu
        a, g = em.half(u, shape, 1, "x_half"), em.half(u, shape, 0, "gate")
    elif "gate_overlap" in mutate:  # the halves overlap
        a, g = em.half(u, shape, 0, "x_half"), em.half(u, shape, 1, "gate", offset=shape[-1] // 4)
    else:
        a, g = em.half(u, shape, 0, "x_half"), em.half(u, shape, 1, "gate")
    out = shape[:-1] + [shape[-1] // 2]
    full = list(range(len(out)))
    return em.generic(res, [(a, out), (g, out)], out, [full, full, full], ["parallel"] * len(out),
                      lambda B, av, gv, o: B.op("arith.mulf", av, f(B, gv)))


def gelu_tanh_split(em, h, letters):
    """jax.nn.gelu(approximate=True) as StableHLO lowers it: one generic per op."""
    def ew(res, ins, fn):
        return em.elementwise(res, [(v, letters) for v in ins], letters, fn)
    x2 = ew("sq", [h, h], lambda B, a, b, o: B.op("arith.mulf", a, b))
    x3 = ew("cube", [x2, h], lambda B, a, b, o: B.op("arith.mulf", a, b))
    k3 = ew("kcube", [x3], lambda B, a, o: B.op("arith.mulf", a, B.cst("4.471500e-02")))
    inner = ew("inner", [h, k3], lambda B, a, b, o: B.op("arith.addf", a, b))
    sc = ew("scaled", [inner], lambda B, a, o: B.op("arith.mulf", a, B.cst("0.797884583")))
    t = ew("tanh", [sc], lambda B, a, o: B.op("math.tanh", a))
    t1 = ew("onep", [t], lambda B, a, o: B.op("arith.addf", a, B.cst("1.000000e+00")))
    hx = ew("half", [h], lambda B, a, o: B.op("arith.mulf", a, B.cst("5.000000e-01")))
    return ew("gelu", [hx, t1], lambda B, a, b, o: B.op("arith.mulf", a, b))


# -- the layer -----------------------------------------------------------------------------------------------------
def softmax_einsum(em, logits, letters, axis, res):
    """Explicit softmax over the letters `axis`, reductions to reduced rank (JAX)."""
    kept = "".join(c for c in letters if c not in axis)
    mx, _ = em.reduce(res + "_max", logits, letters, kept, "max")
    sh = em.elementwise(res + "_shifted", [(logits, letters), (mx, kept)], letters,
                        lambda B, a, b, o: B.op("arith.subf", a, b))
    ex = em.elementwise(res + "_exp", [(sh, letters)], letters, lambda B, a, o: B.op("math.exp", a))
    sm, _ = em.reduce(res + "_sum", ex, letters, kept, "add")
    return em.elementwise(res, [(ex, letters), (sm, kept)], letters, lambda B, a, b, o: B.op("arith.divf", a, b))


def softmax_torch(em, logits, shape, dim, res):
    """torch-mlir's decomposition of aten._softmax: keepdim amax, exp(x - max), keepdim sum, div."""
    letters = "abcdefg"[:len(shape)]
    sizes = dict(zip(letters, shape))
    kept = "".join(c for i, c in enumerate(letters) if i != dim)
    saved = dict(SIZES)
    SIZES.update(sizes)
    mx, kshape = em.reduce(res + "_max", logits, letters, kept, "max", keepdim=True)
    full = list(range(len(shape)))
    kmap = [i if i != dim else "c0" for i in range(len(shape))]
    ex = em.generic(res + "_exp", [(logits, shape), (mx, kshape)], shape, [full, kmap, full],
                    ["parallel"] * len(shape), lambda B, a, b, o: B.op("math.exp", B.op("arith.subf", a, b)))
    sm, _ = em.reduce(res + "_sum", ex, letters, kept, "add", keepdim=True)
    out = em.generic(res, [(ex, shape), (sm, kshape)], shape, [full, kmap, full], ["parallel"] * len(shape),
                     lambda B, a, b, o: B.op("arith.divf", a, b))
    SIZES.clear()
    SIZES.update(saved)
    return out


def softmax_linalg(em, logits, shape, dim, res):
    e = em.empty(shape)
    n = em.name(res)
    em.emit(f"{n} = linalg.softmax dimension({dim}) ins({logits} : {ty(shape)}) outs({e} : {ty(shape)}) -> {ty(shape)}")
    return n


def l2norm_einsum(em, v, letters, res, scale=None, form="rsqrt", eps="9.99999997E-7"):
    """v * rsqrt(sum_d v^2 + eps) (or v / sqrt(...)), then times scale (rank-0) when given."""
    kept = letters.replace("d", "")
    sq = em.elementwise(res + "_sq", [(v, letters), (v, letters)], letters, lambda B, a, b, o: B.op("arith.mulf", a, b))
    ss, _ = em.reduce(res + "_ss", sq, letters, kept, "add")
    if form == "div":
        rs = em.elementwise(res + "_norm", [(ss, kept)], kept,
                            lambda B, a, o: B.op("math.sqrt", B.op("arith.addf", a, B.cst(eps))))
        out = em.elementwise(res, [(v, letters), (rs, kept)], letters, lambda B, a, b, o: B.op("arith.divf", a, b))
    else:
        rs = em.elementwise(res + "_rsqrt", [(ss, kept)], kept,
                            lambda B, a, o: B.op("math.rsqrt", B.op("arith.addf", a, B.cst(eps))))
        out = em.elementwise(res, [(v, letters), (rs, kept)], letters, lambda B, a, b, o: B.op("arith.mulf", a, b))
    if scale is not None:
        out = em.generic(res + "_scaled", [(scale, []), (out, [SIZES[c] for c in letters])],
                         [SIZES[c] for c in letters], [[], list(range(len(letters))), list(range(len(letters)))],
                         ["parallel"] * len(letters), lambda B, s, a, o: B.op("arith.mulf", s, a))
    return out


def layer_einsum(em, args, act="gelu_tanh", split_gelu=False, softmax="explicit", normalize=False,
                 mutate=(), norm_form="rsqrt", scale=True):
    x, phi, w1, b1, w2, b2 = args[:6]
    xr, phir = x, phi
    if normalize:
        sc = args[6] if scale else None
        xr = l2norm_einsum(em, x, "bmd", "xn", form=norm_form)
        eps = "9.99999974E-6" if "eps_mismatch" in mutate else "9.99999997E-7"
        phir = l2norm_einsum(em, phi, "dnp", "phin", scale=sc, form=norm_form, eps=eps)
    logits = em.einsum("bmd,dnp->bmnp", xr, phir, "logits")
    logits_c = logits
    if "combine_other_logits" in mutate:
        logits_c = em.einsum("bmd,dnp->bmnp", x, args[-1], "logits_other")
    if softmax == "linalg":
        dispatch = softmax_linalg(em, logits, [SIZES[c] for c in "bmnp"], 1, "dispatch")
        flat, fs = em.collapse(logits_c, [SIZES[c] for c in "bmnp"], [[0], [1], [2, 3]])
        cflat = softmax_linalg(em, flat, fs, 2, "combine_flat")
        combine = em.expand(cflat, fs, [[0], [1], [2, 3]], [SIZES[c] for c in "bmnp"], "combine")
    else:
        dax = "n" if "dispatch_wrong_axis" in mutate else "m"
        dispatch = softmax_einsum(em, logits, "bmnp", dax, "dispatch")
        cax = "m" if "combine_wrong_axis" in mutate else "np"
        combine = softmax_einsum(em, logits_c, "bmnp", cax, "combine")
    xd = xr if "dispatch_normalized_x" in mutate else x
    slots = em.einsum("bmnp,bmd->bnpd", dispatch, xd, "slots")
    if act in GATED:  # w1 [N,D,2H], b1 [N,2H], then the GEGLU of the sum
        u = em.einsum("bnpd,ndg->bnpg", slots, w1, "h")
        u = em.elementwise("h_bias", [(u, "bnpg"), (b1, "ng")], "bnpg", lambda B, a, b, o: B.op("arith.addf", a, b))
        a = gated_act(em, u, [SIZES[c] for c in "bnpg"], act, mutate)
        o = em.einsum("bnph,nhd->bnpd", a, w2, "o")
        o = em.elementwise("o_bias", [(o, "bnpd"), (b2, "nd")], "bnpd", lambda B, a, b, o_: B.op("arith.addf", a, b))
        return em.einsum("bmnp,bnpd->bmd", combine, o, "y")
    if "shared_w1" in mutate:  # one [D,H] matrix read by every expert
        h = em.einsum("bnpd,dh->bnph", slots, w1, "h")
    elif "broadcast_w1" in mutate:  # the same, spelled as a broadcast to [N,D,H]
        shape = [SIZES[c] for c in "ndh"]
        e = em.empty(shape)
        wb = em.name("w1_broadcast")
        em.emit(f"{wb} = linalg.broadcast ins({w1} : {ty(shape[1:])}) outs({e} : {ty(shape)}) dimensions = [0]")
        h = em.einsum("bnpd,ndh->bnph", slots, wb, "h")
    else:
        h = em.einsum("bnpd,ndh->bnph", slots, w1, "h")
    if "no_b1" not in mutate:
        h = em.elementwise("h_bias", [(h, "bnph"), (b1, "nh")], "bnph", lambda B, a, b, o: B.op("arith.addf", a, b))
    if "no_act" in mutate:  # linear experts
        a = h
    elif split_gelu:
        a = gelu_tanh_split(em, h, "bnph")
    else:
        f = act_body(act)
        a = em.elementwise("act", [(h, "bnph")], "bnph", lambda B, v, o: f(B, v))
    o = em.einsum("bnph,nhd->bnpd", a, w2, "o")
    o = em.elementwise("o_bias", [(o, "bnpd"), (b2, "nd")], "bnpd", lambda B, a, b, o_: B.op("arith.addf", a, b))
    return em.einsum("bmnp,bnpd->bmd", combine, o, "y")


def layer_torch(em, args, act="gelu_erf", softmax="explicit", named_transpose=True, mutate=()):
    """torch-mlir lowering of softmoe_ref.softmoe (no mask, no normalize); for geglu/swiglu, of
    scripts/softmoe_reference.py's (lucidrains' GEGLU after the first layer)."""
    x, phi, w1, b1, w2, b2 = args[:6]
    B_, M, D, N, P, H = (SIZES[c] for c in "bmdnph")
    gated = act in GATED
    Hout = H  # the second layer's width
    if gated:
        H = SIZES["g"]  # the first layer's
    # logits = einsum(bmd,dnp->bmnp): [B*M, D] @ [D, N*P]
    xf, _ = em.collapse(x, [B_, M, D], [[0, 1], [2]])
    pf, _ = em.collapse(phi, [D, N, P], [[0], [1, 2]])
    z = em.fill([B_ * M, N * P], "0.000000e+00")
    mm = em.name("mm")
    em.emit(f"{mm} = linalg.matmul ins({xf}, {pf} : {ty([B_*M, D])}, {ty([D, N*P])}) outs({z} : {ty([B_*M, N*P])}) -> {ty([B_*M, N*P])}")
    logits = em.expand(mm, [B_ * M, N * P], [[0, 1], [2, 3]], [B_, M, N, P], "logits")
    # dispatch = softmax(logits, dim=1); combine = softmax(logits.reshape(b, m, n*p), -1).reshape(...)
    if softmax == "linalg":
        dispatch = softmax_linalg(em, logits, [B_, M, N, P], 1, "dispatch")
        lf, _ = em.collapse(logits, [B_, M, N, P], [[0], [1], [2, 3]])
        cf = softmax_linalg(em, lf, [B_, M, N * P], 2, "combine")
    else:
        dispatch = softmax_torch(em, logits, [B_, M, N, P], 1, "dispatch")
        lf, _ = em.collapse(logits, [B_, M, N, P], [[0], [1], [2, 3]])
        cf = softmax_torch(em, lf, [B_, M, N * P], 2, "combine")
    # slots = einsum(bmnp,bmd->bnpd): permute dispatch to [B,N,P,M], view [B, N*P, M], bmm with x
    dp, dps = em.transpose(dispatch, [B_, M, N, P], [0, 2, 3, 1], named=named_transpose)
    df, _ = em.collapse(dp, dps, [[0], [1, 2], [3]])
    z = em.fill([B_, N * P, D], "0.000000e+00")
    sl = em.name("bmm")
    em.emit(f"{sl} = linalg.batch_matmul ins({df}, {x} : {ty([B_, N*P, M])}, {ty([B_, M, D])}) outs({z} : {ty([B_, N*P, D])}) -> {ty([B_, N*P, D])}")
    slots = em.expand(sl, [B_, N * P, D], [[0], [1, 2], [3]], [B_, N, P, D], "slots")
    # h = einsum(bnpd,ndh->bnph): permute to [N,B,P,D], view [N, B*P, D], bmm with w1, view, permute back
    sp, sps = em.transpose(slots, [B_, N, P, D], [1, 0, 2, 3], named=named_transpose)
    sf, _ = em.collapse(sp, sps, [[0], [1, 2], [3]])
    z = em.fill([N, B_ * P, H], "0.000000e+00")
    hm = em.name("bmm")
    em.emit(f"{hm} = linalg.batch_matmul ins({sf}, {w1} : {ty([N, B_*P, D])}, {ty([N, D, H])}) outs({z} : {ty([N, B_*P, H])}) -> {ty([N, B_*P, H])}")
    he = em.expand(hm, [N, B_ * P, H], [[0], [1, 2], [3]], [N, B_, P, H], "h")
    hp, _ = em.transpose(he, [N, B_, P, H], [1, 0, 2, 3], named=named_transpose)
    # + b1[None, :, None, :]
    b1u = em.expand(b1, [N, H], [[0, 1], [2, 3]], [1, N, 1, H], "b1u")
    full = [0, 1, 2, 3]
    unsq = ["c0", 1, "c0", 3]  # b1[None, :, None, :] read at 0 in the unit dims
    if gated:
        u = em.generic("h_bias", [(hp, [B_, N, P, H]), (b1u, [1, N, 1, H])], [B_, N, P, H], [full, unsq, full],
                       ["parallel"] * 4, lambda B, hv, bv, o: B.op("arith.addf", hv, bv))
        a = gated_act(em, u, [B_, N, P, H], act, mutate)
        H = Hout
    else:
        f = act_body(act)
        a = em.generic("act", [(hp, [B_, N, P, H]), (b1u, [1, N, 1, H])], [B_, N, P, H], [full, unsq, full],
                       ["parallel"] * 4, lambda B, hv, bv, o: f(B, B.op("arith.addf", hv, bv)))
    # out = einsum(bnph,nhd->bnpd) + b2
    ap, aps = em.transpose(a, [B_, N, P, H], [1, 0, 2, 3], named=named_transpose)
    af, _ = em.collapse(ap, aps, [[0], [1, 2], [3]])
    z = em.fill([N, B_ * P, D], "0.000000e+00")
    om = em.name("bmm")
    em.emit(f"{om} = linalg.batch_matmul ins({af}, {w2} : {ty([N, B_*P, H])}, {ty([N, H, D])}) outs({z} : {ty([N, B_*P, D])}) -> {ty([N, B_*P, D])}")
    oe = em.expand(om, [N, B_ * P, D], [[0], [1, 2], [3]], [N, B_, P, D], "o")
    op_, _ = em.transpose(oe, [N, B_, P, D], [1, 0, 2, 3], named=named_transpose)
    b2u = em.expand(b2, [N, D], [[0, 1], [2, 3]], [1, N, 1, D], "b2u")
    ob = em.generic("o_bias", [(op_, [B_, N, P, D]), (b2u, [1, N, 1, D])], [B_, N, P, D],
                    [full, unsq, full], ["parallel"] * 4, lambda B, u, v, o: B.op("arith.addf", u, v))
    # y = einsum(bmnp,bnpd->bmd): [B, M, N*P] @ [B, N*P, D]
    of, _ = em.collapse(ob, [B_, N, P, D], [[0], [1, 2], [3]])
    z = em.fill([B_, M, D], "0.000000e+00")
    y = em.name("y")
    em.emit(f"{y} = linalg.batch_matmul ins({cf}, {of} : {ty([B_, M, N*P])}, {ty([B_, N*P, D])}) outs({z} : {ty([B_, M, D])}) -> {ty([B_, M, D])}")
    return y


def router_dispatch(em, args, softmax="explicit"):
    """Only the router and the dispatch: the function returns the slots."""
    x, phi = args[:2]
    logits = em.einsum("bmd,dnp->bmnp", x, phi, "logits")
    if softmax == "linalg":
        dispatch = softmax_linalg(em, logits, [SIZES[c] for c in "bmnp"], 1, "dispatch")
    else:
        dispatch = softmax_einsum(em, logits, "bmnp", "m", "dispatch")
    return em.einsum("bmnp,bmd->bnpd", dispatch, x, "slots")


def combine_only(em, args):
    """The router and the combine of expert outputs given as an argument."""
    x, phi, out = args[0], args[1], args[-1]
    logits = em.einsum("bmd,dnp->bmnp", x, phi, "logits")
    combine = softmax_einsum(em, logits, "bmnp", "np", "combine")
    return em.einsum("bmnp,bnpd->bmd", combine, out, "y")


def function(name, style, extra_args=(), **kw):
    em = Emitter()
    params = [("x", "bmd"), ("phi", "dnp"), ("w1", "ndh"), ("b1", "nh"), ("w2", "nhd"), ("b2", "nd")]
    if kw.get("act") in GATED:
        params[2:4] = [("w1", "ndg"), ("b1", "ng")]
    if set(kw.get("mutate", ())) & {"shared_w1", "broadcast_w1"}:
        params[2] = ("w1", "dh")
    if kw.get("normalize") and kw.get("scale", True):
        params.append(("scale", ""))
    if style == "router_dispatch":
        params = params[:2]
    if style == "combine_only":
        params = params[:2] + [("expert_out", "bnpd")]
    params += list(extra_args)
    args = [f"%{p}" for p, _ in params]
    sig = ", ".join(f"%{p}: {ty([SIZES[c] for c in l])}" for p, l in params)
    if SIZES["b"] == DYN:
        em.emit("%c0 = arith.constant 0 : index")
        em.emit(f"%batch = tensor.dim %x, %c0 : {ty([SIZES[c] for c in 'bmd'])}")
    build = dict(einsum=layer_einsum, torch=layer_torch, router_dispatch=router_dispatch,
                 combine_only=combine_only)[style]
    y = build(em, args, **kw)
    yt = ty([SIZES[c] for c in ("bnpd" if style == "router_dispatch" else "bmd")])
    out = [f"func.func @{name}({sig}) -> {yt} {{"] + em.lines
    out.append(f"  return {y} : {yt}")
    out.append("}")
    return "\n".join(out)


# -- the lit tests -------------------------------------------------------------------------------------------------
RUN = ("// RUN: softmoe-opt %s --softmoe-raise-from-linalg | FileCheck %s\n"
       "// Raising again finds nothing more and keeps the IR valid.\n"
       "// RUN: softmoe-opt %s --softmoe-raise-from-linalg --softmoe-raise-from-linalg | FileCheck %s\n")
RUN_REFUSED = RUN + ("// RUN: softmoe-opt %s --softmoe-raise-from-linalg "
                     "| FileCheck %s --check-prefix=REFUSED\n")
ARGS6 = "%arg0, %arg1, %arg2, %arg3, %arg4, %arg5"


def layer_checks(name, attrs="", dyn=False, gated=False):
    t = "tensor<?x16x32xf32>" if dyn else "tensor<2x16x32xf32>"
    w = "128" if gated else "64"
    return [f"CHECK-LABEL: func.func @{name}(",
            "CHECK-NOT: {{linalg|tensor}}.",
            f"CHECK: %[[Y:.*]] = softmoe.layer {ARGS6}{attrs} : {t}, tensor<32x4x2xf32>, "
            f"tensor<4x32x{w}xf32>, tensor<4x{w}xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>",
            "CHECK-NOT: {{linalg|tensor}}.",
            f"CHECK: return %[[Y]] : {t}"]


def refused(name, present, absent):
    return ([f"CHECK-LABEL: func.func @{name}("] + [f"CHECK-DAG: {p}" for p in present] +
            [f"REFUSED-LABEL: func.func @{name}("] + [f"REFUSED-NOT: {a}" for a in absent] +
            ["REFUSED: return"])


# file -> (header, RUN lines, [(function, style, kwargs, why, check lines)])
TESTS = {
    "raise-einsum.mlir": (
        "The layer as JAX exports it through StableHLO: every einsum one linalg.generic over its full iteration\n"
        "space, softmaxes as max/sub/exp/sum/div generics reducing to lower rank, one generic per elementwise op.",
        RUN, [
            ("einsum_split_gelu", "einsum", dict(split_gelu=True),
             "jax.nn.gelu(approximate=True) as nine elementwise generics.", layer_checks("einsum_split_gelu")),
            ("einsum_fused_gelu", "einsum", dict(act="gelu_tanh"),
             "The tanh GELU fused into one generic.", layer_checks("einsum_fused_gelu")),
            ("einsum_linalg_softmax", "einsum", dict(softmax="linalg"),
             "linalg.softmax; the combine softmax over a collapsed [B,M,N*P] view.",
             layer_checks("einsum_linalg_softmax")),
            ("einsum_dynamic_batch", "einsum", dict(dynamic=True),
             "A dynamic batch dimension.", layer_checks("einsum_dynamic_batch", dyn=True)),
        ]),
    "raise-matmul.mlir": (
        "The layer as torch-mlir lowers softmoe_ref.softmoe: each einsum decomposed into permutes, reshapes to\n"
        "rank 2 or 3 and linalg.matmul / linalg.batch_matmul; keepdim reductions read back at index 0; biases\n"
        "unsqueezed with tensor.expand_shape; the activation fused with the bias add.",
        RUN, [
            ("torch_gelu_erf", "torch", dict(act="gelu_erf"),
             "PyTorch's default GELU, permutes as linalg.transpose.",
             layer_checks("torch_gelu_erf", " activation<gelu_erf>")),
            ("torch_generic_permute", "torch", dict(act="silu", named_transpose=False),
             "Permutes as linalg.generic with a permuted input map, SiLU.",
             layer_checks("torch_generic_permute", " activation<silu>")),
            ("torch_linalg_softmax", "torch", dict(act="relu", softmax="linalg"),
             "linalg.softmax on the [B,M,N,P] and [B,M,N*P] logits, ReLU.",
             layer_checks("torch_linalg_softmax", " activation<relu>")),
            ("torch_gelu_tanh", "torch", dict(act="gelu_tanh"),
             "The tanh GELU.", layer_checks("torch_gelu_tanh")),
        ]),
    "raise-activations.mlir": (
        "Each activation of the contract, recognised from the ops of its payload.",
        RUN, [
            ("act_gelu_erf", "einsum", dict(act="gelu_erf"), "0.5 * x * (1 + erf(x / sqrt(2))).",
             layer_checks("act_gelu_erf", " activation<gelu_erf>")),
            ("act_relu_max", "einsum", dict(act="relu"), "max(x, 0).",
             layer_checks("act_relu_max", " activation<relu>")),
            ("act_relu_select", "einsum", dict(act="relu_select"), "select(x > 0, x, 0).",
             layer_checks("act_relu_select", " activation<relu>")),
            ("act_silu", "einsum", dict(act="silu"), "x / (1 + exp(-x)).",
             layer_checks("act_silu", " activation<silu>")),
        ]),
    "raise-normalize.mlir": (
        "The l2-normalised router: x * rsqrt(sum_d x^2 + eps) and scale * phi * rsqrt(sum_d phi^2 + eps).",
        RUN, [
            ("normalize_scale", "einsum", dict(normalize=True),
             "The learnable scale as a rank-0 tensor argument.",
             layer_checks("normalize_scale", " scale(%arg6 : tensor<f32>) normalize")),
            ("normalize_div_sqrt", "einsum", dict(normalize=True, norm_form="div", act="silu"),
             "x / sqrt(sum_d x^2 + eps).",
             layer_checks("normalize_div_sqrt", " scale(%arg6 : tensor<f32>) normalize activation<silu>")),
            ("normalize_no_scale", "einsum", dict(normalize=True, scale=False),
             "No scale: the layer gets a constant 1.",
             [l.replace("CHECK-NOT: {{linalg|tensor}}.", "CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>", 1)
              if i == 1 else l for i, l in enumerate(layer_checks("normalize_no_scale",
                                                                  " scale(%[[ONE]] : tensor<f32>) normalize"))]),
        ]),
    "raise-stages.mlir": (
        "IR with only some stages: each stage that matches becomes its op.",
        RUN, [
            ("router_dispatch", "router_dispatch", dict(),
             "Router and dispatch only; the function returns the slots.",
             ["CHECK-LABEL: func.func @router_dispatch(",
              "CHECK-NOT: linalg.",
              "CHECK: %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<2x16x32xf32>, tensor<32x4x2xf32>",
              "CHECK-NOT: linalg.",
              "CHECK: %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>",
              "CHECK: return %[[S]] : tensor<2x4x2x32xf32>"]),
            ("router_dispatch_linalg_softmax", "router_dispatch", dict(softmax="linalg"),
             "The same with linalg.softmax.",
             ["CHECK-LABEL: func.func @router_dispatch_linalg_softmax(",
              "CHECK: %[[L:.*]] = softmoe.router %arg0, %arg1",
              "CHECK: %[[S:.*]] = softmoe.dispatch %[[L]], %arg0",
              "CHECK: return %[[S]]"]),
            ("combine_only", "combine_only", dict(),
             "Router and combine of expert outputs that arrive as an argument.",
             ["CHECK-LABEL: func.func @combine_only(",
              "CHECK-NOT: linalg.",
              "CHECK: %[[L:.*]] = softmoe.router %arg0, %arg1",
              "CHECK-NOT: linalg.",
              "CHECK: %[[Y:.*]] = softmoe.combine %[[L]], %arg2 : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>",
              "CHECK: return %[[Y]] : tensor<2x16x32xf32>"]),
        ]),
    "raise-near-miss.mlir": (
        "Near misses: the one thing wrong in each is not raised, and no softmoe.layer is made; the stages that\n"
        "are right still are.",
        RUN_REFUSED, [
            ("dispatch_softmax_over_n", "einsum", dict(mutate=("dispatch_wrong_axis",)),
             "The dispatch softmax runs over the experts, not the tokens.",
             refused("dispatch_softmax_over_n", ["softmoe.router", "softmoe.expert_apply", "softmoe.combine"],
                     ["softmoe.layer", "softmoe.dispatch"])),
            ("combine_softmax_over_m", "einsum", dict(mutate=("combine_wrong_axis",)),
             "The combine softmax runs over the tokens, not the slots.",
             refused("combine_softmax_over_m", ["softmoe.router", "softmoe.dispatch"],
                     ["softmoe.layer", "softmoe.combine", "softmoe.expert_apply"])),
            ("shared_w1", "einsum", dict(mutate=("shared_w1",)),
             "Every expert reads the same [D,H] first-layer weights.",
             refused("shared_w1", ["softmoe.router", "softmoe.dispatch", "softmoe.combine"],
                     ["softmoe.layer", "softmoe.expert_apply"])),
            ("broadcast_w1", "einsum", dict(mutate=("broadcast_w1",)),
             "The same weights broadcast to [N,D,H] with linalg.broadcast.",
             refused("broadcast_w1", ["softmoe.router", "softmoe.dispatch", "softmoe.combine"],
                     ["softmoe.layer", "softmoe.expert_apply"])),
            ("missing_b1", "einsum", dict(mutate=("no_b1",)),
             "The first expert layer has no bias.",
             refused("missing_b1", ["softmoe.router", "softmoe.dispatch", "softmoe.combine"],
                     ["softmoe.layer", "softmoe.expert_apply"])),
            ("combine_other_logits", "einsum", dict(mutate=("combine_other_logits",)),
             "The combine weights come from other slot parameters than the dispatch weights.",
             refused("combine_other_logits",
                     ["softmoe.router %arg0, %arg1 :", "softmoe.router %arg0, %arg6 :", "softmoe.dispatch",
                      "softmoe.expert_apply", "softmoe.combine"], ["softmoe.layer"])),
            ("dispatch_normalized_x", "einsum", dict(normalize=True, mutate=("dispatch_normalized_x",)),
             "The dispatch mixes the normalised tokens instead of the raw ones.",
             refused("dispatch_normalized_x", ["softmoe.router %arg0, %arg1 scale(%arg6 : tensor<f32>) normalize",
                                               "softmoe.dispatch", "softmoe.combine"], ["softmoe.layer"])),
            ("normalize_eps_mismatch", "einsum", dict(normalize=True, mutate=("eps_mismatch",)),
             "x and phi are normalised with different epsilons: not the contract's normalize, so the router\n"
             "takes the normalised tensors as they are.",
             refused("normalize_eps_mismatch", ["softmoe.router", "softmoe.dispatch", "softmoe.combine"],
                     ["softmoe.layer", "normalize"])),
            ("gelu_wrong_coefficient", "einsum", dict(act="gelu_tanh_wrong"),
             "A tanh GELU with 0.05 for 0.044715.",
             refused("gelu_wrong_coefficient", ["softmoe.router", "softmoe.dispatch", "softmoe.combine"],
                     ["softmoe.layer", "softmoe.expert_apply"])),
            ("no_activation", "einsum", dict(mutate=("no_act",)),
             "Linear experts: no activation between the two expert contractions.",
             refused("no_activation", ["softmoe.router", "softmoe.dispatch", "softmoe.combine"],
                     ["softmoe.layer", "softmoe.expert_apply"])),
            ("quick_gelu", "einsum", dict(act="quick_gelu"),
             "x * sigmoid(1.702 x), an activation the contract does not name.",
             refused("quick_gelu", ["softmoe.router", "softmoe.dispatch", "softmoe.combine"],
                     ["softmoe.layer", "softmoe.expert_apply"])),
        ]),
    "raise-gated.mlir": (
        "Gated experts (geglu, swiglu): w1 [N,D,2H] and b1 [N,2H]; the first layer's result is split with\n"
        "tensor.extract_slice into x and gate (PyTorch's x.chunk(2, dim=-1), lucidrains' GEGLU) and the\n"
        "activation is x * gelu_erf(gate) or x * silu(gate). Near misses (REFUSED): the halves swapped, the\n"
        "halves overlapping, a gate function the contract does not name.",
        RUN_REFUSED, [
            ("gated_einsum_geglu", "einsum", dict(act="geglu"),
             "JAX-style einsums, GEGLU.", layer_checks("gated_einsum_geglu", " activation<geglu>", gated=True)),
            ("gated_einsum_swiglu_dynamic", "einsum", dict(act="swiglu", dynamic=True),
             "SwiGLU with a dynamic batch.",
             layer_checks("gated_einsum_swiglu_dynamic", " activation<swiglu>", dyn=True, gated=True)),
            ("gated_torch_geglu", "torch", dict(act="geglu"),
             "torch-mlir's lowering: batch_matmul, permutes, the unsqueezed bias, then the chunk.",
             layer_checks("gated_torch_geglu", " activation<geglu>", gated=True)),
            ("gated_torch_swiglu_generic_permute", "torch", dict(act="swiglu", named_transpose=False),
             "The same with permuting generics, SwiGLU.",
             layer_checks("gated_torch_swiglu_generic_permute", " activation<swiglu>", gated=True)),
            ("gated_swapped", "einsum", dict(act="geglu", mutate=("gate_swapped",)),
             "The gate is the first half and x the second.",
             refused("gated_swapped", ["softmoe.router", "softmoe.dispatch", "softmoe.combine"],
                     ["softmoe.layer", "softmoe.expert_apply"])),
            ("gated_overlap", "einsum", dict(act="swiglu", mutate=("gate_overlap",)),
             "The gate starts at H/2: the halves overlap.",
             refused("gated_overlap", ["softmoe.router", "softmoe.dispatch", "softmoe.combine"],
                     ["softmoe.layer", "softmoe.expert_apply"])),
            ("gated_gelu_tanh", "einsum", dict(act="geglu", mutate=("gate_gelu_tanh",)),
             "x * gelu_tanh(gate): not geglu, whose gate is the exact GELU.",
             refused("gated_gelu_tanh", ["softmoe.router", "softmoe.dispatch", "softmoe.combine"],
                     ["softmoe.layer", "softmoe.expert_apply"])),
        ]),
}


def write_tests(folder):
    import os
    for fname, (header, run, funcs) in TESTS.items():
        out = [run.rstrip("\n"), ""] + ["// " + l for l in header.split("\n")]
        out.append("// Written by Inputs/gen_raise_tests.py --write.")
        for name, style, kw, why, checks in funcs:
            kw = dict(kw)
            dynamic = kw.pop("dynamic", False)
            extra = [("phi2", "dnp")] if "combine_other_logits" in kw.get("mutate", ()) else []
            saved = SIZES["b"]
            if dynamic:
                SIZES["b"] = DYN
            body = function(name, style, extra, **kw)
            SIZES["b"] = saved
            out.append("")
            out += ["// " + l for l in why.split("\n")]
            out += ["// " + c for c in checks]
            out.append(body)
        with open(os.path.join(folder, fname), "w") as f:
            f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("style", nargs="?", default="einsum",
                    choices=["einsum", "torch", "router_dispatch", "combine_only"])
    ap.add_argument("--name", default="layer")
    ap.add_argument("--act", default=None)
    ap.add_argument("--softmax", default="explicit", choices=["explicit", "linalg"])
    ap.add_argument("--normalize", action="store_true")
    ap.add_argument("--split-gelu", action="store_true")
    ap.add_argument("--generic-transpose", action="store_true")
    ap.add_argument("--dynamic-batch", action="store_true", help="einsum style: B is dynamic")
    ap.add_argument("--mutate", action="append", default=[],
                    help="dispatch_wrong_axis combine_wrong_axis shared_w1 broadcast_w1 no_b1 no_act "
                         "combine_other_logits dispatch_normalized_x eps_mismatch; with --act geglu|swiglu: "
                         "gate_swapped gate_overlap gate_gelu_tanh")
    ap.add_argument("--write", metavar="DIR", help="write every raise-*.mlir test into DIR and exit")
    a = ap.parse_args()
    if a.write:
        write_tests(a.write)
        raise SystemExit(0)
    if a.dynamic_batch:
        SIZES["b"] = DYN
    kw = dict(softmax=a.softmax)
    if a.act:
        kw["act"] = a.act
    extra = []
    if a.style == "einsum":
        kw.update(normalize=a.normalize, split_gelu=a.split_gelu, mutate=tuple(a.mutate))
        if "combine_other_logits" in a.mutate:
            extra.append(("phi2", "dnp"))
    else:
        kw.update(named_transpose=not a.generic_transpose, mutate=tuple(a.mutate))
    print(function(a.name, a.style, extra, **kw))
