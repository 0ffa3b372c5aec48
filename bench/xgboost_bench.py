#!/usr/bin/python3
"""XGBoost benchmark helper (bench/xgboost.sh): data generation, the real XGBoost run, scoring our model over HTTP.

Subcommands:
  generate DIR ROWS VALIDATION_ROWS FEATURES SEED   CSV (label first, no header) into DIR/train, DIR/validation
  xgboost DIR ROUNDS DEPTH ETA THREADS              Debian python3-xgboost (tree_method=hist) on the same data
  score-ours URL DIR                                 POST DIR/validation to our `serve`, print the validation AUC
Every subcommand prints one JSON line.
"""
import json
import os
import sys
import time
import urllib.request

import numpy as np


def make(rows, features, rng):
    x = rng.standard_normal((rows, features), dtype=np.float32)
    # A non-linear boundary with interactions and noise, so depth and rounds matter (Bayes AUC well below 1).
    logit = (1.2 * x[:, 0] - 0.8 * x[:, 1] + x[:, 2] * x[:, 3] + 1.5 * np.sin(2 * x[:, 4])
             + 0.4 * x[:, 5] ** 2 - 0.4 + 0.6 * np.abs(x[:, 6]) * x[:, 7] - 0.5 * (x[:, 8] > 0.5))
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return x, y


def load(path, features):
    data = np.loadtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
    return data[:, 1:], data[:, 0]


def auc(labels, scores):
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=np.float64)
    sorted_scores = scores[order]
    # Average ranks over ties.
    unique, start, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    rank_of_group = start + (counts + 1) / 2.0
    ranks[order] = np.repeat(rank_of_group, counts)
    positives = labels.sum()
    negatives = len(labels) - positives
    return float((ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def generate(directory, rows, validation_rows, features, seed):
    rng = np.random.default_rng(seed)
    for name, count in (("train", rows), ("validation", validation_rows)):
        x, y = make(count, features, rng)
        os.makedirs(os.path.join(directory, name), exist_ok=True)
        np.save(os.path.join(directory, f"{name}-x.npy"), x)
        np.save(os.path.join(directory, f"{name}-y.npy"), y)
        with open(os.path.join(directory, name, "data.csv"), "w") as out:
            np.savetxt(out, np.column_stack([y, x]), fmt="%.6g", delimiter=",")
    print(json.dumps({"rows": rows, "validation_rows": validation_rows, "features": features}))


def run_xgboost(directory, rounds, depth, eta, threads):
    import xgboost as xgb
    x, y = np.load(os.path.join(directory, "train-x.npy")), np.load(os.path.join(directory, "train-y.npy"))
    vx, vy = np.load(os.path.join(directory, "validation-x.npy")), np.load(os.path.join(directory, "validation-y.npy"))
    dtrain, dvalid = xgb.DMatrix(x, label=y, nthread=threads), xgb.DMatrix(vx, label=vy, nthread=threads)
    params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": depth, "eta": eta,
              "nthread": threads, "eval_metric": "auc", "verbosity": 0}
    # Like SageMaker's XGBoost, evaluate train and validation every round.
    start = time.perf_counter()
    booster = xgb.train(params, dtrain, num_boost_round=rounds, evals=[(dtrain, "train"), (dvalid, "validation")], verbose_eval=False)
    seconds = time.perf_counter() - start
    print(json.dumps({"xgboost": xgb.__version__, "train_seconds": seconds, "validation_auc": auc(vy, booster.predict(dvalid))}))


def score_ours(url, directory):
    vx, vy = np.load(os.path.join(directory, "validation-x.npy")), np.load(os.path.join(directory, "validation-y.npy"))
    scores = []
    batch = 10000  # about 2.5 MB of CSV: within the 6 MB payload limit
    for begin in range(0, len(vx), batch):
        body = "\n".join(",".join(f"{v:.6g}" for v in row) for row in vx[begin:begin + batch]).encode()
        request = urllib.request.Request(url + "/invocations", data=body, headers={"Content-Type": "text/csv", "Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=120) as response:
            scores.extend(float(line) for line in response.read().decode().split())
    print(json.dumps({"validation_auc": auc(vy, np.array(scores))}))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "generate":
        generate(args[0], int(args[1]), int(args[2]), int(args[3]), int(args[4]))
    elif command == "xgboost":
        run_xgboost(args[0], int(args[1]), int(args[2]), float(args[3]), int(args[4]))
    elif command == "score-ours":
        score_ours(args[0], args[1])
    else:
        sys.exit(__doc__)
