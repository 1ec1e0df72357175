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

SIZES = dict(b=2, m=16, d=32, n=4, p=2, h=64)


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


def l2norm_einsum(em, v, letters, res, scale=None):
    """v * rsqrt(sum_d v^2 + 1e-6), then times scale (rank-0) when given."""
    kept = letters.replace("d", "")
    sq = em.elementwise(res + "_sq", [(v, letters), (v, letters)], letters, lambda B, a, b, o: B.op("arith.mulf", a, b))
    ss, _ = em.reduce(res + "_ss", sq, letters, kept, "add")
    rs = em.elementwise(res + "_rsqrt", [(ss, kept)], kept,
                        lambda B, a, o: B.op("math.rsqrt", B.op("arith.addf", a, B.cst("9.99999997E-7"))))
    out = em.elementwise(res, [(v, letters), (rs, kept)], letters, lambda B, a, b, o: B.op("arith.mulf", a, b))
    if scale is not None:
        out = em.generic(res + "_scaled", [(scale, []), (out, [SIZES[c] for c in letters])],
                         [SIZES[c] for c in letters], [[], list(range(len(letters))), list(range(len(letters)))],
                         ["parallel"] * len(letters), lambda B, s, a, o: B.op("arith.mulf", s, a))
    return out


def layer_einsum(em, args, act="gelu_tanh", split_gelu=False, softmax="explicit", normalize=False,
                 mutate=()):
    x, phi, w1, b1, w2, b2 = args[:6]
    scale = args[6] if normalize else None
    xr, phir = x, phi
    if normalize:
        xr = l2norm_einsum(em, x, "bmd", "xn")
        phir = l2norm_einsum(em, phi, "dnp", "phin", scale=scale)
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
    if "shared_w1" in mutate:  # one [D,H] matrix read by every expert
        h = em.einsum("bnpd,dh->bnph", slots, w1, "h")
    else:
        h = em.einsum("bnpd,ndh->bnph", slots, w1, "h")
    if "no_b1" not in mutate:
        h = em.elementwise("h_bias", [(h, "bnph"), (b1, "nh")], "bnph", lambda B, a, b, o: B.op("arith.addf", a, b))
    if split_gelu:
        a = gelu_tanh_split(em, h, "bnph")
    else:
        f = act_body(act)
        a = em.elementwise("act", [(h, "bnph")], "bnph", lambda B, v, o: f(B, v))
    o = em.einsum("bnph,nhd->bnpd", a, w2, "o")
    o = em.elementwise("o_bias", [(o, "bnpd"), (b2, "nd")], "bnpd", lambda B, a, b, o_: B.op("arith.addf", a, b))
    return em.einsum("bmnp,bnpd->bmd", combine, o, "y")


def layer_torch(em, args, act="gelu_erf", softmax="explicit", named_transpose=True):
    """torch-mlir lowering of softmoe_ref.softmoe (no mask, no normalize)."""
    x, phi, w1, b1, w2, b2 = args[:6]
    B_, M, D, N, P, H = (SIZES[c] for c in "bmdnph")
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
    f = act_body(act)
    full = [0, 1, 2, 3]
    unsq = ["c0", 1, "c0", 3]  # b1[None, :, None, :] read at 0 in the unit dims
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


def function(name, style, extra_args=(), **kw):
    em = Emitter()
    params = [("x", "bmd"), ("phi", "dnp"), ("w1", "ndh"), ("b1", "nh"), ("w2", "nhd"), ("b2", "nd")]
    if kw.get("mutate") and "shared_w1" in kw["mutate"]:
        params[2] = ("w1", "dh")
    if kw.get("normalize"):
        params.append(("scale", ""))
    params += list(extra_args)
    args = [f"%{p}" for p, _ in params]
    sig = ", ".join(f"%{p}: {ty([SIZES[c] for c in l])}" for p, l in params)
    if SIZES["b"] == DYN:
        em.emit("%c0 = arith.constant 0 : index")
        em.emit(f"%batch = tensor.dim %x, %c0 : {ty([SIZES[c] for c in 'bmd'])}")
    y = (layer_einsum if style == "einsum" else layer_torch)(em, args, **kw)
    yt = ty([SIZES[c] for c in "bmd"])
    out = [f"func.func @{name}({sig}) -> {yt} {{"] + em.lines
    out.append(f"  return {y} : {yt}")
    out.append("}")
    return "\n".join(out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("style", choices=["einsum", "torch"])
    ap.add_argument("--name", default="layer")
    ap.add_argument("--act", default=None)
    ap.add_argument("--softmax", default="explicit", choices=["explicit", "linalg"])
    ap.add_argument("--normalize", action="store_true")
    ap.add_argument("--split-gelu", action="store_true")
    ap.add_argument("--generic-transpose", action="store_true")
    ap.add_argument("--dynamic-batch", action="store_true", help="einsum style: B is dynamic")
    ap.add_argument("--mutate", action="append", default=[],
                    help="dispatch_wrong_axis combine_wrong_axis shared_w1 no_b1 combine_other_logits "
                         "dispatch_normalized_x")
    a = ap.parse_args()
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
        kw.update(named_transpose=not a.generic_transpose)
    print(function(a.name, a.style, extra, **kw))
