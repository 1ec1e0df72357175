#!/usr/bin/env python3
"""Prints a module with every softmoe op at every shape of CONTRACT.md in one element type:
@layer_<shape>, @router_<shape>, @dispatch_<shape>, @expert_apply_<shape> and @combine_<shape> for
tiny, S-32, S-32-b64 and B-128 (dashes become underscores).

  contract_ops.py f32|bf16|f16 [SHAPE[:OP,...]...]

SHAPE:OP,... keeps only those ops of that shape (e.g. B_128:layer).
"""
import sys

SHAPES = {  # B, M, D, N, P, H
    "tiny": (2, 16, 32, 4, 2, 64),
    "S_32": (8, 196, 384, 32, 4, 1536),
    "S_32_b64": (64, 196, 384, 32, 4, 1536),
    "B_128": (8, 196, 768, 128, 1, 3072),
}


def t(shape, e):
    return "tensor<%sx%s>" % ("x".join(str(d) for d in shape), e)


def main():
    e = sys.argv[1]
    names = sys.argv[2:] or list(SHAPES)
    out = []
    for arg in names:
        name, _, only = arg.partition(":")
        B, M, D, N, P, H = SHAPES[name]
        x, phi = t((B, M, D), e), t((D, N, P), e)
        w1, b1, w2, b2 = t((N, D, H), e), t((N, H), e), t((N, H, D), e), t((N, D), e)
        logits, slots = t((B, M, N, P), "f32"), t((B, N, P, D), e)
        funcs = """func.func @layer_%(n)s(%%x: %(x)s, %%phi: %(phi)s, %%w1: %(w1)s, %%b1: %(b1)s, %%w2: %(w2)s, %%b2: %(b2)s) -> %(x)s {
  %%y = softmoe.layer %%x, %%phi, %%w1, %%b1, %%w2, %%b2 : %(x)s, %(phi)s, %(w1)s, %(b1)s, %(w2)s, %(b2)s
  return %%y : %(x)s
}
func.func @router_%(n)s(%%x: %(x)s, %%phi: %(phi)s) -> %(logits)s {
  %%l = softmoe.router %%x, %%phi : %(x)s, %(phi)s
  return %%l : %(logits)s
}
func.func @dispatch_%(n)s(%%l: %(logits)s, %%x: %(x)s) -> %(slots)s {
  %%s = softmoe.dispatch %%l, %%x : %(logits)s, %(x)s
  return %%s : %(slots)s
}
func.func @expert_apply_%(n)s(%%s: %(slots)s, %%w1: %(w1)s, %%b1: %(b1)s, %%w2: %(w2)s, %%b2: %(b2)s) -> %(slots)s {
  %%o = softmoe.expert_apply %%s, %%w1, %%b1, %%w2, %%b2 : %(slots)s, %(w1)s, %(b1)s, %(w2)s, %(b2)s
  return %%o : %(slots)s
}
func.func @combine_%(n)s(%%l: %(logits)s, %%o: %(slots)s) -> %(x)s {
  %%y = softmoe.combine %%l, %%o : %(logits)s, %(slots)s
  return %%y : %(x)s
}
""" % dict(n=name, x=x, phi=phi, w1=w1, b1=b1, w2=w2, b2=b2, logits=logits, slots=slots)
        for f in funcs.split("func.func @")[1:]:
            if not only or f.split("_" + name + "(")[0] in only.split(","):
                out.append("func.func @" + f)
    print("".join(out))


if __name__ == "__main__":
    main()
