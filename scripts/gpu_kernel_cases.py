#!/usr/bin/env python3
"""Kernel checks for the CUDA pipeline: small linalg functions that exercise each kernel kind of
softmoe-gpu-map-linalg (tensor-core and FMA GEMMs in every operand layout of the layer, tails, fused
epilogues, warp and split reductions, the pointwise fallback), with numpy references.

  gpu_kernel_cases.py emit DIR        writes DIR/NAME.mlir for every case (each defines @NAME)
  gpu_kernel_cases.py inputs DIR      writes DIR/NAME/argK.npy (float32 or bool) for every case
  gpu_kernel_cases.py check DIR NAME  compares DIR/NAME/out/outK.npy with the reference; prints JSON

Only numpy is needed, so the check runs on a GPU machine next to the executables that softmoe-gpu-aot
built from the emitted files. bf16/f16 inputs are rounded the way the executables round them (nearest
even); an f32 operand of a bf16/f16 contraction is rounded to that type too, as the tensor-core kernels
stage it in 16 bits.
"""
import json
import os
import sys

import numpy as np

# ------------------------------------------------------------------------------------------------
# Rounding
# ------------------------------------------------------------------------------------------------


def round_bf16(a):
    a = np.ascontiguousarray(a, dtype=np.float32)
    u = a.view(np.uint32).astype(np.uint64)
    u = (u + np.uint64(0x7FFF) + ((u >> np.uint64(16)) & np.uint64(1))) & np.uint64(0xFFFF0000)
    return u.astype(np.uint32).view(np.float32).reshape(a.shape)


def round_to(a, dtype):
    if dtype == "bf16":
        return round_bf16(a)
    if dtype == "f16":
        return np.asarray(a, np.float32).astype(np.float16).astype(np.float32)
    return np.asarray(a, np.float32)


MLIR_TYPE = {"f32": "f32", "bf16": "bf16", "f16": "f16", "i1": "i1"}

# ------------------------------------------------------------------------------------------------
# Cases
# ------------------------------------------------------------------------------------------------


class Einsum:
    """out[o] = epilogue(init + sum_k a[..] * b[..]) as one fill, one contraction generic and an
    optional elementwise generic, in the style of convert-softmoe-to-linalg."""

    def __init__(self, name, spec, sizes, ta, tb, epilogue=None, tout="f32"):
        self.name, self.spec, self.sizes = name, spec, sizes
        self.ta, self.tb, self.epilogue, self.tout = ta, tb, epilogue, tout
        ins, self.out = spec.split("->")
        self.a, self.b = ins.split(",")
        red = [c for c in self.a + self.b if c not in self.out]
        self.red = list(dict.fromkeys(red))
        self.loops = list(self.out) + self.red

    def shape(self, letters):
        return [self.sizes[c] for c in letters]

    def args(self):
        args = [(self.shape(self.a), self.ta), (self.shape(self.b), self.tb)]
        if self.epilogue in ("bias_gelu", "bias_trunc"):
            args.append((self.shape(self.out[-1]), self.tb))
        return args

    def mlir(self):
        def tt(letters, t):
            return "tensor<%sx%s>" % ("x".join(str(self.sizes[c]) for c in letters), MLIR_TYPE[t])

        def amap(letters):
            return "affine_map<(%s) -> (%s)>" % (", ".join(self.loops), ", ".join(letters))

        acc = tt(self.out, "f32")
        out_t = tt(self.out, self.tout)
        ext = lambda v, t: ("%%%s_f = arith.extf %%%s : %s to f32\n" % (v, v, t), "%%%s_f" % v) \
            if t != "f32" else ("", "%" + v)
        ea, va = ext("x", self.ta)
        eb, vb = ext("y", self.tb)
        params = ["%%a: %s" % tt(self.a, self.ta), "%%b: %s" % tt(self.b, self.tb)]
        if self.epilogue in ("bias_gelu", "bias_trunc"):
            params.append("%%bias: %s" % tt(self.out[-1], self.tb))
        iters = ", ".join('"parallel"' for _ in self.out) + "".join(', "reduction"' for _ in self.red)
        s = "func.func @%s(%s) -> %s {\n" % (self.name, ", ".join(params), out_t)
        s += "  %%e = tensor.empty() : %s\n  %%z = arith.constant 0.0 : f32\n" % acc
        s += "  %%f = linalg.fill ins(%%z : f32) outs(%%e : %s) -> %s\n" % (acc, acc)
        s += ("  %%r = linalg.generic {indexing_maps = [%s, %s, %s], iterator_types = [%s]}\n"
              "      ins(%%a, %%b : %s, %s) outs(%%f : %s) {\n"
              "  ^bb0(%%x: %s, %%y: %s, %%acc: f32):\n") % (
            amap(self.a), amap(self.b), amap(self.out), iters, tt(self.a, self.ta), tt(self.b, self.tb), acc,
            MLIR_TYPE[self.ta], MLIR_TYPE[self.tb])
        s += "    " + ea + "    " + eb
        s += "    %%p = arith.mulf %s, %s : f32\n    %%s = arith.addf %%acc, %%p : f32\n" % (va, vb)
        s += "    linalg.yield %%s : f32\n  } -> %s\n" % acc
        par = ", ".join('"parallel"' for _ in self.out)
        oloops = ", ".join("d%d" % i for i in range(len(self.out)))
        idmap = "affine_map<(%s) -> (%s)>" % (oloops, oloops)
        biasmap = "affine_map<(%s) -> (d%d)>" % (oloops, len(self.out) - 1)
        bt = MLIR_TYPE[self.tb]
        if self.epilogue == "bias_gelu":  # in place, as convert-softmoe-to-linalg does
            s += ("  %%g = linalg.generic {indexing_maps = [%s, %s], iterator_types = [%s]}\n"
                  "      ins(%%bias : %s) outs(%%r : %s) {\n  ^bb0(%%bv: %s, %%h: f32):\n") % (
                biasmap, idmap, par, tt(self.out[-1], self.tb), acc, bt)
            s += ("    %%bf = arith.extf %%bv : %s to f32\n" % bt) if bt != "f32" else ""
            bv = "%bf" if bt != "f32" else "%bv"
            s += ("    %%t0 = arith.addf %%h, %s : f32\n"
                  "    %%t1 = arith.mulf %%t0, %%t0 : f32\n    %%t2 = arith.mulf %%t0, %%t1 : f32\n"
                  "    %%c1 = arith.constant 4.471500e-02 : f32\n    %%t3 = arith.mulf %%c1, %%t2 : f32\n"
                  "    %%t4 = arith.addf %%t0, %%t3 : f32\n    %%c2 = arith.constant 0.797884583 : f32\n"
                  "    %%t5 = arith.mulf %%c2, %%t4 : f32\n    %%t6 = math.tanh %%t5 : f32\n"
                  "    %%c3 = arith.constant 5.000000e-01 : f32\n    %%t7 = arith.mulf %%c3, %%t0 : f32\n"
                  "    %%c4 = arith.constant 1.000000e+00 : f32\n    %%t8 = arith.addf %%c4, %%t6 : f32\n"
                  "    %%t9 = arith.mulf %%t7, %%t8 : f32\n    linalg.yield %%t9 : f32\n  } -> %s\n") % (bv, acc)
            res = "%g"
        elif self.epilogue == "bias_trunc":  # out of place into the narrow type
            s += "  %%e2 = tensor.empty() : %s\n" % out_t
            s += ("  %%g = linalg.generic {indexing_maps = [%s, %s, %s], iterator_types = [%s]}\n"
                  "      ins(%%r, %%bias : %s, %s) outs(%%e2 : %s) {\n  ^bb0(%%h: f32, %%bv: %s, %%o: %s):\n") % (
                idmap, biasmap, idmap, par, acc, tt(self.out[-1], self.tb), out_t, bt, MLIR_TYPE[self.tout])
            s += ("    %%bf = arith.extf %%bv : %s to f32\n" % bt) if bt != "f32" else ""
            bv = "%bf" if bt != "f32" else "%bv"
            s += "    %%t0 = arith.addf %%h, %s : f32\n" % bv
            if self.tout != "f32":
                s += "    %%t1 = arith.truncf %%t0 : f32 to %s\n    linalg.yield %%t1 : %s\n" % (
                    MLIR_TYPE[self.tout], MLIR_TYPE[self.tout])
            else:
                s += "    linalg.yield %t0 : f32\n"
            s += "  } -> %s\n" % out_t
            res = "%g"
        else:
            res = "%r"
        s += "  return %s : %s\n}\n" % (res, out_t)
        return s

    def reference(self, args):
        a, b = args[0], args[1]
        staged = None
        if "bf16" in (self.ta, self.tb):
            staged = "bf16"
        if "f16" in (self.ta, self.tb):
            staged = "f16"
        if staged:  # the tensor-core kernels stage both operands in 16 bits
            a, b = round_to(a, staged), round_to(b, staged)
        r = np.einsum("%s,%s->%s" % (self.a, self.b, self.out), a.astype(np.float64), b.astype(np.float64))
        if self.epilogue == "bias_gelu":
            h = r + args[2].astype(np.float64)
            r = 0.5 * h * (1 + np.tanh(0.7978845608 * (h + 0.044715 * h ** 3)))
        elif self.epilogue == "bias_trunc":
            r = r + args[2].astype(np.float64)
        return [r]

    def tolerance(self):
        return 1e-2 if self.tout != "f32" else 2e-4


class Reduction:
    """out[o] = combine_{r} f(in) with a fill of the neutral element; kind is sum_sq, max, masked_max
    or generic (a body matchReduction does not recognise: out = out * 0.5 + x)."""

    def __init__(self, name, letters_in, letters_out, sizes, kind):
        self.name, self.li, self.lo, self.sizes, self.kind = name, letters_in, letters_out, sizes, kind
        self.red = [c for c in letters_in if c not in letters_out]
        self.loops = list(letters_out) + self.red

    def args(self):
        args = [([self.sizes[c] for c in self.li], "f32")]
        if self.kind == "masked_max":
            args.append(([self.sizes[c] for c in self.li[:2]], "i1"))
        return args

    def mlir(self):
        tt = lambda letters, t="f32": "tensor<%sx%s>" % ("x".join(str(self.sizes[c]) for c in letters), t)
        amap = lambda letters: "affine_map<(%s) -> (%s)>" % (", ".join(self.loops), ", ".join(letters))
        iters = ", ".join('"parallel"' for _ in self.lo) + "".join(', "reduction"' for _ in self.red)
        init = {"sum_sq": "0.0", "max": "0xFF800000", "masked_max": "0xFF800000", "generic": "0.0"}[self.kind]
        params = "%%x: %s" % tt(self.li)
        ins, types, maps, bb = "%x", tt(self.li), [amap(self.li)], "%v: f32"
        if self.kind == "masked_max":
            params += ", %%m: %s" % tt(self.li[:2], "i1")
            ins, types = "%x, %m", types + ", " + tt(self.li[:2], "i1")
            maps.append(amap(self.li[:2]))
            bb += ", %k: i1"
        maps.append(amap(self.lo))
        body = {
            "sum_sq": "    %s0 = arith.mulf %v, %v : f32\n    %s1 = arith.addf %o, %s0 : f32\n",
            "max": "    %s1 = arith.maximumf %o, %v : f32\n",
            "masked_max": "    %ninf = arith.constant 0xFF800000 : f32\n"
                          "    %s0 = arith.select %k, %v, %ninf : f32\n    %s1 = arith.maximumf %o, %s0 : f32\n",
            "generic": "    %h = arith.constant 0.5 : f32\n    %s0 = arith.mulf %o, %h : f32\n"
                       "    %s1 = arith.addf %s0, %v : f32\n",
        }[self.kind]
        s = "func.func @%s(%s) -> %s {\n" % (self.name, params, tt(self.lo))
        s += "  %%e = tensor.empty() : %s\n  %%c = arith.constant %s : f32\n" % (tt(self.lo), init)
        s += "  %%f = linalg.fill ins(%%c : f32) outs(%%e : %s) -> %s\n" % (tt(self.lo), tt(self.lo))
        s += ("  %%r = linalg.generic {indexing_maps = [%s], iterator_types = [%s]}\n"
              "      ins(%s : %s) outs(%%f : %s) {\n  ^bb0(%s, %%o: f32):\n") % (
            ", ".join(maps), iters, ins, types, tt(self.lo), bb)
        s += body + "    linalg.yield %%s1 : f32\n  } -> %s\n  return %%r : %s\n}\n" % (tt(self.lo), tt(self.lo))
        return s

    def reference(self, args):
        x = args[0].astype(np.float64)
        axes = tuple(i for i, c in enumerate(self.li) if c not in self.lo)
        perm = [self.li.index(c) for c in self.lo]
        if self.kind == "sum_sq":
            r = (x * x).sum(axis=axes)
        elif self.kind == "max":
            r = x.max(axis=axes)
        elif self.kind == "masked_max":
            m = args[1].reshape(args[1].shape + (1,) * (x.ndim - 2))
            r = np.where(m, x, -np.inf).max(axis=axes)
        else:  # sequential: o = o * 0.5 + x over the reduction order
            moved = np.moveaxis(x, [self.li.index(c) for c in self.red], list(range(len(self.red))))
            flat = moved.reshape((-1,) + moved.shape[len(self.red):])
            o = np.zeros(flat.shape[1:])
            for v in flat:
                o = o * 0.5 + v
            kept = [c for c in self.li if c not in self.red]
            return [np.transpose(o, [kept.index(c) for c in self.lo])]
        kept = [c for c in self.li if c in self.lo]
        return [np.transpose(r, [kept.index(c) for c in self.lo])]

    def tolerance(self):
        return 1e-5


class Pointwise:
    """out[b,m,n,p] = exp(l[b,m,n,p] - mx[b,n,p]): a broadcast, like the softmax numerators."""

    def __init__(self, name, sizes):
        self.name, self.sizes = name, sizes

    def args(self):
        s = self.sizes
        return [([s["b"], s["m"], s["n"], s["p"]], "f32"), ([s["b"], s["n"], s["p"]], "f32")]

    def mlir(self):
        s = self.sizes
        t4 = "tensor<%dx%dx%dx%dxf32>" % (s["b"], s["m"], s["n"], s["p"])
        t3 = "tensor<%dx%dx%dxf32>" % (s["b"], s["n"], s["p"])
        return ("func.func @%s(%%l: %s, %%mx: %s) -> %s {\n  %%e = tensor.empty() : %s\n"
                "  %%r = linalg.generic {indexing_maps = [affine_map<(b, m, n, p) -> (b, m, n, p)>, "
                "affine_map<(b, m, n, p) -> (b, n, p)>, affine_map<(b, m, n, p) -> (b, m, n, p)>], "
                "iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"parallel\"]}\n"
                "      ins(%%l, %%mx : %s, %s) outs(%%e : %s) {\n  ^bb0(%%a: f32, %%c: f32, %%o: f32):\n"
                "    %%d = arith.subf %%a, %%c : f32\n    %%x = math.exp %%d : f32\n    linalg.yield %%x : f32\n"
                "  } -> %s\n  return %%r : %s\n}\n") % (self.name, t4, t3, t4, t4, t4, t3, t4, t4, t4)

    def reference(self, args):
        return [np.exp(args[0].astype(np.float64) - args[1].astype(np.float64)[:, None])]

    def tolerance(self):
        return 1e-5


def cases():
    e = {"n": 3, "m": 40, "d": 96, "h": 200}
    return [
        # Expert GEMM: A K-contiguous, B N-contiguous, M and N tails.
        Einsum("gemm_expert_bf16", "nmd,ndh->nmh", e, "bf16", "bf16"),
        Einsum("gemm_expert_f16", "nmd,ndh->nmh", e, "f16", "f16"),
        Einsum("gemm_expert_f32", "nmd,ndh->nmh", {"n": 3, "m": 37, "d": 50, "h": 70}, "f32", "f32"),
        # K not a multiple of 8 (scalar loads), two 128-row tiles.
        Einsum("gemm_scalar_bf16", "mk,kn->mn", {"m": 130, "k": 100, "n": 72}, "bf16", "bf16"),
        # B K-contiguous ([N][K] storage), A M-contiguous: both ldmatrix variants swapped.
        Einsum("gemm_transposed_bf16", "km,nk->mn", {"m": 96, "k": 64, "n": 80}, "bf16", "bf16"),
        # The layer's einsums: logits, dispatch (f32 weights, bf16 tokens), combine.
        Einsum("gemm_logits_bf16", "bmd,dnp->bmnp", {"b": 2, "m": 50, "d": 64, "n": 8, "p": 4}, "bf16", "bf16"),
        Einsum("gemm_dispatch_bf16", "bmnp,bmd->bnpd", {"b": 2, "m": 50, "n": 8, "p": 4, "d": 64}, "f32", "bf16"),
        Einsum("gemm_dispatch_p1_bf16", "bmnp,bmd->bnpd", {"b": 2, "m": 50, "n": 24, "p": 1, "d": 64}, "f32",
               "bf16"),
        Einsum("gemm_combine_bf16", "bmnp,bnpd->bmd", {"b": 2, "m": 50, "n": 8, "p": 4, "d": 64}, "f32", "bf16"),
        Einsum("gemm_dispatch_f32", "bmnp,bmd->bnpd", {"b": 2, "m": 50, "n": 8, "p": 4, "d": 64}, "f32", "f32"),
        Einsum("gemm_combine_f32", "bmnp,bnpd->bmd", {"b": 2, "m": 50, "n": 8, "p": 4, "d": 64}, "f32", "f32"),
        # Expert GEMMs with the layer's epilogues.
        Einsum("gemm_bias_gelu_bf16", "bnpd,ndh->bnph", {"b": 4, "n": 3, "p": 2, "d": 64, "h": 96}, "bf16", "bf16",
               epilogue="bias_gelu"),
        Einsum("gemm_bias_trunc_bf16", "bnph,nhd->bnpd", {"b": 4, "n": 3, "p": 2, "h": 96, "d": 64}, "bf16",
               "bf16", epilogue="bias_trunc", tout="bf16"),
        # The sm_90a (wgmma/TMA) kernel's layouts at P = 1: the layer's two expert GEMMs with their
        # epilogues, and a K of five 64-wide slices (more than the four stages of the ring) with
        # M and N tails.
        Einsum("gemm_bias_gelu_p1_bf16", "bnpd,ndh->bnph", {"b": 40, "n": 3, "p": 1, "d": 96, "h": 136},
               "bf16", "bf16", epilogue="bias_gelu"),
        Einsum("gemm_bias_trunc_p1_f16", "bnph,nhd->bnpd", {"b": 40, "n": 2, "p": 1, "h": 136, "d": 64},
               "f16", "f16", epilogue="bias_trunc", tout="f16"),
        Einsum("gemm_ring_bf16", "nmd,ndh->nmh", {"n": 2, "m": 130, "d": 320, "h": 72}, "bf16", "bf16"),
        Einsum("gemm_bias_gelu_f32", "bnpd,ndh->bnph", {"b": 4, "n": 3, "p": 2, "d": 64, "h": 96}, "f32", "f32",
               epilogue="bias_gelu"),
        Reduction("reduce_rows_sumsq", "bmd", "bm", {"b": 3, "m": 37, "d": 200}, "sum_sq"),
        Reduction("reduce_cols_max", "bmnp", "bnp", {"b": 3, "m": 45, "n": 9, "p": 4}, "max"),
        Reduction("reduce_cols_masked_max", "bmnp", "bnp", {"b": 3, "m": 45, "n": 9, "p": 4}, "masked_max"),
        Reduction("reduce_rows2_max", "bmnp", "bm", {"b": 3, "m": 45, "n": 9, "p": 4}, "max"),
        Reduction("reduce_serial", "bmd", "bm", {"b": 3, "m": 37, "d": 20}, "generic"),
        Pointwise("pointwise_exp", {"b": 3, "m": 45, "n": 9, "p": 4}),
    ]


def main():
    cmd, root = sys.argv[1], sys.argv[2]
    all_cases = {c.name: c for c in cases()}
    if cmd == "emit":
        os.makedirs(root, exist_ok=True)
        for c in all_cases.values():
            with open(os.path.join(root, c.name + ".mlir"), "w") as f:
                f.write(c.mlir())
        print("\n".join(all_cases))
    elif cmd == "inputs":
        g = np.random.default_rng(1)
        for c in all_cases.values():
            d = os.path.join(root, c.name)
            os.makedirs(d, exist_ok=True)
            for i, (shape, t) in enumerate(c.args()):
                a = g.random(shape) > 0.3 if t == "i1" else g.standard_normal(shape, dtype=np.float32)
                np.save(os.path.join(d, "arg%d.npy" % i), a)
    elif cmd == "check":
        c = all_cases[sys.argv[3]]
        d = os.path.join(root, c.name)
        args = []
        for i, (shape, t) in enumerate(c.args()):
            a = np.load(os.path.join(d, "arg%d.npy" % i))
            args.append(a if t == "i1" else round_to(a, t))
        refs = c.reference(args)
        worst = 0.0
        ok = True
        for i, ref in enumerate(refs):
            y = np.load(os.path.join(d, "out", "out%d.npy" % i)).astype(np.float64)
            if y.shape != ref.shape or not np.all(np.isfinite(y)):
                ok = False
                worst = float("inf")
                continue
            err = float(np.max(np.abs(y - ref)) / max(np.max(np.abs(ref)), 1e-30))
            worst = max(worst, err)
            ok = ok and err <= c.tolerance()
        print(json.dumps({"case": c.name, "rel_err": worst, "tol": c.tolerance(), "ok": ok}))
        sys.exit(0 if ok else 1)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
