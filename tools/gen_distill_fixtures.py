#!/usr/bin/env python3
"""Writes PyTorch reference fixtures for voxkd's distillation methods (src/test/resources/fixtures/distill).

- relational.json: Park et al.'s distance-wise RKD as their code writes it (pdist from the Gram matrix, distances
  over the mean of the positive ones, smooth-L1 over the B x B matrix), with the student's gradient.
- label.json: Hinton's label-level KD, F.kl_div(log_softmax(z_s / tau), softmax(z_t / tau), 'batchmean') * tau^2,
  on the logits scale * cos(embedding, head) of the student (its own head) and of a frozen teacher (its head).
- stages_frame_cosine.json, stages_mean_mse.json: one training step of a whole student (the models of
  gen_model_fixtures.py) against a frozen teacher in inference mode: 0.1 AAM-softmax + 0.1 cosine KD of the embedding +
  0.8 x the mean over two pairs of a layer-wise loss between a student block output, through a learned linear adapter,
  and a teacher activation (the latent; the first BiLSTM layer), matched per frame with cosine, or on the time means
  with MSE. Every student, adapter and classifier gradient.

Run: /usr/bin/python3 tools/gen_distill_fixtures.py src/test/resources/fixtures/distill
(Debian's python3-torch; the fixtures are committed so CI needs no Python.)
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_model_fixtures import Student, Teacher, aam_softmax, randomise_norms, tensors  # noqa: E402

torch.manual_seed(20261201)
torch.set_default_dtype(torch.float64)


def f32(t):
    """Rounded to float32 (voxkd starts from exactly these values), kept in float64."""
    return t.to(torch.float32).to(torch.float64)


def write(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(path)


# ---- relational KD (Park et al. 2019, RKD-D), as in their reference implementation ----

def pdist(e, eps=1e-12):
    e_square = e.pow(2).sum(dim=1)
    prod = e @ e.t()
    res = (e_square.unsqueeze(1) + e_square.unsqueeze(0) - 2 * prod).clamp(min=eps).sqrt().clone()
    res[range(len(e)), range(len(e))] = 0
    return res


def rkd_distance(student, teacher):
    with torch.no_grad():
        t_d = pdist(teacher)
        t_d = t_d / t_d[t_d > 0].mean()
    d = pdist(student)
    d = d / d[d > 0].mean()
    return F.smooth_l1_loss(d, t_d, reduction="mean")


def relational(out):
    b, ds, dt, weight = 9, 5, 7, 0.3
    s = f32(torch.randn(b, ds)).requires_grad_(True)
    t = f32(3 * torch.randn(b, dt))
    loss = rkd_distance(s, t)
    (weight * loss).backward()
    write(os.path.join(out, "relational.json"), {"generator": "tools/gen_distill_fixtures.py", "torch": torch.__version__,
          "batch": b, "student_dim": ds, "teacher_dim": dt, "weight": weight,
          "tensors": tensors({"s": s.detach(), "t": t, "loss": loss.detach().reshape(1), "grad.s": s.grad})})


# ---- label-level KD (Hinton et al. 2015) on cosine logits ----

def cos_logits(x, w, scale):
    return scale * F.linear(F.normalize(x), F.normalize(w))


def label(out):
    b, k, d, dt, scale, tau, weight = 6, 7, 9, 5, 30.0, 4.0, 0.3
    x = f32(torch.randn(b, d)).requires_grad_(True)
    w = f32(torch.randn(k, d)).requires_grad_(True)
    t = f32(torch.randn(b, dt))
    wt = f32(torch.randn(k, dt))
    zs, zt = cos_logits(x, w, scale), cos_logits(t, wt, scale)
    loss = F.kl_div(F.log_softmax(zs / tau, dim=1), F.softmax(zt / tau, dim=1), reduction="batchmean") * tau * tau
    (weight * loss).backward()
    write(os.path.join(out, "label.json"), {"generator": "tools/gen_distill_fixtures.py", "torch": torch.__version__,
          "batch": b, "classes": k, "dim": d, "teacher_dim": dt, "scale": scale, "tau": tau, "weight": weight,
          "tensors": tensors({"x": x.detach(), "w": w.detach(), "t": t, "head": wt, "loss": loss.detach().reshape(1),
                              "grad.x": x.grad, "grad.w": w.grad})})


# ---- multi-stage KD through adapters, one whole training step ----

def rounded_state(model):
    randomise_norms(model)
    state = {k: v.clone() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    for v in state.values():
        v.copy_(f32(v))
    model.load_state_dict(state, strict=False)
    return state


def teacher_taps(teacher, x):
    """The teacher in inference mode: its embedding, the latent [B, T, C] and the first BiLSTM layer's output."""
    with torch.no_grad():
        z = x.transpose(1, 2)
        for blk in teacher.encoder:
            z = F.relu(blk.bn(blk.conv(z)))
        latent = z.transpose(1, 2)
        first = nn.LSTM(teacher.lstm.input_size, teacher.lstm.hidden_size, num_layers=1, batch_first=True, bidirectional=True)
        for name in ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]:
            for suffix in ["", "_reverse"]:
                getattr(first, name + suffix).copy_(getattr(teacher.lstm, name + suffix))
        lstm1, _ = first(latent)
        return teacher(x), latent, lstm1


def stages(out, align, loss_kind):
    b, t, m, k = 3, 7, 10, 5
    student = Student(m, 8, 2, 2, 2, 6)
    teacher = Teacher(m, 6, 4, 3, 6)
    sstate, tstate = rounded_state(student), rounded_state(teacher)
    teacher.eval()
    x = f32(torch.randn(b, t, m))
    labels = torch.randint(0, k, (b,))
    weight = f32(nn.init.xavier_normal_(torch.empty(k, 6))).requires_grad_(True)
    t_emb, latent, lstm1 = teacher_taps(teacher, x)
    adapters = [nn.Linear(8, 4), nn.Linear(8, 6)]
    for a in adapters:
        with torch.no_grad():
            a.weight.copy_(f32(a.weight))
            a.bias.copy_(f32(a.bias))
    outs = {}
    hooks = [student.blocks[i].register_forward_hook(lambda mod, inp, o, i=i: outs.__setitem__(i, o)) for i in range(2)]
    student.train()
    emb = student(x)
    for h in hooks:
        h.remove()
    cls, _ = aam_softmax(emb, weight, labels, 0.2, 30.0)
    kd = (1 - F.cosine_similarity(emb, t_emb, dim=1)).mean()
    parts = []
    for a, sx, tx in [(adapters[0], outs[0].transpose(1, 2), latent), (adapters[1], outs[1].transpose(1, 2), lstm1)]:
        if align == "mean":
            sx, tx = sx.mean(dim=1), tx.mean(dim=1)
        y = a(sx)
        if loss_kind == "cosine":
            parts.append((1 - F.cosine_similarity(y, tx, dim=-1)).mean())
        else:
            parts.append(((y - tx) ** 2).mean())
    st = torch.stack(parts).mean()
    total = 0.1 * cls + 0.1 * kd + 0.8 * st  # the layer-wise term dominates, so the test sees it
    total.backward()
    grads = {"grad.student." + n: (p.grad if p.grad is not None else torch.zeros_like(p)) for n, p in student.named_parameters()}
    for i, a in enumerate(adapters):
        grads[f"grad.adapters.stages.{i}.weight"] = a.weight.grad
        grads[f"grad.adapters.stages.{i}.bias"] = a.bias.grad
    grads["grad.classifier"] = weight.grad
    named = {**{"student." + n: v for n, v in sstate.items()}, **{"teacher." + n: v for n, v in tstate.items()}}
    for i, a in enumerate(adapters):
        named[f"adapters.stages.{i}.weight"] = a.weight.detach()
        named[f"adapters.stages.{i}.bias"] = a.bias.detach()
    write(os.path.join(out, f"stages_{align}_{loss_kind}.json"), {
        "generator": "tools/gen_distill_fixtures.py", "torch": torch.__version__, "batch": b, "frames": t, "mels": m, "classes": k,
        "align": align, "loss": loss_kind, "weights": {"cls": 0.1, "kd": 0.1, "stages": 0.8},
        "student": {"mels": m, "hidden": 8, "blocks": 2, "expansion": 2, "groups": 2, "embedding": 6},
        "teacher": {"mels": m, "channels": 6, "latent": 4, "lstm_hidden": 3, "embedding": 6},
        "pairs": {"student.block1.out": "teacher.encoder3.out", "student.block2.out": "teacher.lstm1.out"},
        "tensors": tensors({**named, "input": x, "labels": labels.to(torch.float64), "classifier": weight.detach(),
                            "loss_cls": cls.detach().reshape(1), "loss_kd": kd.detach().reshape(1), "loss_stages": st.detach().reshape(1),
                            **grads})})


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/fixtures/distill"
    os.makedirs(out, exist_ok=True)
    relational(out)
    label(out)
    stages(out, "frame", "cosine")
    stages(out, "mean", "mse")


if __name__ == "__main__":
    main()
