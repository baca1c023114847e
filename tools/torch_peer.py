#!/usr/bin/env python3
"""voxkd's own PyTorch peer: the V2 student and the standard teacher of tools/gen_model_fixtures.py (the
project's PyTorch reference of ../shared/spec/models.md), random weights, voxkd's [B, T, M] layout.

  torch_peer.py trace --out FILE [--batch 64 --frames 200]
      a TorchScript trace of the V2 student in inference mode, for the libtorch (DJL) peer of `voxkd bench compare`
  torch_peer.py bench [--device cuda|cpu] [--batch 64 --frames 200 --classes 1000 --steps 3 --warmup 1 --threads 2]
      one JSON line: KD training step (student + frozen teacher, cosine KD alpha 0.5, AAM-softmax, Adam) and
      student inference samples/s, timed with the device synchronised; `make gpu-check` runs it with --device cuda.

Needs Debian's python3-torch (/usr/bin/python3); on a GPU machine any torch built with CUDA.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_model_fixtures as ref  # noqa: E402  (sets float64 as its default dtype: reset below)

torch.set_default_dtype(torch.float32)
V2 = dict(m=80, h=192, n=6, e=3, g=4, emb=512)


def student(p=0.1):
    return ref.Student(V2["m"], V2["h"], V2["n"], V2["e"], V2["g"], V2["emb"], p)


def teacher():
    return ref.Teacher(80, 256, 128, 256, 512, 0.2, 0.3)


def trace(args):
    torch.manual_seed(0)
    model = student().eval()
    x = torch.randn(args.batch, args.frames, V2["m"])
    with torch.no_grad():
        traced = torch.jit.trace(model, x)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    traced.save(tmp)
    os.replace(tmp, args.out)
    print(json.dumps({"trace": args.out, "torch": torch.__version__, "input": list(x.shape)}))


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def bench(args):
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("torch %s has no CUDA device (torch.cuda.is_available() is False)" % torch.__version__)
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    b, t, c = args.batch, args.frames, args.classes
    st = student().to(device)
    te = teacher().to(device).eval()
    w = torch.nn.Parameter(torch.empty(c, V2["emb"], device=device))
    torch.nn.init.xavier_normal_(w)
    opt = torch.optim.Adam(list(st.parameters()) + [w], lr=1e-3)
    x = torch.randn(b, t, V2["m"], device=device)
    y = torch.randint(0, c, (b,), device=device)

    def step():
        with torch.no_grad():
            target = te(x)
        e = st(x)
        cls, _ = ref.aam_softmax(e, w, y, 0.2, 30.0)
        kd = (1 - F.cosine_similarity(e, target)).mean()
        loss = 0.5 * cls + 0.5 * kd
        opt.zero_grad()
        loss.backward()
        opt.step()

    def timed(body, steps):
        sync(device)
        t0 = time.perf_counter()
        for _ in range(steps):
            body()
        sync(device)
        return time.perf_counter() - t0

    st.train()
    timed(step, args.warmup)
    dt = timed(step, args.steps)
    st.eval()
    with torch.no_grad():
        timed(lambda: st(x), args.warmup)
        di = timed(lambda: st(x), args.steps)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(json.dumps({"peer": "pytorch-" + device.type, "torch": torch.__version__, "device": name, "threads": args.threads,
                      "batch": b, "frames": t, "classes": c, "kd_train_samples_per_s": b * args.steps / dt,
                      "student_infer_samples_per_s": b * args.steps / di}))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("trace")
    tr.add_argument("--out", required=True)
    be = sub.add_parser("bench")
    be.add_argument("--device", default="cpu")
    be.add_argument("--classes", type=int, default=1000)
    be.add_argument("--steps", type=int, default=3)
    be.add_argument("--warmup", type=int, default=1)
    be.add_argument("--threads", type=int, default=2)
    for p in (tr, be):
        p.add_argument("--batch", type=int, default=64)
        p.add_argument("--frames", type=int, default=200)
    a = ap.parse_args()
    trace(a) if a.cmd == "trace" else bench(a)
