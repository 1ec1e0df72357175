#!/usr/bin/env python3
"""The GPU half of scripts/gpu-check.sh: runs the AOT executables of a bundle on this machine's GPU,
checks their outputs and times PyTorch eager on the same GPU in the same run.

  gpu_check.py BUNDLE OUT

BUNDLE holds bin/ (executables from `gpu-check.sh build`), layers.json (what each layer executable
computes), gpu_kernel_cases.py and softmoe_ref.py. OUT receives results.jsonl (one JSON object per
check), the inputs and outputs of the kernel checks, and log.txt. The last lines printed are a summary
table. Every executable runs under a time limit, so a hung kernel costs one check, not the run.

Layers: inputs from softmoe_ref.py --write-inputs (float32; the executables round them to bf16/f16),
the reference is softmoe_ref.softmoe in float64 on the GPU on the same rounded inputs, and the
tolerances are CONTRACT.md's (max|y - ref| <= tol * max|ref|). PyTorch eager runs the same layer in
the layer's dtype; both sides are timed the same way: wall time of whole calls ending in a device
synchronisation, median over --repeat calls after --warmup calls.
"""
import json
import os
import statistics
import subprocess
import sys
import time

BUNDLE, OUT = sys.argv[1], sys.argv[2]
sys.path.insert(0, BUNDLE)
os.makedirs(OUT, exist_ok=True)
LOG = open(os.path.join(OUT, "log.txt"), "a")
RESULTS = open(os.path.join(OUT, "results.jsonl"), "a")
SUMMARY = []


def log(*args):
    line = " ".join(str(a) for a in args)
    print(line, flush=True)
    LOG.write(line + "\n")
    LOG.flush()


def record(obj):
    RESULTS.write(json.dumps(obj) + "\n")
    RESULTS.flush()


def run(cmd, timeout):
    """Runs cmd; returns (rc, stdout, stderr); rc 124 on timeout."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return 124, e.stdout or "", "timed out after %ss" % timeout


def kernel_checks():
    import gpu_kernel_cases as kc
    root = os.path.join(OUT, "kernels")
    kc_main = [sys.executable, os.path.join(BUNDLE, "gpu_kernel_cases.py")]
    subprocess.run(kc_main + ["inputs", root], check=True)
    for case in kc.cases():
        exe = os.path.join(BUNDLE, "bin", case.name)
        if not os.path.exists(exe):
            continue
        d = os.path.join(root, case.name)
        os.makedirs(os.path.join(d, "out"), exist_ok=True)
        rc, out, err = run([exe, "--inputs", d, "--save-outputs", os.path.join(d, "out"), "--repeat", "3",
                            "--warmup", "1"], 60)
        entry = {"check": "kernel", "case": case.name, "rc": rc}
        if rc != 0:
            entry["error"] = err.strip()[-500:]
            entry["ok"] = False
        else:
            entry["run"] = json.loads(out.strip().splitlines()[-1])
            rc2, out2, err2 = run(kc_main + ["check", root, case.name], 120)
            try:
                entry.update(json.loads(out2.strip().splitlines()[-1]))
            except (ValueError, IndexError):
                entry["ok"] = False
                entry["error"] = err2.strip()[-500:]
        record(entry)
        SUMMARY.append(("kernel " + case.name, "ok" if entry.get("ok") else "FAIL",
                        "%.2e" % entry["rel_err"] if "rel_err" in entry else entry.get("error", "")[:60], ""))
        log(json.dumps(entry))


def torch_layer(t, dtype, act, device):
    import softmoe_ref
    import torch
    names = ["x", "phi", "w1", "b1", "w2", "b2"]
    args = [t[k].to(device=device, dtype=dtype) for k in names]
    kw = {"scale": t["scale"].to(device=device, dtype=dtype) if "scale" in t else None,
          "mask": t["mask"].to(device) if "mask" in t else None, "act": act}
    return lambda: softmoe_ref.softmoe(*args, **kw)


def layer_checks(layers, repeat, warmup):
    import numpy as np
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cuda")
    tdt = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}
    for L in layers:
        name = L["name"]
        d = os.path.join(OUT, "layers", name)
        os.makedirs(os.path.join(d, "out"), exist_ok=True)
        gen = [sys.executable, os.path.join(BUNDLE, "softmoe_ref.py"), "--write-inputs", d,
               "--batch", str(L["batch"]), "--tokens", str(L["tokens"]), "--dim", str(L["dim"]),
               "--experts", str(L["experts"]), "--slots", str(L["slots"]), "--hidden", str(L["hidden"]),
               "--seed", str(L.get("seed", 0))] + (["--normalize"] if L.get("normalize") else []) + \
              (["--mask"] if L.get("mask") else [])
        t0 = time.time()
        rc, _, err = run(gen, 300)
        if rc != 0:
            record({"check": "layer", "name": name, "ok": False, "error": "inputs: " + err[-300:]})
            SUMMARY.append(("layer " + name, "FAIL", "inputs", ""))
            continue
        exe = os.path.join(BUNDLE, "bin", L["exe"])
        rc, out, err = run([exe, "--inputs", d, "--save-outputs", os.path.join(d, "out"), "--repeat", str(repeat),
                            "--warmup", str(warmup)], 240)
        entry = {"check": "layer", "name": name, "rc": rc, "config": L}
        if rc != 0:
            entry.update(ok=False, error=err.strip()[-500:])
            record(entry)
            SUMMARY.append(("layer " + name, "FAIL", err.strip()[-60:], ""))
            log(json.dumps(entry))
            continue
        ours = json.loads(out.strip().splitlines()[-1])
        entry["ours"] = ours
        # Reference: float64 on the GPU, on the inputs rounded as the executable rounds them.
        t = {f[:-4]: torch.from_numpy(np.load(os.path.join(d, f))) for f in os.listdir(d) if f.endswith(".npy")}
        rounded = {k: (v if k == "mask" else v.to(tdt[L["dtype"]]).to(torch.float64)) for k, v in t.items()}
        with torch.no_grad():
            ref = torch_layer(rounded, torch.float64, L["activation"], dev)().cpu().numpy()
        y = np.load(os.path.join(d, "out", "y.npy")).astype(np.float64)
        finite = bool(np.all(np.isfinite(y)))
        err_rel = float(np.max(np.abs(y - ref)) / np.max(np.abs(ref))) if finite else float("inf")
        tol = 1e-4 if L["dtype"] == "f32" else 3e-2
        entry.update(rel_err=err_rel, tol=tol, ok=finite and err_rel <= tol)
        # PyTorch eager in the layer's dtype, timed like the executable.
        with torch.no_grad():
            f = torch_layer(t, tdt[L["dtype"]], L["activation"], dev)
            for _ in range(warmup):
                f()
            torch.cuda.synchronize()
            times = []
            for _ in range(repeat):
                s = time.perf_counter()
                f()
                torch.cuda.synchronize()
                times.append((time.perf_counter() - s) * 1e3)
        entry["torch"] = {"median_ms": statistics.median(times), "min_ms": min(times), "version": torch.__version__}
        entry["ratio_ours_over_torch"] = ours["median_ms"] / entry["torch"]["median_ms"]
        entry["seconds"] = time.time() - t0
        record(entry)
        log(json.dumps(entry))
        SUMMARY.append(("layer " + name, "ok" if entry["ok"] else "FAIL", "%.2e (tol %.0e)" % (err_rel, tol),
                        "ours %.3f ms, torch %.3f ms, x%.2f" % (ours["median_ms"], entry["torch"]["median_ms"],
                                                              entry["ratio_ours_over_torch"])))
        del t, rounded, f
        torch.cuda.empty_cache()
        # The inputs of the large layers are big; keep OUT small.
        for fn in os.listdir(d):
            if fn.endswith(".npy"):
                os.remove(os.path.join(d, fn))


def main():
    start = time.time()
    rc, smi, _ = run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem",
                      "--format=csv,noheader"], 30)
    log("gpu:", smi.strip(), "| date:", time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    record({"check": "machine", "nvidia_smi": smi.strip(), "date": time.strftime("%Y-%m-%d")})
    with open(os.path.join(BUNDLE, "layers.json")) as f:
        layers = json.load(f)
    kernel_checks()
    log("kernel checks done after %.0f s" % (time.time() - start))
    layer_checks(layers, repeat=20, warmup=3)
    log("all done after %.0f s" % (time.time() - start))
    print("\n%-40s %-5s %-28s %s" % ("check", "", "error", "time"))
    for row in SUMMARY:
        print("%-40s %-5s %-28s %s" % row)
    sys.exit(0 if all(r[1] == "ok" for r in SUMMARY) else 1)


if __name__ == "__main__":
    main()
