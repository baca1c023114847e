#!/usr/bin/env python3
"""Writes PyTorch reference fixtures for voxkd's student and teacher models.

Builds both models of ../shared/spec/models.md at small sizes (same structure, PyTorch's own layers),
runs one inference-mode forward and one training-mode forward + backward of the combined loss
(1 - alpha) * AAM-softmax + alpha * cosine KD, and writes weights, inputs, embeddings, losses and every
parameter gradient as JSON. Dropout probabilities are 0 here: PyTorch's generator is not voxkd's
counter-based one, so masks cannot match; dropout has its own tests.

Run: /usr/bin/python3 tools/gen_model_fixtures.py src/test/resources/fixtures/models
(Debian packages python3-torch; the fixtures are committed so CI needs no Python.)
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20261125)
torch.set_default_dtype(torch.float64)  # the reference is float64; voxkd runs float32


class ChannelLN(nn.LayerNorm):
    """LayerNorm over channels of a [B, C, T] tensor, per frame."""
    def forward(self, x):
        return super().forward(x.transpose(1, 2)).transpose(1, 2)


class MixerBlock(nn.Module):
    def __init__(self, h, e, g, p):
        super().__init__()
        self.ln1 = ChannelLN(h)
        self.idconv = nn.Conv1d(h, h, 3, padding=1, groups=h, bias=False)
        self.idbn = nn.BatchNorm1d(h)
        self.gp1 = nn.Conv1d(h, e * h, 1, groups=g)
        self.gp2 = nn.Conv1d(e * h, h, 1, groups=g)
        self.ln2 = ChannelLN(h)
        self.fc1 = nn.Linear(h, 2 * e * h)
        self.fc2 = nn.Linear(e * h, h)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        y = self.ln1(x)
        y = y + self.idbn(self.idconv(y))
        y = self.drop(self.gp2(self.drop(F.gelu(self.gp1(y)))))
        x = x + y
        y = self.ln2(x).transpose(1, 2)
        y = self.fc1(y)
        half = y.shape[-1] // 2
        y = torch.max(y[..., :half], y[..., half:])
        y = self.drop(self.fc2(self.drop(F.gelu(y))))
        return x + y.transpose(1, 2)


class Student(nn.Module):
    def __init__(self, m, h, n, e, g, emb, p=0.0):
        super().__init__()
        self.stem_conv = nn.Conv1d(m, h, 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm1d(h)
        self.blocks = nn.ModuleList([MixerBlock(h, e, g, p) for _ in range(n)])
        self.norm = ChannelLN(h)
        self.attn1 = nn.Conv1d(h, h, 1)
        self.attn2 = nn.Conv1d(h, h, 1)
        self.fc = nn.Linear(2 * h, emb)
        self.bn = nn.BatchNorm1d(emb)

    def forward(self, x):  # x: [B, T, M] (voxkd's layout) -> [B, M, T]
        x = F.relu(self.stem_bn(self.stem_conv(x.transpose(1, 2))))
        for b in self.blocks:
            x = b(x)
        x = self.norm(x)
        w = torch.softmax(self.attn2(torch.tanh(self.attn1(x))), dim=2)
        mu = torch.sum(w * x, dim=2)
        sigma = torch.sqrt(torch.clamp(torch.sum(w * x * x, dim=2) - mu * mu, min=1e-5))
        return self.bn(self.fc(torch.cat([mu, sigma], dim=1)))


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, bn=True):
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, 3, padding=1)
        self.bn = nn.BatchNorm1d(cout) if bn else None


class Teacher(nn.Module):
    def __init__(self, m, c1, latent, hidden, emb, p_enc=0.0, p_lstm=0.0):
        super().__init__()
        self.encoder = nn.ModuleList([ConvBlock(m, c1), ConvBlock(c1, c1), ConvBlock(c1, latent)])
        self.decoder = nn.ModuleList([ConvBlock(latent, c1), ConvBlock(c1, c1), ConvBlock(c1, m, bn=False)])
        self.lstm = nn.LSTM(latent, hidden, num_layers=2, batch_first=True, bidirectional=True, dropout=p_lstm)
        self.ln = nn.LayerNorm(2 * hidden)
        self.attn_fc1 = nn.Linear(2 * hidden, 2 * hidden)
        self.attn_fc2 = nn.Linear(2 * hidden, 1)
        self.fc = nn.Linear(4 * hidden, emb)
        self.bn = nn.BatchNorm1d(emb)
        self.p_enc = p_enc

    def forward(self, x):  # x: [B, T, M]
        z = x.transpose(1, 2)
        for i, blk in enumerate(self.encoder):
            z = F.relu(blk.bn(blk.conv(z)))
            if i < 2:
                z = F.dropout(z, self.p_enc, self.training)
        h, _ = self.lstm(z.transpose(1, 2))
        h = self.ln(h)
        a = self.attn_fc2(torch.tanh(self.attn_fc1(h)))  # [B, T, 1]
        w = torch.softmax(a, dim=1)
        mu = torch.sum(w * h, dim=1)
        sigma = torch.sqrt(torch.clamp(torch.sum(w * (h - mu.unsqueeze(1)) ** 2, dim=1), min=1e-5))
        return self.bn(self.fc(torch.cat([mu, sigma], dim=1)))


def aam_softmax(emb, weight, labels, m, s):
    cos = F.linear(F.normalize(emb), F.normalize(weight))
    sin = torch.sqrt((1.0 - cos * cos).clamp(0, 1))
    phi = cos * math.cos(m) - sin * math.sin(m)
    th, mm = math.cos(math.pi - m), math.sin(math.pi - m) * m
    phi = torch.where(cos - th > 0, phi, cos - mm)
    onehot = F.one_hot(labels, weight.shape[0]).to(cos.dtype)
    logits = s * (onehot * phi + (1 - onehot) * cos)
    acc = (logits.argmax(1) == labels).to(cos.dtype).mean() * 100
    return F.cross_entropy(logits, labels), acc


def randomise_norms(model):
    """BatchNorm/LayerNorm affine and running stats away from their 1/0 defaults, so the test sees them."""
    for mod in model.modules():
        if isinstance(mod, (nn.BatchNorm1d, nn.LayerNorm)):
            with torch.no_grad():
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.3, 0.3)
                if isinstance(mod, nn.BatchNorm1d):
                    mod.running_mean.uniform_(-0.2, 0.2)
                    mod.running_var.uniform_(0.5, 2.0)


def tensors(d):
    return {k: {"shape": list(v.shape), "data": [float(x) for x in v.detach().to(torch.float32).reshape(-1).tolist()]}
            for k, v in d.items()}


def fixture(name, model, config, batch, frames, mels, classes, alpha, kd, m, s, path):
    randomise_norms(model)
    state = {k: v.clone() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    # Round every input to float32 first: voxkd starts from exactly these values.
    for v in list(state.values()):
        v.copy_(v.to(torch.float32).to(torch.float64))
    model.load_state_dict(state, strict=False)
    x = torch.randn(batch, frames, mels).to(torch.float32).to(torch.float64)
    labels = torch.randint(0, classes, (batch,))
    weight = nn.init.xavier_normal_(torch.empty(classes, config["embedding"])).to(torch.float32).to(torch.float64)
    weight.requires_grad_(True)
    teacher_emb = torch.randn(batch, config["embedding"]).to(torch.float32).to(torch.float64)

    model.eval()
    with torch.no_grad():
        eval_emb = model(x)
    model.train()
    emb = model(x)
    cls, acc = aam_softmax(emb, weight, labels, m, s)
    out = {"eval_embedding": eval_emb, "train_embedding": emb.detach(), "loss_cls": cls.detach().reshape(1),
           "accuracy": acc.reshape(1)}
    total = cls
    if kd:
        lkd = (1 - F.cosine_similarity(emb, teacher_emb, dim=1)).mean()
        total = (1 - alpha) * cls + alpha * lkd
        out["loss_kd"] = lkd.detach().reshape(1)
    out["loss_total"] = total.detach().reshape(1)
    total.backward()
    # Parameters outside the loss (the decoder) have zero gradient, as in voxkd.
    grads = {"grad." + k: (p.grad if p.grad is not None else torch.zeros_like(p)) for k, p in model.named_parameters()}
    grads["grad.classifier"] = weight.grad
    after = {"after." + k: v for k, v in model.state_dict().items() if "running" in k}
    doc = {
        "generator": "tools/gen_model_fixtures.py", "torch": torch.__version__, "model": name, "config": config,
        "batch": batch, "frames": frames, "mels": mels, "classes": classes, "alpha": alpha, "kd": kd,
        "aam_margin": m, "aam_scale": s,
        "tensors": tensors({**state, "input": x, "labels": labels.to(torch.float64), "classifier": weight.detach(),
                            "teacher_embedding": teacher_emb, **out, **grads, **after}),
    }
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"{path}: {sum(p.numel() for p in model.parameters())} parameters")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/fixtures/models"
    os.makedirs(out, exist_ok=True)
    scfg = {"mels": 10, "hidden": 8, "blocks": 2, "expansion": 2, "groups": 2, "embedding": 6}
    fixture("student", Student(10, 8, 2, 2, 2, 6), scfg, batch=3, frames=7, mels=10, classes=5, alpha=0.7, kd=True,
            m=0.2, s=30.0, path=os.path.join(out, "student.json"))
    counts = {
        "student_h192_n6_e3_g4": sum(p.numel() for p in Student(80, 192, 6, 3, 4, 512).parameters()),
        "student_h256_n8_e4_g4": sum(p.numel() for p in Student(80, 256, 8, 4, 4, 512).parameters()),
        "teacher": sum(p.numel() for p in Teacher(80, 256, 128, 256, 512).parameters()),
    }
    with open(os.path.join(out, "parameter_counts.json"), "w") as f:
        json.dump(counts, f, indent=1, sort_keys=True)
    print(counts)
    tcfg = {"mels": 10, "channels": 6, "latent": 4, "lstm_hidden": 3, "embedding": 6}
    fixture("teacher", Teacher(10, 6, 4, 3, 6), tcfg, batch=3, frames=5, mels=10, classes=5, alpha=0.0, kd=False,
            m=0.2, s=30.0, path=os.path.join(out, "teacher.json"))


if __name__ == "__main__":
    main()
