#!/usr/bin/env python3
"""Writes EER / minDCF reference values computed with scikit-learn's ROC curve, the way voxceleb_trainer does.

EER: at the ROC point minimising |FNR - FPR|, the larger of the two (voxceleb_trainer's tuneThresholdfromScore), over
every operating point (drop_intermediate=False). voxceleb_trainer leaves sklearn's default drop_intermediate=True, which
removes collinear ROC points and can land its EER one trial coarser; the value it would report is stored too
("eer_voxceleb_trainer") for comparison. minDCF is the same either way (a linear cost is minimal at an ROC vertex).
minDCF: min over the ROC thresholds of (C_miss*FNR*P_target + C_fa*FPR*(1-P_target)) / min(C_miss*P_target, C_fa*(1-P_target)).
Run: /usr/bin/python3 tools/gen_eer_fixtures.py src/test/resources/fixtures/eval/eer_sklearn.json  (Debian python3-sklearn)
"""
import json
import sys

import numpy as np
from sklearn.metrics import roc_curve


def metrics(scores, labels, drop=False):
    fpr, tpr, thresholds = roc_curve(labels, scores, pos_label=1, drop_intermediate=drop)
    fnr = 1 - tpr
    i = np.nanargmin(np.abs(fnr - fpr))
    eer = max(fpr[i], fnr[i])
    out = {"eer": float(eer), "threshold": float(thresholds[i])}
    for p in (0.05, 0.01):
        dcf = (fnr * p + fpr * (1 - p)) / min(p, 1 - p)
        out["min_dcf_%s" % str(p).replace(".", "")] = float(np.min(dcf))
    return out


def main():
    rng = np.random.default_rng(20261125)
    cases = []
    for n_t, n_n, sep, rounding in ((50, 150, 1.0, None), (400, 400, 2.0, None), (37, 465, 1.5, 2), (1000, 3000, 0.5, 3)):
        s = np.concatenate([rng.normal(sep, 1, n_t), rng.normal(0, 1, n_n)])
        if rounding is not None:
            s = np.round(s, rounding)  # ties, as real score files have
        l = np.concatenate([np.ones(n_t, int), np.zeros(n_n, int)])
        perm = rng.permutation(len(s))
        s, l = s[perm], l[perm]
        cases.append({"scores": [float(x) for x in s], "labels": [int(x) for x in l], **metrics(s, l),
                      "eer_voxceleb_trainer": metrics(s, l, drop=True)["eer"]})
    with open(sys.argv[1], "w") as f:
        json.dump({"generator": "tools/gen_eer_fixtures.py", "cases": cases}, f)


if __name__ == "__main__":
    main()
