"""Hopper (sm_90a) semantics for scripts/gpu_emulate.py: dynamic shared memory as bytes, mbarriers
with phases and transaction counts, TMA tensor maps and box loads with the 128-byte swizzle, wgmma
matrix descriptors and the warpgroup accumulator fragments.

What is modelled, as the PTX ISA and the CUDA driver API define it:
- Dynamic shared memory is a byte array at a shared-window address that is NOT a multiple of 1024
  (as when static shared memory precedes it), so kernels must align their swizzled tiles themselves.
- cp.async.bulk.tensor (nvgpu.tma.async.load): the box at the given coordinates (innermost first),
  elements outside the tensor read as zero (OOB fill none/zero), written row-major into shared memory
  with the 128-byte swizzle: within each 1024-byte period, the 16-byte chunk index (address bits 4-6)
  is XORed with the row index (bits 7-9). The destination must be 1024-byte aligned and the box's
  inner dimension 128 bytes. The load completes its bytes on the mbarrier.
- mbarrier: arrival count, tx-count, phase; try_wait.parity P returns once the phase of parity P
  has completed (immediately for the phase before the current one).
- wgmma (nvgpu.warpgroup.mma, m64nNk16, f32 accumulation): A K-major and B MN-major ("transposeB")
  from 128-byte-swizzled shared memory; rows of 128 bytes, 8-row groups 1024 bytes apart; B's
  64-column blocks LBO bytes apart, LBO as MLIR's descriptor lowering encodes it (the tensor map
  box's first dimension x 128). The accumulator lives in each thread's registers in the layout of
  the PTX ISA's "Matrix fragment for wgmma .m64nNk16 D": thread t (warp w = t / 32, lane l) holds
  element i of every 64-row block at row 16 w + l / 4 + 8 ((i / 2) % 2), column
  8 (i / 4) + 2 (l % 4) + i % 2.

Not modelled: the asynchrony of wgmma (a group completes when issued; wgmma.fence/commit/wait are
no-ops), bank conflicts, timing. MLIR's own stepping of the descriptors between the m64nNk16
instructions of one nvgpu.warpgroup.mma is taken as correct (the op is emulated on its whole tile).
"""
import re

import numpy as np

SWIZZLE_PERIOD = 1024
DYNAMIC_SHARED_BASE = 48  # as if 48 bytes of static shared memory (mbarriers) came first


def swizzle128(addr):
    addr = np.asarray(addr, np.int64)
    return addr ^ (((addr >> 7) & 7) << 4)


def to_bits(values, elem):
    v = np.asarray(values)
    if elem == "bf16":
        return (np.asarray(v, np.float32).view(np.uint32) >> 16).astype(np.uint16)
    if elem == "f16":
        return np.asarray(v, np.float16).view(np.uint16)
    raise NotImplementedError("TMA/wgmma element type " + elem)


def from_bits(bits, elem):
    bits = np.asarray(bits, np.uint16)
    if elem == "bf16":
        return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    if elem == "f16":
        return bits.view(np.float16).astype(np.float64)
    raise NotImplementedError(elem)


class DynSmem:
    """A block's dynamic shared memory."""

    def __init__(self, size):
        self.base = DYNAMIC_SHARED_BASE
        self.bytes = np.full(size, 0xFF, np.uint8)  # NaN patterns until written

    def region(self, offset, shape, elem):
        size = int(np.prod(shape)) * {"f32": 4, "bf16": 2, "f16": 2}[elem]
        if offset < 0 or offset + size > self.bytes.size:
            raise IndexError("memref.view of %d bytes at %d past dynamic shared memory (%d bytes)"
                             % (size, offset, self.bytes.size))
        if elem == "f32":
            if offset % 4:
                raise ValueError("misaligned f32 view at %d" % offset)
            return self.bytes[offset:offset + size].view(np.float32).reshape(shape)
        return SmemRegion(self, offset, tuple(shape), elem)


class SmemRegion:
    """A 16-bit view of dynamic shared memory that only TMA and wgmma descriptors touch."""

    def __init__(self, smem, offset, shape, elem):
        self.smem, self.offset, self.shape, self.elem = smem, offset, shape, elem

    @property
    def address(self):
        return self.smem.base + self.offset


class MBarrier:
    def __init__(self):
        self.count = None
        self.phase = 0

    def init(self, count):
        self.count, self.pending, self.tx = count, count, 0

    def _check(self):
        if self.count is None:
            raise RuntimeError("mbarrier used before mbarrier.init")
        if self.tx < 0:
            raise RuntimeError("mbarrier tx-count below zero: a TMA load completed more bytes than expected")
        if self.pending == 0 and self.tx == 0:
            self.phase += 1
            self.pending = self.count

    def arrive_expect_tx(self, nbytes):
        if self.count is None:
            raise RuntimeError("mbarrier used before mbarrier.init")
        self.tx += nbytes
        self.pending -= 1
        if self.pending < 0:
            raise RuntimeError("more arrivals than the mbarrier's count")
        self._check()

    def complete_tx(self, nbytes):
        if self.count is None:
            raise RuntimeError("mbarrier used before mbarrier.init")
        self.tx -= nbytes
        self._check()

    def phase_done(self, parity):
        return self.phase % 2 != parity


class TensorMap:
    """nvgpu.tma.create.descriptor: a global array read in boxes."""

    def __init__(self, array, box, type_str):
        self.array, self.box = array, tuple(box)
        m = re.search(r"tensor = memref<([\dx]+)x(\w+)", type_str)
        self.box_type = tuple(int(d) for d in m.group(1).split("x"))
        self.elem = m.group(2)
        self.swizzle = re.search(r"swizzle = (\w+)", type_str).group(1)
        self.oob = re.search(r"oob = (\w+)", type_str).group(1)
        if self.box != self.box_type:
            raise ValueError("tensor map box %s differs from its type's %s" % (self.box, self.box_type))
        if self.array.ndim != len(self.box):
            raise ValueError("tensor map rank %d for a box of rank %d" % (self.array.ndim, len(self.box)))
        if self.swizzle != "swizzle_128b" or self.box[-1] * 2 != 128:
            raise NotImplementedError("only 128-byte swizzled boxes of 128-byte rows are emulated")


def tma_load(dst, bar, tmap, coords):
    """cp.async.bulk.tensor of the box at `coords` (innermost first) into region `dst`."""
    if not isinstance(dst, SmemRegion) or dst.shape != tmap.box or dst.elem != tmap.elem:
        raise ValueError("TMA destination %s does not match the box %s" % (getattr(dst, "shape", dst), tmap.box))
    if dst.address % SWIZZLE_PERIOD:
        raise ValueError("TMA destination at shared address %d is not 1024-byte aligned (128-byte swizzle)"
                         % dst.address)
    start = [int(c) for c in reversed(coords)]
    box = np.zeros(tmap.box, np.float64)
    src, out = [], []
    for s, n, size in zip(start, tmap.box, tmap.array.shape):
        lo, hi = max(s, 0), min(s + n, size)
        if hi <= lo:
            src = None
            break
        src.append(slice(lo, hi))
        out.append(slice(lo - s, hi - s))
    if src is not None:
        box[tuple(out)] = np.asarray(tmap.array[tuple(src)], np.float64)
    bits = to_bits(box.reshape(-1).astype(np.float32 if dst.elem == "bf16" else np.float16), dst.elem)
    addr = dst.address + 2 * np.arange(bits.size)
    phys = swizzle128(addr) - dst.smem.base
    dst.smem.bytes.view(np.uint16)[phys // 2] = bits
    bar.complete_tx(2 * bits.size)


class WgDesc:
    """nvgpu.warpgroup.generate.descriptor of a shared tile."""

    def __init__(self, region, tmap):
        if not isinstance(region, SmemRegion):
            raise ValueError("wgmma descriptor of a non-shared tile")
        if region.address % SWIZZLE_PERIOD:
            raise ValueError("wgmma tile at shared address %d is not 1024-byte aligned" % region.address)
        self.region, self.tmap = region, tmap
        # MLIR's lowering: leading-dimension byte offset = the tensor map box's first size x 128.
        self.lbo = tmap.box_type[0] * 128


def read_tile(desc, rows, cols, mn_major):
    """The logical matrix a descriptor names: K-major [rows][cols] (cols = K, 128-byte rows), or
    MN-major [K = rows][N = cols] in 64-column blocks LBO apart."""
    r = np.arange(rows)[:, None]
    c = np.arange(cols)[None, :]
    if mn_major:
        addr = desc.region.address + (c // 64) * desc.lbo + r * 128 + (c % 64) * 2
    else:
        if cols * 2 > 128:
            raise NotImplementedError("K-major tiles wider than the swizzle")
        addr = desc.region.address + r * 128 + c * 2
    phys = swizzle128(addr) - desc.region.smem.base
    if phys.min() < 0 or phys.max() + 2 > desc.region.smem.bytes.size:
        raise IndexError("wgmma reads past dynamic shared memory")
    return from_bits(desc.region.smem.bytes.view(np.uint16)[phys // 2], desc.region.elem)


def frag_positions(M, N):
    """(thread, register) -> (row, col) of an M x N f32 accumulator (M a multiple of 64)."""
    t = np.arange(128)[:, None]
    i = np.arange(M // 64 * N // 2)[None, :]
    tile, ii = i // (N // 2), i % (N // 2)
    w, lane = t // 32, t % 32
    row = 64 * tile + 16 * w + lane // 4 + 8 * ((ii // 2) % 2)
    col = 8 * (ii // 4) + 2 * (lane % 4) + ii % 2
    return row, col


def acc_shape(type_str):
    m = re.search(r"fragmented = vector<(\d+)x(\d+)xf32>", type_str)
    if not m:
        raise NotImplementedError("accumulator " + type_str)
    return int(m.group(1)), int(m.group(2))


def init_accumulator(type_str):
    M, N = acc_shape(type_str)
    return np.zeros(M // 64 * N // 2, np.float32)


def wgmma(reqs, type_str, transpose_b):
    """The 128 threads' nvgpu.warpgroup.mma requests -> each thread's new accumulator registers."""
    if not transpose_b:
        raise NotImplementedError("wgmma with K-major B")
    M, N = acc_shape(type_str)
    da, db = reqs[0][1], reqs[0][2]
    for r in reqs:
        if r[1].region.address != da.region.address or r[2].region.address != db.region.address:
            raise RuntimeError("threads of one warpgroup name different wgmma tiles")
    Ma, K = da.region.shape
    Kb, Nb = db.region.shape
    if (Ma, Nb, K) != (M, N, Kb):
        raise ValueError("wgmma shapes A %dx%d, B %dx%d, D %dx%d" % (Ma, K, Kb, Nb, M, N))
    A = read_tile(da, M, K, mn_major=False)
    B = read_tile(db, K, N, mn_major=True)
    row, col = frag_positions(M, N)
    C = np.zeros((M, N))
    regs = np.array([np.asarray(r[3], np.float64) for r in reqs])
    C[row, col] = regs
    D = (A @ B + C).astype(np.float32)
    return list(D[row, col])


def mma_store(regs, dst, thread):
    """nvgpu.warpgroup.mma.store: thread `thread` (0-127 in its warpgroup) writes its registers."""
    M, N = dst.shape
    row, col = frag_positions(M, N)
    dst[row[thread], col[thread]] = regs
