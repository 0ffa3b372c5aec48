#!/usr/bin/env python3
"""Batch transform benchmark (issue 6): a ROWS-row CSV through a built-in XGBoost model, end to end through the
service's transform jobs (MaxConcurrentTransforms 1 and 2) side by side with scoring the same rows with the same model
inside one process (`ControlPlane.Algorithms score`). Target: transform rows/s >= 0.5x in-process.

Run through bench/transform.sh (it builds first). Everything started here is stopped again; the scratch directory is
removed. Environment: ROWS (default 1000000), FEATURES (28), RUNTIME (docker|process, default process),
RESULTS_FILE (default bench/results/transform-<date>.md)."""
import datetime
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

import math
import random

import boto3
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "src", "ControlPlane.Api", "bin", "Release", "net10.0")
ROWS = int(os.environ.get("ROWS", "1000000"))
FEATURES = int(os.environ.get("FEATURES", "28"))
RUNTIME = os.environ.get("RUNTIME", "process")
RESULTS = os.environ.get("RESULTS_FILE", os.path.join(ROOT, "bench", "results", f"transform-{datetime.date.today()}.md"))
IMAGE = "sagemaker-xgboost:1.7-1"


def log(message):
    print(f"[transform-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_csv(path, rows, seed, labelled):
    rng = random.Random(seed)
    weights = [-1 + 2 * i / (FEATURES - 1) for i in range(FEATURES)]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for _ in range(rows):
            x = [rng.uniform(-1, 1) for _ in range(FEATURES)]
            row = ",".join(f"{v:.4g}" for v in x)
            if labelled:
                p = 1 / (1 + math.exp(-3 * sum(w * v for w, v in zip(weights, x))))
                row = f"{1 if rng.random() < p else 0},{row}"
            f.write(row + "\n")


def wait(describe, name_key, name, status_key, timeout=3600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = describe(**{name_key: name})
        if job[status_key] in ("Completed", "Failed", "Stopped"):
            return job
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not end in time")


def main():
    work = tempfile.mkdtemp(prefix="controlplane-transform-bench-")
    data = os.path.join(work, "data")
    store = os.path.join(data, "s3", "bucket")
    port = free_port()
    service = None
    try:
        log(f"generating {ROWS} x {FEATURES} rows")
        write_csv(os.path.join(store, "train", "train.csv"), 100_000, 1, labelled=True)
        write_csv(os.path.join(store, "score", "rows.csv"), ROWS, 2, labelled=False)
        size_mb = os.path.getsize(os.path.join(store, "score", "rows.csv")) / 2**20

        log(f"starting the service ({RUNTIME} runtime) on 127.0.0.1:{port}")
        service = subprocess.Popen(
            ["dotnet", os.path.join(BIN, "ControlPlane.Api.dll"), "--urls", f"http://127.0.0.1:{port}",
             "--ControlPlane:DataDirectory", data, "--ControlPlane:Containers:Runtime", RUNTIME,
             "--Logging:LogLevel:Default", "Warning"],
            stdout=open(os.path.join(work, "service.log"), "w"), stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        sm = boto3.client("sagemaker", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                          aws_access_key_id="bench", aws_secret_access_key="bench", config=Config(retries={"max_attempts": 1}))
        role = "arn:aws:iam::123456789012:role/Bench"

        log("training the model (50 rounds, depth 6)")
        sm.create_training_job(
            TrainingJobName="bench-model", RoleArn=role,
            AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            HyperParameters={"num_round": "50", "max_depth": "6", "eta": "0.2", "objective": "binary:logistic"},
            InputDataConfig=[{"ChannelName": "train", "ContentType": "text/csv",
                              "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bucket/train/"}}}],
            OutputDataConfig={"S3OutputPath": "s3://bucket/models/"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
            StoppingCondition={"MaxRuntimeInSeconds": 3600})
        job = wait(sm.describe_training_job, "TrainingJobName", "bench-model", "TrainingJobStatus")
        if job["TrainingJobStatus"] != "Completed":
            raise RuntimeError(f"training failed: {job.get('FailureReason')}")
        artifact = job["ModelArtifacts"]["S3ModelArtifacts"]
        sm.create_model(ModelName="bench-model", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE, "ModelDataUrl": artifact})

        results = []
        for concurrency in (1, 2):
            name = f"bench-mct{concurrency}"
            started = time.time()
            sm.create_transform_job(
                TransformJobName=name, ModelName="bench-model", MaxConcurrentTransforms=concurrency, MaxPayloadInMB=6,
                BatchStrategy="MultiRecord",
                TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bucket/score/"}},
                                "ContentType": "text/csv", "SplitType": "Line"},
                TransformOutput={"S3OutputPath": f"s3://bucket/{name}/", "Accept": "text/csv", "AssembleWith": "Line"},
                TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1})
            job = wait(sm.describe_transform_job, "TransformJobName", name, "TransformJobStatus")
            wall = time.time() - started
            if job["TransformJobStatus"] != "Completed":
                raise RuntimeError(f"{name} failed: {job.get('FailureReason')}")
            inside = (job["TransformEndTime"] - job["TransformStartTime"]).total_seconds()
            results.append((f"transform job, MaxConcurrentTransforms {concurrency}", wall, inside,
                            os.path.join(store, name, "rows.csv.out")))
            log(f"{name}: {wall:.1f} s from create to Completed ({ROWS / wall:,.0f} rows/s)")

        model_dir = os.path.join(work, "model")
        with tarfile.open(os.path.join(data, "s3", artifact[len("s3://"):])) as tar:
            tar.extractall(model_dir, filter="data")
        in_process_out = os.path.join(work, "in-process.out")
        started = time.time()
        printed = subprocess.run(["dotnet", os.path.join(BIN, "ControlPlane.Algorithms.dll"), "score", model_dir,
                                  os.path.join(store, "score", "rows.csv"), in_process_out, "text/csv", "text/csv"],
                                 check=True, capture_output=True, text=True).stdout
        wall = time.time() - started
        inside = float(re.search(r"in ([0-9.]+) s", printed).group(1))
        log(f"in-process: {printed.strip()} ({wall:.1f} s with process start)")

        digest = lambda path: hashlib.sha256(open(path, "rb").read()).hexdigest()
        reference = digest(in_process_out)
        lines = [f"# Batch transform benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}",
                 "", f"{ROWS:,} rows x {FEATURES} float features ({size_mb:.0f} MiB CSV), built-in XGBoost (50 rounds, depth 6), "
                 f"{RUNTIME} runtime, MultiRecord 6 MB payloads, {os.cpu_count()} cores.", "",
                 "| path | wall s (incl. start-up) | scoring s | rows/s (wall) | vs in-process (wall) | output identical |",
                 "|---|---:|---:|---:|---:|---|",
                 f"| in-process `score` | {wall:.2f} | {inside:.2f} | {ROWS / wall:,.0f} | 1.00x | reference |"]
        for label, job_wall, job_inside, out in results:
            lines.append(f"| {label} | {job_wall:.2f} | {job_inside:.2f} | {ROWS / job_wall:,.0f} | {wall / job_wall:.2f}x | "
                         f"{'yes' if digest(out) == reference else 'NO'} |")
        lines += ["", "Target: transform rows/s >= 0.5x in-process. Wall time of a transform job runs from CreateTransformJob to "
                  "Completed (model container start, /ping, splitting, HTTP, upload); scoring s is TransformStartTime to "
                  "TransformEndTime for jobs and the scoring loop alone for `score`."]
        report = "\n".join(lines) + "\n"
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        with open(RESULTS, "w") as f:
            f.write(report)
        print(report)
        return 0 if all(digest(r[3]) == reference for r in results) else 3
    finally:
        if service is not None:
            os.killpg(service.pid, 15)
            try:
                service.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(service.pid, 9)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
