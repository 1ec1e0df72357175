#!/usr/bin/env python3
"""The project's reference of CONTRACT.md's layer, and the one Python list of its activations.

shared/peers/softmoe_ref.py is the executable contract (read-only, not ours to edit); this module is
that reference extended with the gated experts of the second round, and what every Python script of
the project takes the activation names and formulas from:

  ACTIVATIONS                  every activation, in the order of the ODS enum (SoftMoEAttrs.td);
                               test/Integration/Bench/activations-list.test checks that it equals
                               `softmoe-bench --list-activations`
  GATES                        gated activation -> the elementwise function of its gate half
  is_gated(act)                geglu, swiglu: w1 is [N,D,2H] and b1 [N,2H]; with u = slots @ w1 + b1,
                               a = u[..., :H], g = u[..., H:], the hidden activation is a * f(g)
  first_layer_width(act, H)    2H for a gated activation, else H
  activation_np(u, act)        the hidden activation in numpy (float64), gated ones over the last axis
  activation_torch(u, act)     the same in PyTorch (lucidrains' GEGLU: x, gate = u.chunk(2, -1))
  make_inputs(B, M, D, N, P, H, seed, normalize, masked, act="gelu_tanh")
                               the peer's make_inputs; gated activations get w1 [N,D,2H] and b1 [N,2H]
                               with the same distributions
  softmoe(x, phi, w1, b1, w2, b2, scale=None, mask=None, act="gelu_tanh")
                               the peer's softmoe(), with the gated activations too

Run as a script it takes the peer's command line (and runs the peer's main) with --activation any of
ACTIVATIONS; `--list-activations` prints the table softmoe-bench prints.

The peer is $SOFTMOE_PEER_REF, else ../shared/peers/softmoe_ref.py beside the source tree. It (and
torch) is loaded only when a torch function is used: the numpy parts need neither.
"""
import importlib.util
import json
import math
import os
import sys

import numpy as np

ACTIVATIONS = ["gelu_tanh", "gelu_erf", "relu", "silu", "geglu", "swiglu"]
GATES = {"geglu": "gelu_erf", "swiglu": "silu"}

SRC_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER_REF = os.environ.get("SOFTMOE_PEER_REF") or os.path.join(SRC_ROOT, "..", "shared", "peers",
                                                               "softmoe_ref.py")


def is_gated(act):
    check(act)
    return act in GATES


def function_of(act):
    """The elementwise function: the activation itself, or its gate's."""
    check(act)
    return GATES.get(act, act)


def first_layer_width(act, hidden):
    return 2 * hidden if is_gated(act) else hidden


def check(act):
    if act not in ACTIVATIONS:
        raise ValueError("unknown activation %r (expected one of %s)" % (act, ", ".join(ACTIVATIONS)))


def table():
    """The rows `softmoe-bench --list-activations` prints."""
    return [{"name": a, "gated": is_gated(a), "function": function_of(a)} for a in ACTIVATIONS]


# ------------------------------------------------------------------------------------------------
# numpy
# ------------------------------------------------------------------------------------------------

def _function_np(v, fn):
    if fn == "gelu_tanh":
        return 0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + 0.044715 * v ** 3)))
    if fn == "gelu_erf":
        return 0.5 * v * (1 + np.vectorize(math.erf, otypes=[np.float64])(v / np.sqrt(2)))
    if fn == "relu":
        return np.maximum(v, 0)
    if fn == "silu":
        return v / (1 + np.exp(-v))
    raise ValueError(fn)


def activation_np(u, act):
    """The hidden activation of the pre-activation u (last axis 2H for a gated one)."""
    u = np.asarray(u)
    if is_gated(act):
        a, g = np.split(u, 2, axis=-1)
        return a * _function_np(g, GATES[act])
    return _function_np(u, act)


# ------------------------------------------------------------------------------------------------
# PyTorch, through the peer
# ------------------------------------------------------------------------------------------------

_peer = None


def peer():
    """shared/peers/softmoe_ref.py, whose activation also knows the gated ones."""
    global _peer
    if _peer is None:
        spec = importlib.util.spec_from_file_location("softmoe_peer_ref", PEER_REF)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        plain = mod.gelu

        def gelu(h, kind):
            if kind in GATES:
                a, g = h.chunk(2, dim=-1)
                return a * plain(g, GATES[kind])
            return plain(h, kind)

        mod.gelu = gelu  # softmoe() looks it up at call time
        _peer = mod
    return _peer


def activation_torch(u, act):
    check(act)
    return peer().gelu(u, act)


def softmoe(x, phi, w1, b1, w2, b2, scale=None, mask=None, act="gelu_tanh", eps=1e-6):
    check(act)
    return peer().softmoe(x, phi, w1, b1, w2, b2, scale=scale, mask=mask, act=act, eps=eps)


def make_inputs(B, M, D, N, P, H, seed, normalize, masked, act="gelu_tanh"):
    """The peer's inputs; a gated activation draws w1 [N,D,2H] and b1 [N,2H] (same distributions,
    same order of draws)."""
    if not is_gated(act):
        return peer().make_inputs(B, M, D, N, P, H, seed, normalize, masked)
    G = first_layer_width(act, H)
    g = np.random.default_rng(seed)
    t = {
        "x": g.standard_normal((B, M, D), dtype=np.float32),
        "phi": (g.standard_normal((D, N, P), dtype=np.float32) / np.sqrt(D)).astype(np.float32),
        "w1": (g.standard_normal((N, D, G), dtype=np.float32) / np.sqrt(D)).astype(np.float32),
        "b1": (0.1 * g.standard_normal((N, G), dtype=np.float32)).astype(np.float32),
        "w2": (g.standard_normal((N, H, D), dtype=np.float32) / np.sqrt(H)).astype(np.float32),
        "b2": (0.1 * g.standard_normal((N, D), dtype=np.float32)).astype(np.float32),
    }
    if normalize:
        t["scale"] = np.array(3.0, dtype=np.float32)
    if masked:
        mask = np.ones((B, M), dtype=bool)
        for b in range(B):
            mask[b, M - 1 - (b * 3) % max(1, M // 2):] = False
        mask[:, 0] = True
        t["mask"] = mask
    return t


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--list-activations"]:
        for row in table():
            print(json.dumps(row))
        return
    act = "gelu_tanh"
    for i, arg in enumerate(argv):
        if arg == "--activation" and i + 1 < len(argv):
            act = argv[i + 1]
        elif arg.startswith("--activation="):
            act = arg.split("=", 1)[1]
    check(act)
    mod = peer()
    peer_make_inputs = mod.make_inputs
    mod.make_inputs = lambda *args: (peer_make_inputs(*args) if not is_gated(act)
                                     else make_inputs(*args, act=act))
    saved = sys.argv
    sys.argv = [PEER_REF] + argv
    try:
        mod.main()
    finally:
        sys.argv = saved
        mod.make_inputs = peer_make_inputs


if __name__ == "__main__":
    main()
