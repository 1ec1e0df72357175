#!/usr/bin/env python3
"""Runs examples/vit_block.mlir under mlir-runner, for a check that does not need softmoe-run.

  module --dir DIR --model M -o OUT   M plus a @main that calls @vit_block on DIR/in/*.npy (sorted: the argument
                                      order) as dense constants and prints both results with printMemrefF32
  split --printed F --dir DIR         the two printed results as DIR/y.npy and DIR/moe.npy
"""
import argparse
import glob
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Execution", "Inputs"))
import softmoe_exec as ex  # noqa: E402

OUT = "tensor<2x65x192xf32>"


def cmd_module(a):
    src = open(a.model).read()
    sig = re.search(r"func\.func @vit_block\((.*?)\)\s*->", src, re.S).group(1)
    params = re.findall(r"%(\w+): (tensor<[^>]*>)", sig)
    files = sorted(glob.glob(os.path.join(a.dir, "in", "*.npy")))
    if len(files) != len(params):
        raise SystemExit(f"{len(files)} inputs for {len(params)} arguments")
    lines = ["  func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}",
             "  func.func @main() {"]
    for (p, ty), f in zip(params, files):
        arr = np.ascontiguousarray(np.load(f), dtype=np.float32)
        lines.append(f'    %{p}_c = arith.constant dense<"0x{arr.tobytes().hex().upper()}"> : {ty}')
    lines.append(f"    %r:2 = func.call @vit_block({', '.join(f'%{p}_c' for p, _ in params)}) : "
                 f"({', '.join(ty for _, ty in params)}) -> ({OUT}, {OUT})")
    for i in range(2):
        lines += [f"    %u{i} = tensor.cast %r#{i} : {OUT} to tensor<*xf32>",
                  f"    func.call @printMemrefF32(%u{i}) : (tensor<*xf32>) -> ()"]
    lines += ["    return", "  }"]
    end = src.rindex("}")  # the module's closing brace
    with open(a.o, "w") as fh:
        fh.write(src[:end] + "\n".join(lines) + "\n}\n")


def cmd_split(a):
    text = open(a.printed).read()
    blocks = [b for b in re.split(r"(?=Unranked Memref)", text) if "data =" in b]
    if len(blocks) != 2:
        raise SystemExit(f"FAIL: {len(blocks)} printed results, expected 2")
    for name, b in zip(("y", "moe"), blocks):
        np.save(os.path.join(a.dir, f"{name}.npy"), ex.parse_printed(b).astype(np.float32))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("module")
    m.add_argument("--dir", required=True)
    m.add_argument("--model", required=True)
    m.add_argument("-o", required=True)
    s = sub.add_parser("split")
    s.add_argument("--printed", required=True)
    s.add_argument("--dir", required=True)
    a = ap.parse_args()
    (cmd_module if a.cmd == "module" else cmd_split)(a)


if __name__ == "__main__":
    main()
