#!/usr/bin/env python3
"""Writes the safetensors fixtures that prove voxkd and PyTorch exchange weights both ways.

For a small student and a small teacher (the reference modules of tools/gen_model_fixtures.py, reused here):
  1. a PyTorch model with random weights (norm layers and running statistics moved off their defaults) saves its
     state_dict as safetensors (pt_NAME.safetensors) and records its inference-mode embedding of a fixed input;
  2. voxkd imports that file (`voxkd import`) and exports the checkpoint again (`voxkd export --format
     safetensors`, voxkd_NAME.safetensors);
  3. a fresh PyTorch module loads voxkd's file with load_state_dict(strict=True) and must give the same embedding.
The Java test (src/test/java/org/voxkd/export/TorchStateDictTest.java) checks that voxkd's embedding of the
imported weights equals PyTorch's, and that voxkd's export is tensor for tensor the file PyTorch loaded here.

The safetensors files are written and read in plain Python (struct + json): Debian has no safetensors package.

Run after `make build`: /usr/bin/python3 tools/gen_safetensors_fixtures.py src/test/resources/fixtures/export
(Debian package python3-torch; the fixtures are committed so CI needs no Python.)
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_model_fixtures as ref  # noqa: E402  (the reference modules; sets float64 as the default dtype)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        if t.dtype == torch.int64:
            dtype, data = "I64", t.reshape(-1).numpy().astype("<i8").tobytes()
        else:
            dtype, data = "F32", t.detach().to(torch.float32).reshape(-1).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt", "generator": "tools/gen_safetensors_fixtures.py"}
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(blobs))


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data, out = raw[8 + n:], {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        b, e = h["data_offsets"]
        kind = {"F32": "<f4", "I64": "<i8"}[h["dtype"]]
        arr = np.frombuffer(data[b:e], dtype=kind).reshape(h["shape"]).copy()
        t = torch.from_numpy(arr)
        out[name] = t.to(torch.float64) if h["dtype"] == "F32" else t
    return out, header.get("__metadata__", {})


def voxkd(*args):
    subprocess.run([os.path.join(REPO, "bin", "voxkd"), *args], check=True, stdout=subprocess.DEVNULL)


def round_to_float32(model):
    with torch.no_grad():
        for v in model.state_dict().values():
            if v.is_floating_point():
                v.copy_(v.to(torch.float32).to(torch.float64))


def fixture(name, make, config, batch, frames, out):
    model = make()
    ref.randomise_norms(model)
    round_to_float32(model)
    for mod in model.modules():
        if isinstance(mod, torch.nn.BatchNorm1d):
            mod.num_batches_tracked.fill_(5)  # any count: voxkd accepts and discards it
    model.eval()
    x = torch.randn(batch, frames, config["mels"]).to(torch.float32).to(torch.float64)
    with torch.no_grad():
        emb = model(x)
    pt = os.path.join(out, f"pt_{name}.safetensors")
    write_safetensors(pt, model.state_dict())
    with tempfile.TemporaryDirectory() as tmp:
        yaml = os.path.join(tmp, "model.yaml")
        with open(yaml, "w") as f:
            f.write("model: " + json.dumps(config) + "\n")
        ckpt = os.path.join(tmp, "imported.ckpt")
        voxkd("import", "--safetensors", pt, "--config", yaml, "--out", ckpt)
        mine = os.path.join(out, f"voxkd_{name}.safetensors")
        voxkd("export", "--checkpoint", ckpt, "--format", "safetensors", "--out", mine)
    again = make()
    state, meta = read_safetensors(mine)
    again.load_state_dict(state, strict=True)  # every tensor, no other, right shapes
    again.eval()
    with torch.no_grad():
        emb2 = again(x)
    assert torch.equal(emb, emb2), "the weights voxkd exported give another embedding in PyTorch"
    doc = {"generator": "tools/gen_safetensors_fixtures.py", "torch": torch.__version__, "model": name, "config": config,
           "batch": batch, "frames": frames, "voxkd_export_loaded_strictly": True, "voxkd_export_metadata_format": meta.get("format"),
           "input": [float(v) for v in x.reshape(-1).tolist()],
           "embedding": [float(v) for v in emb.reshape(-1).tolist()]}
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters; voxkd's export loads strictly and gives the same embedding")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/fixtures/export"
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(20261201)
    scfg = {"kind": "student", "mels": 12, "hidden": 8, "blocks": 2, "expansion": 2, "groups": 2, "embedding": 6}
    fixture("student", lambda: ref.Student(12, 8, 2, 2, 2, 6), scfg, batch=3, frames=9, out=out)
    tcfg = {"kind": "teacher", "mels": 12, "channels": 6, "latent": 4, "lstm_hidden": 3, "lstm_layers": 2, "embedding": 6}
    fixture("teacher", lambda: ref.Teacher(12, 6, 4, 3, 6), tcfg, batch=3, frames=7, out=out)


if __name__ == "__main__":
    main()
