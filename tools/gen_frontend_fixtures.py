#!/usr/bin/env python3
"""Writes the front-end fixtures under src/test/resources/fixtures/frontend/ (run from the repo root).

Reference = torchaudio.transforms.MelSpectrogram with the spec's settings, evaluated in float64 (default
dtype float64, so the window and filterbank are float64 too), then log(x + 1e-6) and instance norm per
mel bin over time (biased variance + 1e-5). Files are raw little-endian float32:
  NAME.wav.f32   input waveform
  NAME.mel.f32   power mel, row-major [T, 80]
  NAME.feat.f32  log + instance norm, row-major [T, 80]
Needs Debian's python3-torch and python3-torchaudio:  /usr/bin/python3 tools/gen_frontend_fixtures.py
"""
import os
import numpy as np
import torch
import torchaudio

OUT = os.path.join("src", "test", "resources", "fixtures", "frontend")


def melspec(dtype):
    torch.set_default_dtype(dtype)
    try:
        return torchaudio.transforms.MelSpectrogram(
            sample_rate=16000, n_fft=512, win_length=400, hop_length=160,
            window_fn=torch.hamming_window, n_mels=80, f_min=0.0, f_max=8000.0,
            mel_scale="htk", norm=None, power=2.0, center=True, pad_mode="reflect")
    finally:
        torch.set_default_dtype(torch.float32)


def signals():
    rng = np.random.default_rng(20240604)
    t = np.arange(16000) / 16000.0
    chirp = 0.4 * np.sin(2 * np.pi * (100 * t + 0.5 * 3900 * t * t))
    harm = sum(0.1 / k * np.sin(2 * np.pi * 140 * k * t + k) for k in range(1, 20))
    t2 = np.arange(3333) / 16000.0
    yield "noise", 0.1 * rng.standard_normal(8000)
    yield "chirp", chirp + harm + 0.01 * rng.standard_normal(16000)
    yield "odd", 0.3 * np.sin(2 * np.pi * 440 * t2) + 0.2 * np.sin(2 * np.pi * 3100 * t2) + 0.02 * rng.standard_normal(3333)
    yield "short", 0.5 * rng.uniform(-1, 1, 300)


def main():
    os.makedirs(OUT, exist_ok=True)
    m64, m32 = melspec(torch.float64), melspec(torch.float32)
    print("torch", torch.__version__, "torchaudio", torchaudio.__version__)
    for name, x in signals():
        x = x.astype(np.float32)  # what Java reads
        mel = m64(torch.from_numpy(x.astype(np.float64))).T.contiguous()  # [T, 80]
        mel32 = m32(torch.from_numpy(x)).T.double()
        logmel = torch.log(mel + 1e-6)
        mean = logmel.mean(dim=0, keepdim=True)
        var = logmel.var(dim=0, unbiased=False, keepdim=True)
        feat = (logmel - mean) / torch.sqrt(var + 1e-5)
        rel32 = ((mel32 - mel).abs() / mel.abs().clamp_min(1e-30)).max().item()
        print(f"{name}: {len(x)} samples -> {mel.shape[0]} frames; torchaudio float32 vs float64 max rel err {rel32:.3e}")
        x.astype("<f4").tofile(os.path.join(OUT, name + ".wav.f32"))
        mel.numpy().astype("<f4").tofile(os.path.join(OUT, name + ".mel.f32"))
        feat.numpy().astype("<f4").tofile(os.path.join(OUT, name + ".feat.f32"))


if __name__ == "__main__":
    main()
