#!/usr/bin/python3
"""Independent references for voxkd's scoring back-end (org.voxkd.scoring), written as a small committed fixture:

  src/test/resources/fixtures/scoring/scoring_reference.json

Run with Debian's python3 (python3-sklearn, python3-numpy, python3-scipy):  /usr/bin/python3 tools/gen_scoring_fixtures.py

References, each computed without voxkd's code:
  - AS-norm: numpy over full score matrices (np.sort of each row's cohort scores, top-N mean and population std, as
    WeSpeaker's score_norm.py), for two top-N;
  - calibration: scikit-learn LogisticRegression(penalty=None) with sample weights prior/N_tar, (1-prior)/N_non
    (checked here against a Newton solve), llr = coef*s + intercept - logit(prior);
  - Cllr and actual DCF of the calibrated test scores (numpy), minCllr from sklearn IsotonicRegression (PAV);
  - minDCF at several cost settings and EER threshold from sklearn roc_curve(drop_intermediate=False);
  - FAR/FRR of the test scores at the validation EER threshold;
  - DET points from sklearn det_curve, and normal quantiles from scipy.stats.norm.ppf.
"""
import json
import os
import sys

import numpy as np
import scipy.stats
import sklearn
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import det_curve, roc_curve

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures", "scoring", "scoring_reference.json")
COSTS = [(0.05, 1.0, 1.0), (0.01, 1.0, 1.0), (0.1, 10.0, 1.0)]
PRIOR = 0.5


def floats(a):
    return [float(x) for x in a]


def softplus(x):
    return np.logaddexp(0.0, x)


def cllr(llr, y):
    t, n = llr[y == 1], llr[y == 0]
    return 0.5 * (np.mean(softplus(-t)) + np.mean(softplus(n))) / np.log(2)


def min_cllr(s, y):
    p = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True).fit_transform(s, y.astype(float))
    prior = np.log(np.sum(y == 1) / np.sum(y == 0))
    with np.errstate(divide="ignore"):
        llr = np.log(p) - np.log1p(-p) - prior
    t, n = llr[y == 1], llr[y == 0]
    ct = np.where(np.isneginf(-t), 0.0, softplus(-t))
    cn = np.where(np.isneginf(n), 0.0, softplus(n))
    return 0.5 * (np.mean(ct) + np.mean(cn)) / np.log(2)


def dcf(pmiss, pfa, c):
    p, cm, cf = c
    return (cm * p * pmiss + cf * (1 - p) * pfa) / min(cm * p, cf * (1 - p))


def roc_metrics(s, y):
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    fnr = 1 - tpr
    i = int(np.argmin(np.abs(fnr - fpr)))
    return {"eer": float(max(fpr[i], fnr[i])), "eer_threshold": float(thr[i]),
            "min_dcf": [float(np.min(dcf(fnr, fpr, c))) for c in COSTS]}


def calibrate(s, y, prior):
    nt, nn = np.sum(y == 1), np.sum(y == 0)
    w = np.where(y == 1, prior / nt, (1 - prior) / nn) * len(y)  # scaled to sum N: the optimum is the same, lbfgs converges better
    lr = LogisticRegression(penalty=None, solver="newton-cg", tol=1e-8, max_iter=100000).fit(s.reshape(-1, 1), y, sample_weight=w)
    a, c = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    # the same optimum by Newton's method: sklearn must have converged
    an, cn = 0.0, 0.0
    for _ in range(100):
        z = an * s + cn
        p = 1 / (1 + np.exp(-z))
        r = w * (p - y)
        g = np.array([np.sum(r * s), np.sum(r)])
        h = w * p * (1 - p)
        H = np.array([[np.sum(h * s * s), np.sum(h * s)], [np.sum(h * s), np.sum(h)]])
        d = np.linalg.solve(H, g)
        an, cn = an - d[0], cn - d[1]
    assert abs(an - a) < 1e-9 * max(1, abs(a)) and abs(cn - c) < 1e-9 * max(1, abs(c)), (a, an, c, cn)
    return a, c - np.log(prior / (1 - prior))


def case(name, rng, n_val, n_test, separation, quantum):
    def draw(n):
        y = (rng.random(n) < 0.3).astype(int)
        y[0], y[1] = 1, 0
        s = rng.normal(0, 1, n) + separation * y
        if quantum:
            s = np.round(s / quantum) * quantum
        return s, y

    vs, vy = draw(n_val)
    ts, ty = draw(n_test)
    a, b = calibrate(vs, vy, PRIOR)
    llr = a * ts + b
    roc_t, roc_v = roc_metrics(ts, ty), roc_metrics(vs, vy)
    vt = roc_v["eer_threshold"]
    fpr, fnr, thr = det_curve(ty, ts)
    return {
        "name": name, "val_scores": floats(vs), "val_labels": vy.tolist(), "test_scores": floats(ts), "test_labels": ty.tolist(),
        "calibration_scale": a, "calibration_offset": float(b),
        "cllr": float(cllr(llr, ty)), "min_cllr": float(min_cllr(ts, ty)),
        "actual_dcf": [float(dcf(np.mean(llr[ty == 1] < np.log(c[2] * (1 - c[0]) / (c[1] * c[0]))),
                                 np.mean(llr[ty == 0] >= np.log(c[2] * (1 - c[0]) / (c[1] * c[0]))), c)) for c in COSTS],
        "eer": roc_t["eer"], "min_dcf": roc_t["min_dcf"],
        "val_eer_threshold": vt, "far_at_val": float(np.mean(ts[ty == 0] >= vt)), "frr_at_val": float(np.mean(ts[ty == 1] < vt)),
        "det_far": floats(fpr), "det_frr": floats(fnr), "det_threshold": floats(thr),
    }


def asnorm_case(rng):
    dim, cohort_n, utts, trials = 12, 40, 16, 60
    cohort = rng.normal(0, 1, (cohort_n, dim)).astype(np.float32)
    emb = rng.normal(0, 1, (utts, dim)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    emb = emb.astype(np.float32)
    pairs = [(int(rng.integers(utts)), int(rng.integers(utts))) for _ in range(trials)]
    e64, c64 = emb.astype(np.float64), cohort.astype(np.float64)
    raw = np.array([e64[i] @ e64[j] for i, j in pairs])
    cs = e64 @ c64.T  # utterance x cohort
    out = {}
    for top in (5, cohort_n):
        top_scores = np.sort(cs, axis=1)[:, ::-1][:, :top]
        mu, sd = top_scores.mean(axis=1), top_scores.std(axis=1)
        out[str(top)] = floats([0.5 * ((raw[k] - mu[i]) / sd[i] + (raw[k] - mu[j]) / sd[j]) for k, (i, j) in enumerate(pairs)])
    return {"cohort": [floats(r) for r in cohort], "embeddings": [floats(r) for r in emb], "pairs": pairs, "raw": floats(raw), "normalised": out}


def main():
    rng = np.random.default_rng(24)
    doc = {
        "generator": "tools/gen_scoring_fixtures.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
        "costs": [list(c) for c in COSTS], "prior": PRIOR,
        "cases": [case("continuous", rng, 300, 400, 2.0, None), case("ties", rng, 200, 300, 1.5, 0.25), case("small", rng, 40, 30, 1.0, None)],
        "asnorm": asnorm_case(rng),
        "probit": {"p": [1e-10, 1e-4, 0.0005, 0.01, 0.1, 0.3, 0.425, 0.5, 0.75, 0.925, 0.99, 0.9999]},
    }
    doc["probit"]["ppf"] = floats(scipy.stats.norm.ppf(doc["probit"]["p"]))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.normpath(OUT), os.path.getsize(OUT), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
