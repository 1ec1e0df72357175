#!/usr/bin/env python3
"""Runs kernel cases through softmoe-gpu-kernel-pipeline and scripts/gpu_emulate.py.

  emulate_cases.py [--pipeline-options=OPTS] SCRIPTS_DIR CASES_DIR NAME...

CASES_DIR holds NAME.mlir from `gpu_kernel_cases.py emit`. Prints each case's JSON line, then a
summary line; exits non-zero if a case fails or is out of tolerance.
"""
import os
import subprocess
import sys


def main():
    args = sys.argv[1:]
    pipeline = "--softmoe-gpu-kernel-pipeline"
    if args[0].startswith("--pipeline-options="):
        pipeline += "=" + args.pop(0).split("=", 1)[1]
    scripts, cases, names = args[0], args[1], args[2:]
    failed = []
    for name in names:
        src = os.path.join(cases, name + ".mlir")
        kernels = os.path.join(cases, name + ".k.mlir")
        subprocess.run(["softmoe-opt", src, pipeline, "--mlir-print-op-generic",
                        "-o", kernels], check=True)
        p = subprocess.run([sys.executable, os.path.join(scripts, "gpu_emulate.py"), kernels, name, scripts],
                           stdout=subprocess.PIPE, text=True)
        print(p.stdout.strip(), flush=True)
        if p.returncode != 0:
            failed.append(name)
    if failed:
        print("failed: " + " ".join(failed))
        sys.exit(1)
    print("all %d cases within tolerance" % len(names))


if __name__ == "__main__":
    main()
