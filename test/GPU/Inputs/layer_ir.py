#!/usr/bin/env python3
"""Prints @softmoe_layer as one softmoe.layer op for the emulator tests:

  layer_ir.py B M D N P H DTYPE ACT [normalize] [mask]

w1 and b1 are 2H wide for a gated activation (scripts/softmoe_reference.py says which).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts"))
import softmoe_reference  # noqa: E402

B, M, D, N, P, H = (int(v) for v in sys.argv[1:7])
dt, act = sys.argv[7], sys.argv[8]
normalize, mask = "normalize" in sys.argv[9:], "mask" in sys.argv[9:]
G = softmoe_reference.first_layer_width(act, H)


def t(*shape, e=dt):
    return "tensor<%s%s>" % ("".join("%dx" % s for s in shape), e)


types = [t(B, M, D), t(D, N, P), t(N, D, G), t(N, G), t(N, H, D), t(N, D)]
args = ["%%%s: %s" % (n, ty) for n, ty in zip(["x", "phi", "w1", "b1", "w2", "b2"], types)]
opts = ""
if normalize:
    args.append("%%s: %s" % t())
    opts += " scale(%%s : %s)" % t()
if mask:
    args.append("%%m: %s" % t(B, M, e="i1"))
    opts += " mask(%%m : %s)" % t(B, M, e="i1")
if normalize:
    opts += " normalize"
print("func.func @softmoe_layer(%s) -> %s {" % (", ".join(args), types[0]))
print("  %%y = softmoe.layer %%x, %%phi, %%w1, %%b1, %%w2, %%b2%s activation<%s>" % (opts, act))
print("      : %s" % ", ".join(types))
print("  return %%y : %s" % types[0])
print("}")
