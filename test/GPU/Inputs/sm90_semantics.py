#!/usr/bin/env python3
"""Unit checks of scripts/gpu_emulate_sm90.py against the PTX ISA's definitions: the wgmma m64nNk16
f32 accumulator layout, the 128-byte swizzle of TMA boxes as wgmma descriptors read them back, zero
fill out of bounds, and mbarrier phase parity. Prints one line per check; exits non-zero on a failure.

  sm90_semantics.py SCRIPTS_DIR
"""
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import gpu_emulate_sm90 as sm90  # noqa: E402

failures = 0


def check(name, ok):
    global failures
    print("%s: %s" % (name, "ok" if ok else "FAILED"))
    failures += not ok


# Accumulator fragments (PTX ISA, "wgmma .m64nNk16 register fragment layout for D"): thread 0 holds
# (0,0) (0,1) (8,0) (8,1) (0,8) ...; lane 4 starts row 1; warp 1 starts row 16; lane 1 column 2.
row, col = sm90.frag_positions(64, 128)
check("fragment thread 0", list(zip(row[0, :6], col[0, :6])) == [(0, 0), (0, 1), (8, 0), (8, 1), (0, 8), (0, 9)])
check("fragment lanes and warps", (row[4, 0], row[32, 0], col[1, 0], row[127, 63], col[127, 63]) == (1, 16, 2, 63, 127))
cover = np.zeros((64, 128), int)
np.add.at(cover, (row, col), 1)
check("fragments cover 64x128 once", bool(np.all(cover == 1)))
row2, col2 = sm90.frag_positions(128, 64)
cover = np.zeros((128, 64), int)
np.add.at(cover, (row2, col2), 1)
check("two 64-row blocks cover 128x64 once", bool(np.all(cover == 1)))

# Swizzle: 16-byte chunk c of row r (within a 1024-byte period) lands at chunk c ^ (r % 8).
check("swizzle128", [int(sm90.swizzle128(r * 128 + c * 16)) for r, c in [(0, 0), (1, 0), (3, 5), (9, 2)]]
      == [0, 128 + 16, 3 * 128 + (5 ^ 3) * 16, 9 * 128 + (2 ^ 1) * 16])

# TMA box -> swizzled shared memory -> wgmma descriptor read: the same matrix, zero-filled past the
# tensor's end; B in two 64-column boxes LBO = 64 * 128 bytes apart.
smem = sm90.DynSmem(1024 + 3 * 16384)
start = (1024 - smem.base % 1024) % 1024
g = np.random.default_rng(0)
a_glob = sm90.from_bits(sm90.to_bits(g.standard_normal((100, 70)).astype(np.float32), "bf16"), "bf16")
tma_a = sm90.TensorMap(a_glob, [64, 64], "!nvgpu.tensormap.descriptor<tensor = memref<64x64xbf16, 3>, "
                       "swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>")
bar = sm90.MBarrier()
bar.init(1)
check("mbarrier: the phase before the first is complete", bar.phase_done(1) and not bar.phase_done(0))
bar.arrive_expect_tx(64 * 64 * 2)
check("mbarrier: waits for its bytes", not bar.phase_done(0))
region = smem.region(start, (64, 64), "bf16")
sm90.tma_load(region, bar, tma_a, [64, 60])  # innermost first: columns 64.., rows 60..
check("mbarrier: phase 0 completes with the bytes", bar.phase_done(0) and not bar.phase_done(1))
want = np.zeros((64, 64))
want[:40, :6] = a_glob[60:100, 64:70]
got = sm90.read_tile(sm90.WgDesc(region, tma_a), 64, 64, mn_major=False)
check("TMA box read back by a K-major descriptor, zero fill", bool(np.array_equal(got, want)))
raw = sm90.from_bits(smem.bytes.view(np.uint16)[start // 2:start // 2 + 64 * 64].reshape(64, 64), "bf16")
check("the shared bytes are swizzled", not np.array_equal(raw, want))
b_glob = sm90.from_bits(sm90.to_bits(g.standard_normal((64, 128)).astype(np.float32), "f16"), "f16")
tma_b = sm90.TensorMap(b_glob, [64, 64], "!nvgpu.tensormap.descriptor<tensor = memref<64x64xf16, 3>, "
                       "swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>")
bar.arrive_expect_tx(2 * 64 * 64 * 2)
for j in range(2):
    sm90.tma_load(smem.region(start + 8192 + j * 8192, (64, 64), "f16"), bar, tma_b, [64 * j, 0])
got = sm90.read_tile(sm90.WgDesc(smem.region(start + 8192, (64, 128), "f16"), tma_b), 64, 128, mn_major=True)
check("two N boxes read back by an MN-major descriptor", bool(np.array_equal(got, b_glob)))
try:
    sm90.tma_load(smem.region(start + 16, (64, 64), "bf16"), bar, tma_a, [0, 0])
    check("misaligned TMA destination rejected", False)
except ValueError:
    check("misaligned TMA destination rejected", True)
sys.exit(1 if failures else 0)
