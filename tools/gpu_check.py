#!/usr/bin/env python3
"""make gpu-check: everything worth knowing from a GPU machine lent for 15 minutes, in under 8, as one JSON file.

Steps, each under its own timeout and all under one budget (--budget, default 450 s); a step that cannot run is
recorded with why, and the rest still run:
  build    make gpu-check-build (jar, test classes, JUnit jars in target/test-lib), only when they are missing
           or with --build (a lent machine may reach no Maven repository: carry target/ instead)
  devices  bin/voxkd devices; the first OpenCL device of type GPU is used (else the first OpenCL device: a dry run)
  parity   the OpenCL tests (BackendParityTest with its many-chunk reductions, DeterminismTest, OpenClBackendTest,
           FusedEpilogueTest) on that device through org.voxkd.GpuCheckRunner, no Maven needed
  infer    bin/voxkd bench infer --backend opencl --device N --json
  train    bin/voxkd bench train --backend opencl --device N --json
  peer     tools/torch_peer.py bench --device cuda: PyTorch on the same GPU (needs a torch built with CUDA)
  profile  bench train --profile on the device, when time is left: where the step's time goes, per kernel
--small uses batch 8 x 50 frames (a dry run on PoCL in a minute or two); the default is the paper's 64 x 200.

  python3 tools/gpu_check.py [--small] [--build] [--budget S] [--out target/gpu-check/summary.json]
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAPS = {"build": 240, "devices": 60, "parity": 180, "infer": 90, "train": 150, "peer": 150, "profile": 90}


class Budget:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return self.end - time.monotonic()


def run(name, cmd, budget, env=None, reserve=0):
    """Runs cmd under min(cap, budget left - reserve) seconds; returns the step's record."""
    limit = int(min(CAPS[name], budget.left() - reserve))
    rec = {"step": name, "command": " ".join(cmd)}
    if limit < 5:
        rec.update(status="skipped", why="no time left in the budget")
        return rec
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=limit, text=True)
        out, rc = p.stdout, p.returncode
        rec.update(status="ok" if rc == 0 else "failed", exit=rc)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        rec.update(status="timeout", why="over its %d s" % limit)
    except OSError as e:
        out = ""
        rec.update(status="failed", why=str(e))
    rec["seconds"] = round(time.monotonic() - t0, 1)
    lines = [l for l in out.splitlines() if not l.startswith("WARNING: Using incubator modules")]
    jsons = [l for l in lines if l.startswith("{")]
    if jsons:
        try:
            rec["result"] = json.loads(jsons[-1])
        except ValueError:
            pass
    rec["output"] = lines[-40:]
    return rec


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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="batch 8 x 50 frames instead of the paper's 64 x 200")
    ap.add_argument("--build", action="store_true", help="build even when target/ has a build")
    ap.add_argument("--budget", type=float, default=450, help="seconds for all steps (default 450)")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "gpu-check", "summary.json"))
    a = ap.parse_args()
    budget, t0 = Budget(a.budget), time.monotonic()
    batch, frames = (8, 50) if a.small else (64, 200)
    steps = []
    summary = {"check": "gpu-check", "small": a.small, "batch": batch, "frames": frames, "budget_s": a.budget, "steps": steps}

    def done():
        summary["total_seconds"] = round(time.monotonic() - t0, 1)
        # ok: nothing failed or timed out; complete: every step ran (a dry run skips the CUDA peer, say).
        summary["ok"] = all(s["status"] in ("ok", "skipped") for s in steps)
        summary["complete"] = all(s["status"] == "ok" for s in steps)
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(summary, f, indent=2)
        os.replace(tmp, a.out)
        state = ("ok" if summary["complete"] else "ok, with skipped steps") if summary["ok"] else "NOT ok"
        print("gpu-check: %s%s in %.0f s -> %s" % (state, "" if summary.get("gpu") else " (no GPU: a dry run)", summary["total_seconds"], a.out))
        for s in steps:
            print("  %-8s %-8s %6s s  %s" % (s["step"], s["status"], s.get("seconds", "-"), s.get("why", "")))

    built = os.path.isfile(os.path.join(ROOT, "target", "voxkd.jar")) and glob.glob(os.path.join(ROOT, "target", "test-lib", "*.jar"))
    if a.build or not built:
        steps.append(run("build", ["make", "gpu-check-build"], budget))
        if steps[-1]["status"] != "ok":
            done()
            return 1
    jdk = subprocess.run([os.path.join(ROOT, "tools", "find-jdk.sh")], stdout=subprocess.PIPE, text=True).stdout.strip()
    if not jdk:
        steps.append({"step": "jdk", "status": "failed", "why": "no JDK >= 21 (tools/find-jdk.sh)"})
        done()
        return 1
    summary["jdk"] = jdk
    voxkd = os.path.join(ROOT, "bin", "voxkd")
    dev = run("devices", [voxkd, "devices"], budget)
    steps.append(dev)
    index, gpu = pick_device(dev)
    summary["opencl_device"] = index
    summary["gpu"] = gpu
    if index is None:
        dev["status"] = "failed"
        dev["why"] = "no OpenCL device listed"
        done()
        return 1
    if not gpu:
        summary["note"] = "no OpenCL GPU found: a dry run on OpenCL device %s" % index
    cp = ":".join([os.path.join(ROOT, "target", "test-classes"), os.path.join(ROOT, "target", "classes"),
                   os.path.join(ROOT, "target", "lib", "*"), os.path.join(ROOT, "target", "test-lib", "*")])
    threads = str(os.cpu_count() or 2)
    env = {"VOXKD_TEST_OPENCL_DEVICE": index, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", threads),
           "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", threads), "OPENBLAS_THREAD_TIMEOUT": "4"}
    # Reserve time for the benchmarks: parity gets what is left after them.
    steps.append(run("parity", [os.path.join(jdk, "bin", "java"), "-Xss16m", "-Xmx6g", "--add-modules", "jdk.incubator.vector",
                                "--enable-native-access=ALL-UNNAMED", "-cp", cp, "org.voxkd.GpuCheckRunner"], budget, env, reserve=200))
    shape = ["--batch", str(batch), "--frames", str(frames)]
    steps.append(run("infer", [voxkd, "bench", "infer", "--backend", "opencl", "--device", index, "--json"] + shape, budget, env, reserve=150))
    steps.append(run("train", [voxkd, "bench", "train", "--backend", "opencl", "--device", index, "--json"] + shape, budget, env, reserve=60))
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    peer = run("peer", [python, os.path.join(ROOT, "tools", "torch_peer.py"), "bench", "--device", "cuda"] + shape, budget)
    if peer["status"] == "failed" and any("CUDA" in l or "No module named 'torch'" in l for l in peer["output"]):
        peer["status"] = "skipped"
        peer["why"] = peer["output"][-1] if peer["output"] else "no CUDA torch"
    steps.append(peer)
    if peer.get("result") and all(s.get("result") for s in steps if s["step"] in ("infer", "train")):
        by = {s["step"]: s["result"] for s in steps}
        summary["ratios"] = {"train_voxkd_over_pytorch_cuda": by["train"]["samples_per_s"] / by["peer"]["kd_train_samples_per_s"],
                             "infer_voxkd_over_pytorch_cuda": by["infer"]["samples_per_s"] / by["peer"]["student_infer_samples_per_s"]}
    # Where the training step's time goes on this device, if time is left (the kernel table is in the step's output).
    steps.append(run("profile", [voxkd, "bench", "train", "--backend", "opencl", "--device", index, "--profile", "--reps", "1"] + shape,
                     budget, env))
    if steps[-1]["status"] == "skipped":
        steps.pop()
    done()
    # A dry run without a GPU or CUDA is not a failure of the script: the summary says what ran.
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
