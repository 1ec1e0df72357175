#!/usr/bin/env python3
# Runs a command and prints "exit code: N" after its output, so that a lit test can
# FileCheck the exact exit status: N is negative when a signal ended the command
# (a crash), which `not` alone would report only as a failure.
#   %python %softmoe_src/test/Inputs/exit-code.py CMD ARGS... 2>&1 | FileCheck %s
import subprocess
import sys

if len(sys.argv) < 2:
    sys.exit("usage: exit-code.py CMD [ARGS...]")
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.write(proc.stdout.decode(errors="replace"))
print(f"exit code: {proc.returncode}")
