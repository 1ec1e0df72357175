#!/usr/bin/env python3
"""A CPU emulator for the kernels of softmoe-gpu-kernel-pipeline, to test them without a GPU.

Reads the generic-form MLIR that `softmoe-opt --softmoe-gpu-kernel-pipeline --mlir-print-op-generic`
prints (host functions with gpu.launch kernels, before outlining) and runs a host function on numpy
arrays: every thread of every block runs the kernel body as a Python generator, which stops at
gpu.barrier and at the warp-collective ops (gpu.shuffle, nvgpu.ldmatrix, nvvm.mma.sync) until its
block or warp meets it, so barriers, shuffles and tensor-core fragments are emulated with their PTX
semantics (ldmatrix/.trans row addressing, the m16n8k16 register layouts of the PTX ISA, which
MLIR's NVGPU MMAUtils uses too). bf16 values are float32 rounded to nearest even; f16 uses numpy's
float16. Out-of-bounds accesses raise, device allocations start as NaN, a barrier or collective that
not every thread reaches is reported as a deadlock.

  gpu_emulate.py KERNELS.mlir CASE [CASES_DIR]
      runs @CASE of KERNELS.mlir on the inputs of scripts/gpu_kernel_cases.py's case CASE and checks
      the result against its numpy reference (exit status 0 when within tolerance); prints JSON.

  gpu_emulate.py --layer KERNELS.mlir REF_PY B M D N P H DTYPE ACT [normalize] [mask|all-masked-group]
      runs @softmoe_layer on make_inputs of REF_PY (scripts/softmoe_reference.py, which also knows
      the gated activations, or peers/softmoe_ref.py) and checks it against softmoe() in float64 on
      the same rounded inputs, with CONTRACT.md's tolerances.

It is slow (pure Python): small shapes only.
"""
import functools
import json
import math
import os
import re
import sys

import numpy as np

import gpu_emulate_sm90 as sm90

np.seterr(all="ignore")  # inf/NaN arithmetic is part of the semantics (masked softmax)

# ------------------------------------------------------------------------------------------------
# Parsing the generic form
# ------------------------------------------------------------------------------------------------


class Op:
    __slots__ = ("results", "name", "operands", "props", "attrs", "regions", "in_types", "out_types")


class Block:
    def __init__(self, args, ops):
        self.args, self.ops = args, ops


def split_top(s, sep=","):
    """Splits at `sep` outside (), <>, [], {}."""
    out, depth, cur = [], 0, ""
    i = 0
    while i < len(s):
        c = s[i]
        if c in "(<[{":
            depth += 1
        elif c in ")>]}":
            # '->' is not a closing bracket
            if not (c == ">" and i > 0 and s[i - 1] == "-"):
                depth -= 1
        if c == sep and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out


def take_braced(s, i, open_tok, close_tok):
    """For s[i:] starting with open_tok ("<{" or "{"), returns (content, index after close_tok),
    matching braces."""
    assert s.startswith(open_tok, i), (s[i:i + 20], open_tok)
    start = i + len(open_tok) - 1  # the '{'
    depth = 0
    for j in range(start, len(s)):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                assert s.startswith(close_tok, j), (s[j:j + 5], close_tok)
                return s[start + 1:j], j + len(close_tok)
    raise ValueError("unbalanced: " + s[i:i + 60])


def parse_functype(t):
    t = t.strip()
    m = re.match(r"^\((.*)\)\s*->\s*(.*)$", t)
    ins = split_top(m.group(1)) if m.group(1).strip() else []
    out = m.group(2).strip()
    if out.startswith("(") and out.endswith(")") and not out.startswith("(!"):
        outs = split_top(out[1:-1]) if out[1:-1].strip() else []
    else:
        outs = [out]
    return ins, outs


HEADER = re.compile(r'^\s*(?:(%[\w]+)(?::(\d+))? = )?"([\w.]+)"\((.*?)\)(.*)$')


def parse_block(lines, i, indent_stop):
    """Parses ops until a line starting with '}' (region end). Returns (blocks, i)."""
    blocks, args, ops = [], [], []
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("}"):
            break
        if line.startswith("^"):
            if ops or args:
                blocks.append(Block(args, ops))
            m = re.match(r"^\^\w+(?:\((.*)\))?:", line)
            args = []
            if m.group(1):
                for a in split_top(m.group(1)):
                    n, t = a.split(":", 1)
                    args.append((n.strip(), t.strip()))
            ops = []
            i += 1
            continue
        op, i = parse_op(lines, i)
        ops.append(op)
    blocks.append(Block(args, ops))
    return blocks, i


def parse_op(lines, i):
    line = lines[i].rstrip()
    m = HEADER.match(line)
    if not m:
        raise ValueError("cannot parse: " + line)
    op = Op()
    res, count, op.name, operands, rest = m.groups()
    if res:
        n = int(count) if count else 1
        op.results = [res] if n == 1 and not count else ["%s#%d" % (res, k) for k in range(n)]
    else:
        op.results = []
    op.operands = [o.strip() for o in operands.split(",")] if operands.strip() else []
    op.props, op.attrs, op.regions = "", "", []
    rest = rest.strip()
    if rest.startswith("<{"):
        op.props, j = take_braced(rest, 0, "<{", "}>")
        rest = rest[j:].strip()
    i += 1
    if rest.startswith("({"):
        # Regions on the following lines.
        while True:
            blocks, i = parse_block(lines, i, None)
            op.regions.append(blocks)
            closing = lines[i].strip()
            i += 1
            if closing.startswith("}, {"):
                continue
            assert closing.startswith("})"), closing
            rest = closing[2:].strip()
            break
    if rest.startswith("{"):
        op.attrs, j = take_braced(rest, 0, "{", "}")
        rest = rest[j:].strip()
    assert rest.startswith(":"), (op.name, rest)
    t = rest[1:].strip()
    t = re.sub(r"\s+loc\(.*\)$", "", t)
    op.in_types, op.out_types = parse_functype(t)
    return op, i


ALIASES = {}  # attribute aliases of the module (#map = affine_map<...>)


def parse_module(text):
    lines = [l for l in text.splitlines() if l.strip() and not l.strip().startswith("//")]
    for l in lines:
        m = re.match(r"^(#\w+) = (.*)$", l.strip())
        if m:
            ALIASES[m.group(1)] = m.group(2)
    funcs = {}
    i = 0
    while i < len(lines):
        if '"func.func"' in lines[i]:
            op, i = parse_op(lines, i)
            name = re.search(r'sym_name = "([\w]+)"', op.props).group(1)
            funcs[name] = op
        else:
            i += 1
    return funcs


# ------------------------------------------------------------------------------------------------
# Types and values
# ------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def elem_of(t):
    m = re.match(r"^(?:vector|memref|tensor)<(.*)>$", t.strip())
    if not m:
        return t.strip()
    parts = split_top(m.group(1))
    return parts[0].split("x")[-1]


@functools.lru_cache(maxsize=None)
def shape_of(t):
    m = re.match(r"^(?:vector|memref|tensor)<(.*)>$", t.strip())
    dims = split_top(m.group(1))[0].split("x")[:-1]
    return tuple(int(d) for d in dims)


def round_bf16(a):
    a = np.asarray(a, dtype=np.float32)
    u = a.view(np.uint32).astype(np.uint64)
    nan = np.isnan(a)
    u = (u + np.uint64(0x7FFF) + ((u >> np.uint64(16)) & np.uint64(1))) & np.uint64(0xFFFF0000)
    r = u.astype(np.uint32).view(np.float32)
    return np.where(nan, np.float32(np.nan), r)


def to_type(x, t):
    """Rounds a float value to element type t (scalar or array)."""
    if t == "f32":
        return np.float32(x) if np.ndim(x) == 0 else np.asarray(x, np.float32)
    if t == "bf16":
        r = round_bf16(np.asarray(x, np.float32))
        return np.float32(r) if np.ndim(r) == 0 else r
    if t == "f16":
        return np.float16(x) if np.ndim(x) == 0 else np.asarray(x, np.float16)
    raise ValueError(t)


def np_dtype(t):
    return {"f32": np.float32, "bf16": np.float32, "f16": np.float16, "i1": np.bool_}.get(t, np.int64)


def bf16_bits(v):
    return int(np.asarray(v, np.float32).reshape(1).view(np.uint32)[0] >> 16)


def bits_bf16(b):
    return np.array([b << 16], np.uint32).view(np.float32)[0]


def parse_float_literal(s):
    s = s.strip()
    if s.startswith("0x"):
        bits = int(s, 16)
        return float(np.array([bits], np.uint32).view(np.float32)[0]) if len(s) <= 10 else float(
            np.array([bits], np.uint64).view(np.float64)[0])
    return float(s)


def parse_constant(props, t):
    b = re.search(r"value = (true|false)\b", props)
    if b:
        return int(b.group(1) == "true")
    m = re.search(r"value = (.*) : ([^:]+)$", props.strip())
    lit, lt = m.group(1).strip(), m.group(2).strip()
    if lit.startswith("dense<"):
        inner = lit[len("dense<"):-1]
        e, shape = elem_of(t), shape_of(t)
        if inner.startswith("["):
            vals = [parse_float_literal(v) if e.startswith(("f", "b")) else int(v)
                    for v in re.findall(r"[-\w.+]+", inner)]
            arr = np.array(vals).reshape(shape)
        else:
            v = parse_float_literal(inner) if e in ("f32", "bf16", "f16") else int(
                {"true": 1, "false": 0}.get(inner, inner))
            arr = np.full(shape, v)
        return to_type(arr, e) if e in ("f32", "bf16", "f16") else arr.astype(np.int64)
    if lit in ("true", "false"):
        return int(lit == "true")
    if t in ("f32", "bf16", "f16"):
        return to_type(parse_float_literal(lit), t)
    return int(lit)


# ------------------------------------------------------------------------------------------------
# Interpretation
# ------------------------------------------------------------------------------------------------

CMPI = {0: lambda a, b: a == b, 1: lambda a, b: a != b, 2: lambda a, b: a < b, 3: lambda a, b: a <= b,
        4: lambda a, b: a > b, 5: lambda a, b: a >= b, 6: lambda a, b: a < b, 7: lambda a, b: a <= b,
        8: lambda a, b: a > b, 9: lambda a, b: a >= b}


def cmpf(pred, a, b):
    unordered = np.isnan(a) or np.isnan(b)
    ordered_ops = {1: a == b, 2: a > b, 3: a >= b, 4: a < b, 5: a <= b, 6: a != b}
    if pred == 0:
        return 0
    if pred == 15:
        return 1
    if pred == 7:
        return int(not unordered)
    if pred == 14:
        return int(unordered)
    if 1 <= pred <= 6:
        return int(not unordered and ordered_ops[pred])
    return int(unordered or ordered_ops[pred - 7])


class Machine:
    def __init__(self, funcs):
        self.funcs = funcs
        self.ops_executed = 0

    # -- region execution (a generator: yields barrier/collective requests) --
    def run_block(self, block, env, ctx):
        for op in block.ops:
            r = yield from self.exec_op(op, env, ctx)
            if r is not None and r[0] == "yield":
                return r[1]
        return None

    def get(self, env, name):
        return env[name]

    def exec_op(self, op, env, ctx):
        self.ops_executed += 1
        n = op.name
        a = [env[o] for o in op.operands]
        t = op.out_types[0] if op.out_types else None

        def put(v):
            env[op.results[0]] = v

        if n == "arith.constant":
            put(parse_constant(op.props, t))
        elif n in ("arith.addi", "arith.subi", "arith.muli", "arith.andi", "arith.ori", "arith.xori",
                   "arith.divui", "arith.remui", "arith.minui", "arith.maxui", "arith.minsi", "arith.maxsi",
                   "arith.divsi", "arith.remsi"):
            x, y = int(a[0]), int(a[1])
            if n in ("arith.divui", "arith.remui", "arith.divsi", "arith.remsi") and y == 0:
                raise ZeroDivisionError(n)
            r = {"arith.addi": lambda: x + y, "arith.subi": lambda: x - y, "arith.muli": lambda: x * y,
                 "arith.andi": lambda: x & y, "arith.ori": lambda: x | y, "arith.xori": lambda: x ^ y,
                 "arith.divui": lambda: x // y, "arith.remui": lambda: x % y, "arith.minui": lambda: min(x, y),
                 "arith.maxui": lambda: max(x, y), "arith.minsi": lambda: min(x, y),
                 "arith.maxsi": lambda: max(x, y), "arith.divsi": lambda: int(x / y),
                 "arith.remsi": lambda: int(math.fmod(x, y))}[n]()
            if n in ("arith.divui", "arith.remui") and (x < 0 or y < 0):
                raise ValueError("unsigned op on a negative value: %s %d %d" % (n, x, y))
            put(r & 1 if t == "i1" else r)
        elif n == "arith.cmpi":
            pred = int(re.search(r"predicate = (\d+)", op.props).group(1))
            put(int(CMPI[pred](int(a[0]), int(a[1]))))
        elif n == "arith.cmpf":
            pred = int(re.search(r"predicate = (\d+)", op.props).group(1))
            put(cmpf(pred, float(a[0]), float(a[1])))
        elif n == "arith.select":
            put(a[1] if a[0] else a[2])
        elif n in ("arith.addf", "arith.subf", "arith.mulf", "arith.divf", "arith.maximumf", "arith.minimumf",
                   "arith.maxnumf", "arith.minnumf"):
            e = elem_of(t)
            x, y = np.asarray(a[0], np.float32), np.asarray(a[1], np.float32)
            r = {"arith.addf": lambda: x + y, "arith.subf": lambda: x - y, "arith.mulf": lambda: x * y,
                 "arith.divf": lambda: x / y, "arith.maximumf": lambda: np.maximum(x, y),
                 "arith.minimumf": lambda: np.minimum(x, y), "arith.maxnumf": lambda: np.fmax(x, y),
                 "arith.minnumf": lambda: np.fmin(x, y)}[n]()
            put(to_type(r, e))
        elif n == "arith.negf":
            put(to_type(-np.asarray(a[0], np.float32), elem_of(t)))
        elif n in ("arith.extf", "arith.truncf"):
            put(to_type(np.asarray(a[0], np.float32), elem_of(t)))
        elif n in ("arith.sitofp", "arith.uitofp"):
            put(to_type(float(a[0]), t))
        elif n == "arith.index_cast" or n == "arith.index_castui" or n == "arith.extui" or n == "arith.extsi" \
                or n == "arith.trunci":
            put(int(a[0]))
        elif n.startswith("math."):
            e = elem_of(t)
            x = np.asarray(a[0], np.float64)
            f = {"math.exp": np.exp, "math.tanh": np.tanh, "math.sqrt": np.sqrt, "math.log": np.log,
                 "math.absf": np.abs, "math.rsqrt": lambda v: 1 / np.sqrt(v),
                 "math.erf": np.vectorize(math.erf) if x.ndim else (lambda v: math.erf(float(v))),
                 "math.exp2": np.exp2}
            if n == "math.fma":
                r = np.float64(a[0]) * np.float64(a[1]) + np.float64(a[2])
            else:
                r = f[n](x)
            put(to_type(np.asarray(r, np.float32), e))
        elif n == "scf.if":
            region = op.regions[0] if a[0] else (op.regions[1] if len(op.regions) > 1 else None)
            vals = []
            if region and region[0].ops:
                vals = yield from self.run_block(region[0], env, ctx) or []
            for r, v in zip(op.results, vals or []):
                env[r] = v
        elif n == "scf.for":
            lb, ub, step = int(a[0]), int(a[1]), int(a[2])
            carried = list(a[3:])
            body = op.regions[0][0]
            iv = lb
            while iv < ub:
                env[body.args[0][0]] = iv
                for (name, _), v in zip(body.args[1:], carried):
                    env[name] = v
                carried = yield from self.run_block(body, env, ctx)
                iv += step
            for r, v in zip(op.results, carried):
                env[r] = v
        elif n in ("scf.yield", "gpu.terminator", "func.return"):
            return ("yield", a)
        elif n == "memref.load":
            mem = a[0]
            idx = tuple(int(i) for i in a[1:])
            self.check_bounds(mem, idx, 1, n)
            v = mem[idx]
            put(v.item() if isinstance(v, np.bool_) else v)
        elif n == "memref.store":
            mem = a[1]
            idx = tuple(int(i) for i in a[2:])
            self.check_bounds(mem, idx, 1, n)
            mem[idx] = a[0]
        elif n == "vector.load":
            mem, idx = a[0], [int(i) for i in a[1:]]
            shape = shape_of(t)
            count = int(np.prod(shape))
            flat = self.flat_index(mem, idx, count, n)
            put(mem.reshape(-1)[flat:flat + count].reshape(shape).copy())
        elif n == "vector.store":
            vec, mem, idx = a[0], a[1], [int(i) for i in a[2:]]
            count = int(np.asarray(vec).size)
            flat = self.flat_index(mem, idx, count, n)
            mem.reshape(-1)[flat:flat + count] = np.asarray(vec).reshape(-1)
        elif n == "vector.extract":
            pos = [int(p) for p in re.search(r"static_position = array<i64: ([\d, ]*)>", op.props)
                   .group(1).split(",") if p.strip()]
            v = np.asarray(a[0])[tuple(pos)]
            put(v.copy() if isinstance(v, np.ndarray) and v.ndim else v.item() if elem_of(t) in (
                "i32", "i64", "index", "i1") else v)
        elif n == "vector.from_elements":
            e = elem_of(t)
            put(np.array(a, dtype=np_dtype(e)).reshape(shape_of(t)))
        elif n == "vector.broadcast" or n == "vector.splat":
            put(np.full(shape_of(t), a[0], dtype=np_dtype(elem_of(t))))
        elif n == "vector.bitcast":
            src_t, dst_t = op.in_types[0], t
            if elem_of(src_t) == "bf16" and elem_of(dst_t) == "i32":
                v = np.asarray(a[0]).reshape(-1)
                put(np.array([bf16_bits(v[0]) | (bf16_bits(v[1]) << 16)], np.int64))
            else:
                raise NotImplementedError("bitcast %s -> %s" % (src_t, dst_t))
        elif n == "llvm.extractvalue":
            pos = int(re.search(r"position = array<i64: (\d+)>", op.props).group(1))
            put(a[0][pos])
        elif n == "gpu.thread_id":
            put(ctx["tid"][{"x": 0, "y": 1, "z": 2}[re.search(r"dim (\w)", op.props).group(1)]])
        elif n == "gpu.block_id":
            put(ctx["bid"][{"x": 0, "y": 1, "z": 2}[re.search(r"dim (\w)", op.props).group(1)]])
        elif n == "gpu.lane_id":
            put(ctx["tid"][0] % 32)
        elif n == "gpu.barrier":
            yield ("barrier",)
        elif n == "gpu.shuffle":
            mode = re.search(r"shuffle_mode (\w+)", op.props).group(1)
            r = yield ("shuffle", mode, a[0], int(a[1]), int(a[2]))
            env[op.results[0]] = r[0]
            env[op.results[1]] = r[1]
        elif n == "nvgpu.ldmatrix":
            num = int(re.search(r"numTiles = (\d+)", op.props).group(1))
            trans = "transpose = true" in op.props
            mem, idx = a[0], [int(i) for i in a[1:]]
            flat = self.flat_index(mem, idx, 8, n)
            r = yield ("ldmatrix", num, trans, mem, flat, elem_of(t))
            put(r)
        elif n == "nvvm.mma.sync":
            seg = [int(x) for x in re.search(r"operandSegmentSizes = array<i32: ([\d, ]*)>", op.props)
                   .group(1).split(",")]
            ta = re.search(r"multiplicandAPtxType = #nvvm.mma_type<(\w+)>", op.props).group(1)
            A, B, C = a[:seg[0]], a[seg[0]:seg[0] + seg[1]], a[seg[0] + seg[1]:]
            r = yield ("mma", ta, A, B, C)
            put(r)
        elif n.startswith("nvgpu.") or n in ("gpu.dynamic_shared_memory", "memref.view",
                                              "memref.extract_aligned_pointer_as_index",
                                              "nvvm.wgmma.wait.group.sync.aligned"):
            yield from self.exec_sm90_op(op, a, env, ctx)
        else:
            yield from self.exec_host_op(op, a, env, ctx)

    def exec_sm90_op(self, op, a, env, ctx):
        """TMA, mbarriers, wgmma and dynamic shared memory (scripts/gpu_emulate_sm90.py)."""
        n = op.name
        block = ctx.get("block", {})

        def put(v):
            env[op.results[0]] = v

        if n == "nvgpu.tma.create.descriptor":
            put(sm90.TensorMap(a[0], [int(v) for v in a[1:]], op.out_types[0]))
        elif n == "gpu.dynamic_shared_memory":
            if "smem" not in block:
                block["smem"] = sm90.DynSmem(block["dynamic_shared_bytes"])
            put(block["smem"])
        elif n == "memref.extract_aligned_pointer_as_index":
            if not isinstance(a[0], sm90.DynSmem):
                raise NotImplementedError("the address of a non-dynamic-shared buffer")
            put(a[0].base)
        elif n == "memref.view":
            t = op.out_types[0]
            put(a[0].region(int(a[1]), shape_of(t), elem_of(t)))
        elif n == "nvgpu.mbarrier.create":
            m = re.search(r"num_barriers = (\d+)", op.out_types[0])
            count = int(m.group(1)) if m else 1  # printed only when not 1
            put(block.setdefault(("mbarriers", id(op)), [sm90.MBarrier() for _ in range(count)]))
        elif n == "nvgpu.mbarrier.init":
            if len(a) < 4 or a[3]:
                a[0][int(a[2])].init(int(a[1]))
        elif n == "nvgpu.mbarrier.arrive.expect_tx":
            if len(a) < 4 or a[3]:
                a[0][int(a[2])].arrive_expect_tx(int(a[1]))
        elif n == "nvgpu.mbarrier.try_wait.parity":
            bar, parity = a[0][int(a[3])], int(a[1])
            while not bar.phase_done(parity):
                yield ("mbar_wait", bar, parity)
        elif n == "nvgpu.tma.async.load":
            seg = [int(x) for x in re.search(r"operandSegmentSizes = array<i32: ([\d, ]*)>", op.props)
                   .group(1).split(",")]
            dst, bars, tmap = a[0], a[1], a[2]
            coords = a[3:3 + seg[3]]
            mbar_id = int(a[3 + seg[3]])
            rest = a[4 + seg[3]:]
            if seg[5]:
                raise NotImplementedError("TMA multicast")
            if seg[6] and not rest[0]:
                return
            sm90.tma_load(dst, bars[mbar_id], tmap, coords)
        elif n == "nvgpu.warpgroup.generate.descriptor":
            put(sm90.WgDesc(a[0], a[1]))
        elif n == "nvgpu.warpgroup.mma.init.accumulator":
            put(sm90.init_accumulator(op.out_types[0]))
        elif n == "nvgpu.warpgroup.mma":
            if "transposeA" in op.props:
                raise NotImplementedError("wgmma with transposed A")
            r = yield ("wgmma", a[0], a[1], a[2], op.out_types[0], "transposeB" in op.props)
            put(np.asarray(r, np.float32))
        elif n == "nvgpu.warpgroup.mma.store":
            tid = ctx["tid"][0] + ctx["block_dim"][0] * (ctx["tid"][1] + ctx["block_dim"][1] * ctx["tid"][2])
            sm90.mma_store(a[0], a[1], tid % 128)
        elif n == "nvvm.wgmma.wait.group.sync.aligned":
            pass  # wgmma groups complete when issued here
        else:
            raise NotImplementedError(n)
        return
        yield  # a generator

    def check_bounds(self, mem, idx, count, what):
        if len(idx) != mem.ndim or any(i < 0 or i >= s for i, s in zip(idx, mem.shape)):
            raise IndexError("%s out of bounds: %s in %s" % (what, idx, mem.shape))

    def flat_index(self, mem, idx, count, what):
        self.check_bounds(mem, tuple(idx), 1, what)
        flat = int(np.ravel_multi_index(tuple(idx), mem.shape))
        if flat + count > mem.size:
            raise IndexError("%s reads past the end: %s + %d in %s" % (what, idx, count, mem.shape))
        return flat

    # -- host ops --
    def exec_host_op(self, op, a, env, ctx):
        n = op.name
        if n == "gpu.wait":
            if op.results:
                env[op.results[0]] = None
        elif n == "gpu.alloc":
            t = op.out_types[0]
            e = elem_of(t)
            arr = np.full(shape_of(t), np.nan if e in ("f32", "bf16", "f16") else 0, dtype=np_dtype(e))
            env[op.results[0]] = arr
            env[op.results[1]] = None
        elif n == "gpu.dealloc" or n == "memref.dealloc":
            if op.results:
                env[op.results[0]] = None
        elif n == "gpu.memcpy":
            a[1 if len(a) == 3 else 0][...] = a[-1]
            if op.results:
                env[op.results[0]] = None
        elif n in ("memref.collapse_shape", "memref.expand_shape", "memref.reshape"):
            env[op.results[0]] = a[0].reshape(shape_of(op.out_types[0]))
        elif n == "memref.cast":
            env[op.results[0]] = a[0]
        elif n == "memref.subview":
            # A view (numpy slicing shares the storage); dynamic entries are
            # the operands after the source, in the order offsets, sizes,
            # strides.
            seg = [int(x) for x in re.search(r"operandSegmentSizes = array<i32: ([\d, ]*)>", op.props)
                   .group(1).split(",")]
            dyn = iter(int(v) for v in a[1:])

            def static(name):
                vals = [int(x) for x in re.search(name + r" = array<i64: ([-\d, ]*)>", op.props)
                        .group(1).split(",")]
                return [next(dyn) if v == -9223372036854775808 else v for v in vals]
            offsets, sizes, strides = static("static_offsets"), static("static_sizes"), static("static_strides")
            assert sum(seg[1:]) == len(a) - 1
            view = a[0][tuple(slice(o, o + sz * st, st) for o, sz, st in zip(offsets, sizes, strides))]
            if list(view.shape) != sizes:
                raise ValueError("memref.subview out of bounds: %s of %s" % (sizes, a[0].shape))
            env[op.results[0]] = view
        elif n == "memref.transpose":
            perm_attr = re.search(r"permutation = (#\w+|affine_map<[^>]*>)", op.props).group(1)
            m = re.search(r"affine_map<\(([^)]*)\) -> \(([^)]*)\)>", ALIASES.get(perm_attr, perm_attr))
            dims = [d.strip() for d in m.group(1).split(",")]
            perm = [dims.index(r.strip()) for r in m.group(2).split(",")]
            env[op.results[0]] = np.transpose(a[0], perm)
            if env[op.results[0]].shape != shape_of(op.out_types[0].split(", strided")[0] + ">"):
                raise ValueError("memref.transpose: shape %s is not %s" % (env[op.results[0]].shape,
                                                                            op.out_types[0]))
        elif n == "gpu.launch":
            seg = [int(x) for x in re.search(r"operandSegmentSizes = array<i32: ([\d, ]*)>", op.props)
                   .group(1).split(",")]
            nasync = seg[0]
            grid = [int(v) for v in a[nasync:nasync + 3]]
            block = [int(v) for v in a[nasync + 3:nasync + 6]]
            if any(seg[7:10]):
                raise NotImplementedError("thread block clusters")
            dyn = int(a[sum(seg[:10])]) if len(seg) > 10 and seg[10] else 0
            self.launch(op.regions[0][0], grid, block, env, dyn)
            if op.results:
                env[op.results[0]] = None
        else:
            raise NotImplementedError(n)
        return
        yield  # a generator

    def launch(self, body, grid, block, env, dynamic_shared_bytes=0):
        nthreads = block[0] * block[1] * block[2]
        shared_args = body.args[12:]
        for bz in range(grid[2]):
            for by in range(grid[1]):
                for bx in range(grid[0]):
                    benv = dict(env)
                    for name, t in shared_args:
                        e = elem_of(t)
                        benv[name] = np.full(shape_of(t), np.nan if e in ("f32", "bf16", "f16") else 0,
                                             dtype=np_dtype(e))
                    self.run_threads(body, (bx, by, bz), grid, block, benv, nthreads,
                                     {"dynamic_shared_bytes": dynamic_shared_bytes})

    def run_threads(self, body, bid, grid, block, benv, nthreads, bstate=None):
        gens, pending, done = [], {}, set()
        for t in range(nthreads):
            tid = (t % block[0], (t // block[0]) % block[1], t // (block[0] * block[1]))
            env = dict(benv)
            for k, v in enumerate(list(bid) + list(tid) + list(grid) + list(block)):
                env[body.args[k][0]] = v
            ctx = {"tid": tid, "bid": bid, "block": bstate if bstate is not None else {}, "block_dim": block}
            gens.append(self.run_block(body, env, ctx))

        def advance(t, value):
            try:
                req = gens[t].send(value)
                pending[t] = req
            except StopIteration:
                pending.pop(t, None)
                done.add(t)

        for t in range(nthreads):
            advance(t, None)
        while len(done) < nthreads:
            progressed = False
            # mbarrier waits: a thread resumes once the phase it waits for has completed.
            for t in [t for t, r in pending.items() if r[0] == "mbar_wait" and r[1].phase_done(r[2])]:
                advance(t, None)
                progressed = True
            for w in range(0, nthreads, 32):
                lanes = [t for t in range(w, min(w + 32, nthreads)) if t not in done]
                if not lanes or any(pending[t][0] in ("barrier", "mbar_wait") for t in lanes):
                    continue
                kinds = {pending[t][0] for t in lanes}
                if kinds == {"wgmma"}:
                    # A warpgroup-wide collective: the 4 warps from a warp index divisible by 4.
                    if w % 128:
                        continue
                    group = [t for t in range(w, w + 128) if t < nthreads and t not in done]
                    if len(group) != 128 or any(pending[t][0] != "wgmma" for t in group):
                        continue
                    reqs = [pending[t] for t in group]
                    results = sm90.wgmma(reqs, reqs[0][4], reqs[0][5])
                    for t, r in zip(group, results):
                        advance(t, r)
                    progressed = True
                    continue
                if len(kinds) != 1 or len(lanes) != 32:
                    raise RuntimeError("warp %d: collectives %s with %d lanes" % (w // 32, kinds, len(lanes)))
                results = self.collective([pending[t] for t in lanes])
                for t, r in zip(lanes, results):
                    advance(t, r)
                progressed = True
            if not progressed:
                active = [t for t in range(nthreads) if t not in done]
                if all(pending[t][0] == "barrier" for t in active):
                    pass
                elif any(pending[t][0] == "mbar_wait" for t in active):
                    raise RuntimeError("deadlock: threads wait on an mbarrier phase that never completes")
                if all(pending[t][0] == "barrier" for t in active):
                    if len(done):
                        raise RuntimeError("barrier reached after %d threads exited" % len(done))
                    for t in active:
                        advance(t, None)
                else:
                    raise RuntimeError("deadlock: threads wait at different barriers/collectives")

    def collective(self, reqs):
        kind = reqs[0][0]
        if kind == "shuffle":
            vals = [r[2] for r in reqs]
            out = []
            for lane, r in enumerate(reqs):
                mode, off, width = r[1], r[3], r[4]
                src = {"xor": lane ^ off, "down": lane + off, "up": lane - off, "idx": off}[mode]
                ok = 0 <= src < width
                out.append((vals[src] if ok else vals[lane], int(ok)))
            return out
        if kind == "ldmatrix":
            num, trans, mem, elem = reqs[0][1], reqs[0][2], reqs[0][3], reqs[0][5]
            flatmem = mem.reshape(-1)
            rows = [flatmem[r[4]:r[4] + 8] for r in reqs]  # lane l: row l%8 of matrix l/8
            out = []
            for lane in range(32):
                g, c = lane // 4, lane % 4
                frag = []
                for q in range(num):
                    m = np.array([rows[q * 8 + k] for k in range(8)])  # 8x8 as stored
                    if trans:
                        frag.append([m[2 * c, g], m[2 * c + 1, g]])
                    else:
                        frag.append([m[g, 2 * c], m[g, 2 * c + 1]])
                out.append(np.array(frag, dtype=np_dtype(elem)))
            return out
        if kind == "mma":
            ta = reqs[0][1]
            A = np.zeros((16, 16))
            B = np.zeros((16, 8))
            C = np.zeros((16, 8))

            def unpack(v):
                if ta == "bf16":
                    v = int(v) & 0xFFFFFFFF
                    return float(bits_bf16(v & 0xFFFF)), float(bits_bf16(v >> 16))
                v = np.asarray(v).reshape(-1)
                return float(v[0]), float(v[1])

            for lane, r in enumerate(reqs):
                g, c = lane // 4, lane % 4
                a_regs, b_regs, c_regs = r[2], r[3], r[4]
                for reg, (row, col) in enumerate([(g, 2 * c), (g + 8, 2 * c), (g, 2 * c + 8), (g + 8, 2 * c + 8)]):
                    A[row, col], A[row, col + 1] = unpack(a_regs[reg])
                for reg, k in enumerate([2 * c, 2 * c + 8]):
                    B[k, g], B[k + 1, g] = unpack(b_regs[reg])
                for e, (row, col) in enumerate([(g, 2 * c), (g, 2 * c + 1), (g + 8, 2 * c), (g + 8, 2 * c + 1)]):
                    C[row, col] = float(c_regs[e])
            D = (A @ B + C).astype(np.float32)
            out = []
            for lane in range(32):
                g, c = lane // 4, lane % 4
                out.append((D[g, 2 * c], D[g, 2 * c + 1], D[g + 8, 2 * c], D[g + 8, 2 * c + 1]))
            return out
        raise NotImplementedError(kind)

    def call(self, name, args):
        f = self.funcs[name]
        body = f.regions[0][0]
        env = {}
        for (n, _), v in zip(body.args, args):
            env[n] = v
        gen = self.run_block(body, env, {"tid": (0, 0, 0), "bid": (0, 0, 0)})
        try:
            req = gen.send(None)
            raise RuntimeError("host code reached a device-only op: %s" % (req,))
        except StopIteration:
            pass


def host_array(values, t):
    """A memref argument of type t holding `values` (float32 or bool numpy array)."""
    e = elem_of(t)
    if e == "i1":
        return np.asarray(values, np.bool_).copy()
    if e in ("f32", "bf16", "f16"):
        return np.array(to_type(np.asarray(values, np.float32), e), dtype=np_dtype(e))
    raise ValueError(t)


def layer_main(argv):
    path, ref_py = argv[0], argv[1]
    B, M, D, N, P, H = (int(v) for v in argv[2:8])
    dtype, act = argv[8], argv[9]
    normalize = "normalize" in argv[10:]
    # all-masked-group: a mask whose last group is all padding.
    all_masked = "all-masked-group" in argv[10:]
    masked = "mask" in argv[10:] or all_masked
    import importlib.util
    spec = importlib.util.spec_from_file_location("softmoe_layer_ref", ref_py)
    softmoe_ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(softmoe_ref)
    import torch
    # scripts/softmoe_reference.py draws gated experts' 2H-wide w1 and b1;
    # the peer's own make_inputs knows only the plain activations.
    if hasattr(softmoe_ref, "ACTIVATIONS"):
        t = softmoe_ref.make_inputs(B, M, D, N, P, H, 0, normalize, masked, act=act)
    else:
        t = softmoe_ref.make_inputs(B, M, D, N, P, H, 0, normalize, masked)
    if all_masked:
        t["mask"][-1, :] = False
    names = ["x", "phi", "w1", "b1", "w2", "b2"] + (["scale"] if normalize else []) + (["mask"] if masked else [])
    funcs = parse_module(open(path).read())
    f = funcs["softmoe_layer"]
    ftype = re.search(r"function_type = (\(.*?\) -> \(.*?\))", f.props).group(1)
    arg_types, _ = parse_functype(ftype)
    args = [host_array(t[k], ty) for k, ty in zip(names, arg_types)]
    y = np.full(shape_of(arg_types[len(names)]), np.nan, dtype=np_dtype(elem_of(arg_types[len(names)])))
    m = Machine(funcs)
    m.call("softmoe_layer", args + [y])
    rounded = {k: (torch.from_numpy(np.asarray(t[k])) if k == "mask" else
                   torch.from_numpy(np.array(to_type(np.asarray(t[k], np.float32), dtype), np.float64)))
               for k in names}
    ref = softmoe_ref.softmoe(*[rounded[k] for k in names[:6]], scale=rounded.get("scale"),
                              mask=rounded.get("mask"), act=act).numpy()
    y = y.astype(np.float64)
    finite = bool(np.all(np.isfinite(y)))
    err = float(np.max(np.abs(y - ref)) / np.max(np.abs(ref))) if finite else float("inf")
    tol = 1e-4 if dtype == "f32" else 3e-2
    print(json.dumps({"layer": [B, M, D, N, P, H], "dtype": dtype, "activation": act, "normalize": normalize,
                      "mask": masked, "rel_err": err, "tol": tol, "ok": finite and err <= tol,
                      "ops_emulated": m.ops_executed, "all_masked_group": all_masked}))
    sys.exit(0 if finite and err <= tol else 1)


def main():
    if sys.argv[1] == "--layer":
        return layer_main(sys.argv[2:])
    path, case_name = sys.argv[1], sys.argv[2]
    sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else os.path.dirname(os.path.abspath(__file__)))
    import gpu_kernel_cases as kc
    case = {c.name: c for c in kc.cases()}[case_name]
    funcs = parse_module(open(path).read())
    f = funcs[case_name]
    ftype = re.search(r"function_type = (\(.*?\) -> \(.*?\))", f.props).group(1)
    arg_types, _ = parse_functype(ftype)
    g = np.random.default_rng(7)
    inputs = []
    for shape, t in case.args():
        inputs.append(g.random(shape) > 0.3 if t == "i1" else g.standard_normal(shape).astype(np.float32))
    args = [host_array(v, t) for v, t in zip(inputs, arg_types)]
    outs = []
    for t in arg_types[len(inputs):]:
        e = elem_of(t)
        outs.append(np.full(shape_of(t), np.nan, dtype=np_dtype(e)))
    m = Machine(funcs)
    m.call(case_name, args + outs)
    rounded = [v if t == "i1" else kc.round_to(v, t) for v, (_, t) in zip(inputs, case.args())]
    refs = case.reference(rounded)
    worst, ok = 0.0, True
    for y, ref in zip(outs, refs):
        y = y.astype(np.float64)
        if not np.all(np.isfinite(y)):
            worst, ok = float("inf"), False
            continue
        err = float(np.max(np.abs(y - ref)) / max(np.max(np.abs(ref)), 1e-30))
        worst = max(worst, err)
        ok = ok and err <= case.tolerance()
    print(json.dumps({"case": case_name, "rel_err": worst, "tol": case.tolerance(), "ok": ok,
                      "ops_emulated": m.ops_executed}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
