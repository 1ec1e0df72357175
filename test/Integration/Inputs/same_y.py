#!/usr/bin/env python3
"""same_y.py A.npy B.npy TOL: checks max|a - b| <= TOL * max|a| (same shape,
all finite) and prints `SAME shape=... rel=...`, else `DIFF ...` and exit 1.
For comparing an expert-parallel run's y with the single-process one."""
import sys

import numpy as np

a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
tol = float(sys.argv[3])
if a.shape != b.shape:
    print("DIFF shapes %s %s" % (a.shape, b.shape))
    sys.exit(1)
if not (np.isfinite(a).all() and np.isfinite(b).all()):
    print("DIFF non-finite values")
    sys.exit(1)
scale = float(np.abs(a).max())
rel = float(np.abs(a - b).max()) / scale if scale > 0 else float(np.abs(b).max())
if rel > tol:
    print("DIFF rel=%.3g > %g" % (rel, tol))
    sys.exit(1)
print("SAME shape=%s rel_le_tol" % "x".join(map(str, a.shape)))
