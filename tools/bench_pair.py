#!/usr/bin/env python3
"""Paired, alternating benchmark rounds at the study's own shapes: voxkd checkouts against each other (this tree
against a worktree of an earlier commit) and against the PyTorch peer (../shared/peers/pytorch_default_shapes.py), on
one machine, in one run. Each round runs every arm once, in an order that rotates round by round; the figure of a
workload is the median over rounds, and each ratio is the median (and range) of the per-round ratios, so a machine
shared with other work moves both sides of a ratio together. Timings alone are never the result.

Usage (one kernel thread, default shapes, portable numerics):
  VOXKD_JAVA_OPTS="-Xmx4g -Dvoxkd.cpu.threads=1" OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \\
    /usr/bin/python3 tools/bench_pair.py --arm new=. --arm base=../base --peer ../shared/peers/pytorch_default_shapes.py --rounds 3

Workloads (--workloads, comma-separated): kd_v2, kd_large, teacher, infer_v2, infer_large. Prints one line per round and a
table: samples/s per arm (median), and ratio of the first arm to each other arm and to the peer.
"""
import argparse, json, os, statistics, subprocess, sys

WORKLOADS = {
    # name: (bench args, key in the peer's JSON)
    # (the default student, v2-cosine, is not named: checkouts from before --student existed run the v2 workloads too)
    "kd_v2": (["train", "--model", "student", "--frames", "64", "--classes", "200"], "kd_v2_samples_per_s"),
    "kd_large": (["train", "--model", "student", "--student", "v2-large", "--frames", "64", "--classes", "200"], "kd_large_samples_per_s"),
    "teacher": (["train", "--model", "teacher", "--frames", "64", "--classes", "200"], "teacher_train_samples_per_s"),
    "infer_v2": (["infer", "--frames", "100"], "infer_v2_samples_per_s"),
    "infer_large": (["infer", "--student", "v2-large", "--frames", "100"], "infer_large_samples_per_s"),
}


def voxkd(root, workload, a):
    args, _ = WORKLOADS[workload]
    cmd = [os.path.join(root, "bin", "voxkd"), "bench", *args, "--shapes", a.shapes, "--numerics", a.numerics, "--root", root,
           "--warmup", str(a.warmup), "--reps", str(a.reps), "--json"] + (["--clock", "cpu"] if a.clock == "cpu" else [])
    if a.batch: cmd += ["--batch", str(a.batch)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if out.returncode != 0 or not lines:
        sys.exit(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return json.loads(lines[-1])["samples_per_s"]


# The peer script times by time.perf_counter; with --clock cpu it runs unchanged with that clock replaced by the process's CPU time.
CPU_CLOCK = "import runpy, sys, time; time.perf_counter = time.process_time; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"


def peer(script, threads, steps, clock):
    args = [script, "--threads", str(threads), "--steps", str(steps)]
    cmd = ["/usr/bin/python3"] + (["-c", CPU_CLOCK] if clock == "cpu" else []) + args
    out = subprocess.run(cmd, capture_output=True, text=True)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if out.returncode != 0 or not lines:
        sys.exit(f"peer {script} failed ({out.returncode}): {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arm", action="append", required=True, help="NAME=CHECKOUT (a voxkd tree built with make build); the first is the one ratios are of")
    ap.add_argument("--peer", help="pytorch_default_shapes.py (omit: no peer)")
    ap.add_argument("--workloads", default="kd_v2,kd_large,teacher,infer_v2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=10, help="untimed steps per JVM first (the JIT needs ~10 to reach steady state)")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--peer-steps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1, help="the peer's torch threads (voxkd's: -Dvoxkd.cpu.threads in VOXKD_JAVA_OPTS)")
    ap.add_argument("--shapes", default="default")
    ap.add_argument("--numerics", default="portable")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--clock", default="wall", choices=["wall", "cpu"], help="cpu: every side timed by its process CPU time (one thread each; "
                    "steadier on a loaded machine; voxkd checkouts need bench --clock)")
    a = ap.parse_args()
    arms = [tuple(x.split("=", 1)) for x in a.arm]
    arms = [(n, os.path.abspath(r)) for n, r in arms]
    loads = [w for w in a.workloads.split(",") if w]
    for w in loads:
        if w not in WORKLOADS: sys.exit(f"unknown workload {w}; known: {', '.join(WORKLOADS)}")
    names = [n for n, _ in arms] + (["pytorch"] if a.peer else [])
    fig = {w: {n: [] for n in names} for w in loads}
    for k in range(a.rounds):
        order = names[k % len(names):] + names[:k % len(names)]
        for n in order:
            if n == "pytorch":
                res = peer(a.peer, a.threads, a.peer_steps, a.clock)
                for w in loads: fig[w][n].append(res[WORKLOADS[w][1]])
            else:
                root = dict(arms)[n]
                for w in loads: fig[w][n].append(voxkd(root, w, a))
        print(f"round {k + 1}/{a.rounds}: " + "; ".join(f"{w} " + " ".join(f"{n} {fig[w][n][-1]:.1f}" for n in names) for w in loads), flush=True)
    first = names[0]
    print(f"\n{a.shapes} shapes, numerics {a.numerics}, {a.clock} clock, warmup {a.warmup} reps {a.reps}, {a.rounds} alternating rounds; "
          f"samples/s medians, ratio = {first} / other: median [range] of per-round ratios")
    print(f"{'workload':<12}" + "".join(f"{n:>10}" for n in names) + "".join(f"  {first + ' / ' + n:<26}" for n in names[1:]))
    for w in loads:
        line = f"{w:<12}" + "".join(f"{statistics.median(fig[w][n]):>10.1f}" for n in names)
        for n in names[1:]:
            r = [x / y for x, y in zip(fig[w][first], fig[w][n])]
            line += f"  {statistics.median(r):.2f}× [{min(r):.2f}–{max(r):.2f}]".ljust(28)
        print(line)


if __name__ == "__main__":
    main()
