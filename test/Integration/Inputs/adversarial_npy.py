#!/usr/bin/env python3
"""Writes adversarial .npy files into DIR, one per kind, named KIND.npy, for
the input-validation tests of softmoe-run and softmoe-bench
(docs/robustness.md). Every file would feed a tensor<4x8xf32> if it were
valid; valid-v1/v2/v3.npy are valid controls of that shape.

  adversarial_npy.py DIR
"""
import struct
import sys

import numpy as np

MAGIC = b"\x93NUMPY"
GOOD = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), }"
DATA = np.arange(32, dtype="<f4").tobytes()


def npy(header, data=DATA, version=(1, 0), header_len=None, encoding="latin1"):
    """An .npy file: the header padded with spaces and a newline to 64 bytes,
    its length field `header_len` (default: the true length)."""
    prefix = 10 if version[0] == 1 else 12
    raw = header.encode(encoding) if isinstance(header, str) else header
    raw += b" " * ((64 - (len(raw) + 1 + prefix) % 64) % 64) + b"\n"
    fmt = "<H" if version[0] == 1 else "<I"
    length = len(raw) if header_len is None else header_len
    return MAGIC + bytes(version) + struct.pack(fmt, length) + raw + data


def kinds():
    good = npy(GOOD)
    return {
        "valid-v1": good,
        "valid-v2": npy(GOOD, version=(2, 0)),
        "valid-v3": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), }", version=(3, 0),
                        encoding="utf-8"),
        # Bytes that are not ASCII: a UTF-8 key in a 1.0 header, raw binary.
        "non-ascii-key": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), 'clé': 1, }",
                             encoding="utf-8"),
        "binary-header": npy(b"\xff\xfe\x00\x01{'descr': '<f4'}"),
        # A key with a newline and a terminal escape sequence in it.
        "control-chars-key": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), 'a\x1b[2J\nb': 1, }"),
        "nul-in-header": npy("{'descr': '<f4',\0 'fortran_order': False, 'shape': (4, 8), }"),
        # The length field lies: shorter than the header (the dict is cut off
        # before its newline), zero, and 4 GiB in a 2.0 file.
        "header-len-short": npy(GOOD, header_len=len(GOOD) - 10),
        "header-len-zero": npy(GOOD, header_len=0),
        "header-len-4g": npy(GOOD, version=(2, 0), header_len=0xFFFFFFFF),
        # Shapes that are not tuples of non-negative integers.
        "negative-dim": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-4, 8), }"),
        "float-dim": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4.0, 8), }"),
        "nested-shape": npy("{'descr': '<f4', 'fortran_order': False, 'shape': ((4, 8),), }"),
        "dim-too-long": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 8), }"),
        "duplicate-key": npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), }"),
        # Huge shape claims with 128 bytes of data: beyond the file, beyond
        # int64, beyond size_t bytes.
        "claims-2pow40": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,), }"),
        "claims-int64-overflow": npy("{'descr': '<f4', 'fortran_order': False, "
                                     "'shape': (9223372036854775807, 2), }"),
        "claims-bytes-overflow": npy("{'descr': '<f4', 'fortran_order': False, "
                                     "'shape': (4611686018427387904, 1), }"),
        # dtypes the reader does not take.
        "big-endian": npy("{'descr': '>f4', 'fortran_order': False, 'shape': (4, 8), }"),
        "object-dtype": npy("{'descr': '|O', 'fortran_order': False, 'shape': (4, 8), }"),
        "fortran-order": npy("{'descr': '<f4', 'fortran_order': True, 'shape': (4, 8), }"),
        # Not even a header.
        "empty": b"",
        "magic-only": MAGIC,
        "prefix-only": MAGIC + b"\x01\x00",
    }


def main():
    out = sys.argv[1]
    for name, data in kinds().items():
        with open(f"{out}/{name}.npy", "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
