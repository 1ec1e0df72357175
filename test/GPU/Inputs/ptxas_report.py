#!/usr/bin/env python3
"""Assembles the PTX of every gpu.binary in a softmoe-gpu-pipeline output (format=isa) with
`ptxas -v` and prints one line per kernel, then ptxas's warnings verbatim:

  ptxas_report.py PTXAS ARCH IN.mlir
  -> entry NAME regs=R stack=S spill_stores=X spill_loads=Y
     warning: ...

Exits non-zero if ptxas fails.
"""
import os
import re
import subprocess
import sys
import tempfile


def unescape(s):
    """MLIR string attribute escapes: \\XX hex bytes, \\\\ and \\"."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            if s[i + 1] in "\\\"":
                out.append(ord(s[i + 1]))
                i += 2
            else:
                out.append(int(s[i + 1:i + 3], 16))
                i += 3
        else:
            out.extend(c.encode())
            i += 1
    return out.decode()


def main():
    ptxas, arch, path = sys.argv[1:4]
    text = open(path).read()
    objects = re.findall(r'#gpu\.object<#nvvm\.target<[^>]*>,\s*(?:properties = \{[^}]*\},\s*)?'
                         r'(?:assembly = )?"((?:[^"\\]|\\.)*)"', text)
    if not objects:
        sys.exit("no PTX objects in " + path)
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for k, obj in enumerate(objects):
            ptx = os.path.join(tmp, "k%d.ptx" % k)
            with open(ptx, "w") as f:
                f.write(unescape(obj))
            p = subprocess.run([ptxas, "-arch=" + arch, "-v", ptx, "-o", os.path.join(tmp, "k%d.cubin" % k)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            name = None
            for line in p.stdout.splitlines():
                m = re.search(r"Compiling entry function '(\w+)'", line)
                if m:
                    name = m.group(1)
                m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
                if m:
                    stack, stores, loads = m.groups()
                m = re.search(r"Used (\d+) registers", line)
                if m and name:
                    print("entry %s regs=%s stack=%s spill_stores=%s spill_loads=%s"
                          % (name, m.group(1), stack, stores, loads))
                    name = None
                if "warning" in line.lower() or "error" in line.lower():
                    print("warning: " + line.strip().replace(tmp + "/", ""))
            if p.returncode != 0:
                failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
