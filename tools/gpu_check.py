#!/usr/bin/env python3
"""make gpu-check: everything worth knowing from a GPU machine lent for 15 minutes, in under 8, as one JSON file.

It runs from the GPU bundle (make gpu-bundle: a jlinked Java runtime, voxkd, its OpenCL tests, an OpenCL ICD loader),
so the machine needs no JDK, no Maven and no package registry: only this python3 (standard library) and, for the
PyTorch peer, a torch with CUDA. Run as BUNDLE/tools/gpu_check.py, or as tools/gpu_check.py in a checkout, which uses
target/gpu-bundle (building it first with `make gpu-bundle` when it is missing and a JDK is there, or with --build).

Steps, each under its own timeout and all under one budget (--budget, default 450 s); a step that cannot run is
recorded with why, and the rest still run:
  build    make gpu-bundle, only in a checkout without a bundle, or with --build
  version  bin/voxkd --version: the bundle's runtime (the first start unpacks it: a few seconds)
  devices  bin/voxkd devices; the first OpenCL device of type GPU is used (else the first OpenCL device: a dry run)
  parity   the OpenCL tests (BackendParityTest with its many-chunk reductions, DeterminismTest, OpenClBackendTest,
           FusedEpilogueTest) on that device through org.voxkd.GpuCheckRunner, with the bundle's java
  infer    bin/voxkd bench infer --backend opencl --device N --json
  train    bin/voxkd bench train --backend opencl --device N --json
  peer     tools/torch_peer.py bench --device cuda: PyTorch on the same GPU (needs a torch built with CUDA)
  profile  bench train --profile on the device, when time is left: where the step's time goes, per kernel
--small uses batch 8 x 50 frames (a dry run on PoCL); the default is the paper's 64 x 200. --steps picks steps
(e.g. version,devices,parity); --parity-classes picks test classes for the parity step.

  python3 BUNDLE/tools/gpu_check.py [--small] [--steps S,..] [--budget S] [--out FILE]
  python3 tools/gpu_check.py [--build] [--bundle DIR] ...       (in a checkout; default DIR target/gpu-bundle)
The summary goes to --out (default: gpu-check/summary.json next to the bundle, i.e. target/gpu-check/summary.json).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CAPS = {"build": 300, "version": 60, "devices": 60, "parity": 180, "infer": 90, "train": 150, "peer": 150, "profile": 90}
STEPS = ["version", "devices", "parity", "infer", "train", "peer", "profile"]


class Budget:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return self.end - time.monotonic()


def why_of(lines):
    """The line that says why a step failed: the last error-looking line, else the last line."""
    for l in reversed(lines):
        if re.search(r"error|exception|failed|cannot|no such|not found|unavailable|missing", l, re.I) and not l.startswith("\tat "):
            return l.strip()[:300]
    return lines[-1].strip()[:300] if lines else "no output"


def run(name, cmd, budget, cwd, env=None, reserve=0):
    """Runs cmd under min(cap, budget left - reserve) seconds; returns the step's record."""
    limit = int(min(CAPS[name], budget.left() - reserve))
    rec = {"step": name, "command": " ".join(cmd)}
    if limit < 5:
        rec.update(status="skipped", why="no time left in the budget")
        return rec
    rec["timeout_s"] = limit
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=limit, text=True)
        out, rc = p.stdout, p.returncode
        rec.update(status="ok" if rc == 0 else "failed", exit=rc)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        rec.update(status="timeout", why="over its %d s limit" % limit)
    except OSError as e:
        out = ""
        rec.update(status="failed", why="cannot start: %s" % e)
    rec["seconds"] = round(time.monotonic() - t0, 1)
    lines = [l for l in out.splitlines() if not l.startswith("WARNING: Using incubator modules")]
    jsons = [l for l in lines if l.startswith("{")]
    if jsons:
        try:
            rec["result"] = json.loads(jsons[-1])
        except ValueError:
            pass
    rec["output"] = lines[-40:]
    if rec["status"] == "failed" and "why" not in rec:
        rec["why"] = why_of(lines)
    return rec


def skipped(name, why):
    return {"step": name, "status": "skipped", "why": why}


def pick_device(devices):
    """The index of the first OpenCL GPU in `voxkd devices` output, and whether it is a GPU."""
    first = None
    for line in devices.get("output", []):
        m = re.match(r"opencl\s+(\d+)\s+(.*)", line)
        if not m:
            continue
        if first is None:
            first = m.group(1)
        if "type GPU" in line:
            return m.group(1), True
    return first, False


def properties(path):
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                out[k] = v
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="batch 8 x 50 frames instead of the paper's 64 x 200")
    ap.add_argument("--build", action="store_true", help="in a checkout: make gpu-bundle even when target/gpu-bundle exists")
    ap.add_argument("--bundle", help="the bundle folder (default: this script's bundle, or target/gpu-bundle of this checkout)")
    ap.add_argument("--steps", default=",".join(STEPS), help="steps to run, comma-separated (default: all: %(default)s)")
    ap.add_argument("--parity-classes", default="", help="test classes for the parity step (default: GpuCheckRunner's four)")
    ap.add_argument("--budget", type=float, default=450, help="seconds for all steps (default 450)")
    ap.add_argument("--out", help="summary file (default: gpu-check/summary.json next to the bundle)")
    a = ap.parse_args()
    wanted = [s.strip() for s in a.steps.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in STEPS]
    if unknown:
        ap.error("unknown step(s) %s; the steps are %s" % (", ".join(unknown), ", ".join(STEPS)))
    budget, t0 = Budget(a.budget), time.monotonic()
    batch, frames = (8, 50) if a.small else (64, 200)
    in_bundle = os.path.isfile(os.path.join(ROOT, "bundle.properties"))
    bundle = os.path.abspath(a.bundle) if a.bundle else ROOT if in_bundle else os.path.join(ROOT, "target", "gpu-bundle")
    out_file = os.path.abspath(a.out) if a.out else os.path.join(os.path.dirname(bundle), "gpu-check", "summary.json")
    steps = []
    summary = {"check": "gpu-check", "small": a.small, "batch": batch, "frames": frames, "budget_s": a.budget, "bundle": bundle,
               "steps": steps}

    def done():
        summary["total_seconds"] = round(time.monotonic() - t0, 1)
        # ok: nothing failed or timed out; complete: every step ran (a dry run skips the CUDA peer, say).
        summary["ok"] = all(s["status"] in ("ok", "skipped") for s in steps)
        summary["complete"] = all(s["status"] == "ok" for s in steps) and len(steps) >= len(STEPS)
        os.makedirs(os.path.dirname(out_file), exist_ok=True)
        tmp = out_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(summary, f, indent=2)
        os.replace(tmp, out_file)
        state = ("ok" if summary["complete"] else "ok, with skipped steps") if summary["ok"] else "NOT ok"
        print("gpu-check: %s%s in %.0f s -> %s" % (state, "" if summary.get("gpu") else " (no GPU: a dry run)", summary["total_seconds"], out_file))
        for s in steps:
            print("  %-8s %-8s %6s s  %s" % (s["step"], s["status"], s.get("seconds", "-"), s.get("why", "")))
        return 0 if summary["ok"] else 1

    # The bundle: built here only in a checkout (a GPU machine has no JDK or Maven: carry target/gpu-bundle there).
    props = os.path.join(bundle, "bundle.properties")
    if not in_bundle and (a.build or not os.path.isfile(props)):
        if shutil.which("make") and shutil.which("mvn"):
            steps.append(run("build", ["make", "gpu-bundle"], budget, ROOT))
        else:
            steps.append({"step": "build", "status": "failed",
                          "why": "no bundle at %s and no make/Maven here to build one: run `make gpu-bundle` on a machine with a JDK >= 21 "
                                 "and Maven, and carry target/gpu-bundle with the working tree" % bundle})
        if steps[-1]["status"] != "ok" or not os.path.isfile(props):
            steps[-1].setdefault("why", "make gpu-bundle did not produce %s" % props)
            return done()
    summary["bundle_properties"] = properties(props)
    # Through bash: a copy that lost its execute bits on the way (a carried folder, an archive) still runs.
    voxkd = os.path.join(bundle, "bin", "voxkd")
    shape = ["--batch", str(batch), "--frames", str(frames)]

    if "version" in wanted:
        steps.append(run("version", ["bash", voxkd, "--version"], budget, bundle))
        home = [l for l in steps[-1].get("output", []) if l.startswith("java.home ")]
        if home:
            summary["java_home"] = re.sub(r" \(runtime of the GPU bundle .*\)$", "", home[0][len("java.home "):])
    needs_device = [s for s in wanted if s in ("parity", "infer", "train", "profile")]
    index, gpu = None, False
    if "devices" in wanted or needs_device:
        dev = run("devices", ["bash", voxkd, "devices"], budget, bundle)
        steps.append(dev)
        index, gpu = pick_device(dev)
        summary["opencl_device"] = index
        summary["gpu"] = gpu
        for l in dev.get("output", []):
            if l.startswith("opencl loader:") or l.startswith("opencl vendors:"):
                summary[l.split(":", 1)[0].replace(" ", "_")] = l.split(":", 1)[1].strip()
        if index is None:
            if dev["status"] == "ok":
                dev["status"] = "failed"
                unavailable = [l for l in dev.get("output", []) if l.startswith("opencl") and "unavailable:" in l]
                dev["why"] = "no OpenCL device listed" + (": " + unavailable[0].split("unavailable:", 1)[1].strip() if unavailable else "")
            for s in needs_device:
                steps.append(skipped(s, "no OpenCL device (see the devices step)"))
            needs_device = []
        elif not gpu:
            # Why no GPU: the launcher's driver search says where NVIDIA's OpenCL library was looked for.
            summary["note"] = "no OpenCL GPU found: a dry run on OpenCL device %s (%s)" % (index, summary.get("opencl_vendors", "no launcher note"))
    threads = str(os.cpu_count() or 2)
    env = {"VOXKD_TEST_OPENCL_DEVICE": index or "0", "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", threads),
           "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", threads), "OPENBLAS_THREAD_TIMEOUT": "4"}
    if "parity" in needs_device:
        cp = ":".join([os.path.join(bundle, "tests", "voxkd-tests.jar"), os.path.join(bundle, "tests", "lib", "*"),
                       os.path.join(bundle, "app", "voxkd.jar"), os.path.join(bundle, "app", "lib", "*")])
        classes = [c for c in a.parity_classes.split(",") if c.strip()]
        # Reserve time for the benchmarks that follow: parity gets what is left after them.
        reserve = sum(r for s, r in (("infer", 60), ("train", 90), ("peer", 50)) if s in wanted)
        steps.append(run("parity", ["bash", voxkd, "--java", "-Xss16m", "-Xmx6g", "-cp", cp, "org.voxkd.GpuCheckRunner"] + classes,
                         budget, bundle, env, reserve=reserve))
    if "infer" in needs_device:
        steps.append(run("infer", ["bash", voxkd, "bench", "infer", "--backend", "opencl", "--device", index, "--json"] + shape, budget, bundle, env,
                         reserve=150 if "train" in wanted else 0))
    if "train" in needs_device:
        steps.append(run("train", ["bash", voxkd, "bench", "train", "--backend", "opencl", "--device", index, "--json"] + shape, budget, bundle, env,
                         reserve=60 if "peer" in wanted else 0))
    if "peer" in wanted:
        python = sys.executable or "python3"
        # No __pycache__ written into the bundle (torch_peer imports gen_model_fixtures).
        peer = run("peer", [python, os.path.join(bundle, "tools", "torch_peer.py"), "bench", "--device", "cuda"] + shape, budget, bundle,
                   {"PYTHONDONTWRITEBYTECODE": "1"})
        text = "\n".join(peer.get("output", []))
        if peer["status"] == "failed" and ("CUDA" in text or "cuda" in text or "No module named 'torch'" in text):
            peer["status"] = "skipped"
            peer["why"] = ("no PyTorch in %s" % python) if "No module named 'torch'" in text else "no CUDA for PyTorch: " + why_of(peer["output"])
        steps.append(peer)
    by = {s["step"]: s.get("result") for s in steps}
    if by.get("peer") and by.get("infer") and by.get("train"):
        summary["ratios"] = {"train_voxkd_over_pytorch_cuda": by["train"]["samples_per_s"] / by["peer"]["kd_train_samples_per_s"],
                             "infer_voxkd_over_pytorch_cuda": by["infer"]["samples_per_s"] / by["peer"]["student_infer_samples_per_s"]}
    # Where the training step's time goes on this device, if time is left (the kernel table is in the step's output).
    if "profile" in needs_device:
        steps.append(run("profile", ["bash", voxkd, "bench", "train", "--backend", "opencl", "--device", index, "--profile", "--reps", "1"] + shape,
                         budget, bundle, env))
    # A dry run without a GPU or CUDA is not a failure of the script: the summary says what ran.
    return done()


if __name__ == "__main__":
    sys.exit(main())
