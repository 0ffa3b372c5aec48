#!/usr/bin/env python3
"""Helpers for bench/controlplane-api.sh (seeding, wire pre-flight checks, report).

Subcommands:
  freeport                          print a free TCP port on 127.0.0.1
  wait URL TIMEOUT_S                wait until URL answers a SageMaker request (any HTTP status)
  seed URL N                        create training jobs bench-job-000..N-1 with boto3 (idempotent)
  preflight URL                     send each benchmarked request once over the raw wire, check answers
  report RESULTS_TSV META_JSON OUT  render the Markdown report (stdout + OUT)
"""
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request

AUTH = ("AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sagemaker/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
ROLE = "arn:aws:iam::123456789012:role/bench"
IMAGE = "123.dkr.ecr.us-east-1.amazonaws.com/x:1"
JOB_PREFIX = "bench-job-"


def wire(url, op, body, timeout=10):
    """POST one AWS JSON 1.1 request exactly as the wrk script sends it; return (status, parsed body)."""
    req = urllib.request.Request(
        url.rstrip("/") + "/", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/x-amz-json-1.1",
                 "X-Amz-Target": "SageMaker." + op,
                 "X-Amz-Date": "20250101T000000Z",
                 "Authorization": AUTH})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw or b"{}")
    except ValueError:
        return status, {"_raw": raw[:300].decode("utf-8", "replace")}


def cmd_freeport():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def cmd_wait(url, timeout_s):
    deadline = time.time() + float(timeout_s)
    last = None
    while time.time() < deadline:
        try:
            status, _ = wire(url, "ListTrainingJobs", {"MaxResults": 1}, timeout=5)
            print(f"ready ({url} answered HTTP {status})")
            return 0
        except (OSError, urllib.error.URLError) as e:  # not listening yet
            last = e
        time.sleep(0.5)
    print(f"timeout waiting for {url}: {last}", file=sys.stderr)
    return 1


def cmd_seed(url, n):
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
    c = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1",
                     aws_access_key_id="test", aws_secret_access_key="test",
                     config=Config(retries={"max_attempts": 2, "mode": "standard"}))
    created = existing = 0
    t0 = time.time()
    for i in range(int(n)):
        try:
            c.create_training_job(
                TrainingJobName=f"{JOB_PREFIX}{i:03d}",
                RoleArn=ROLE,
                AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
                OutputDataConfig={"S3OutputPath": "s3://bench/out"},
                ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
                StoppingCondition={"MaxRuntimeInSeconds": 3600})
            created += 1
        except ClientError as e:  # rerun against a long-lived service: job already there
            code = e.response.get("Error", {}).get("Code")
            if code == "ResourceInUse" or (code == "ValidationException" and "exist" in str(e).lower()):
                existing += 1
            else:
                raise
    # check through boto3 as well, so a broken seeding is caught before any load
    d = c.describe_training_job(TrainingJobName=f"{JOB_PREFIX}000")
    assert d["TrainingJobName"] == f"{JOB_PREFIX}000", d
    listed = c.list_training_jobs(MaxResults=100)["TrainingJobSummaries"]
    print(f"seeded {url}: {created} created, {existing} already present in {time.time() - t0:.1f}s; "
          f"list(MaxResults=100) returned {len(listed)}")
    if len(listed) != 100:
        print(f"ERROR: expected 100 training jobs in ListTrainingJobs, got {len(listed)}", file=sys.stderr)
        return 1
    return 0


def cmd_preflight(url):
    ok = True
    checks = [
        ("DescribeTrainingJob", {"TrainingJobName": f"{JOB_PREFIX}000"},
         lambda b: b.get("TrainingJobName") == f"{JOB_PREFIX}000"),
        ("ListTrainingJobs", {"MaxResults": 100},
         lambda b: len(b.get("TrainingJobSummaries", [])) == 100),
        ("CreateModel", {"ModelName": f"bm-preflight-{os.getpid()}-{int(time.time())}",
                         "PrimaryContainer": {"Image": IMAGE}, "ExecutionRoleArn": ROLE},
         lambda b: str(b.get("ModelArn", "")).startswith("arn:")),
    ]
    for op, body, good in checks:
        status, resp = wire(url, op, body)
        passed = status == 200 and good(resp)
        ok &= passed
        print(f"  preflight {op:20s} HTTP {status} {'ok' if passed else 'FAILED: ' + json.dumps(resp)[:300]}")
    return 0 if ok else 1


def fmt_rate(r):
    return f"{r:,.0f}"


def cmd_report(tsv, meta_json, out):
    meta = json.load(open(meta_json))
    rows = {}
    order = []
    for line in open(tsv):
        f = line.rstrip("\n").split("\t")
        if len(f) < 9 or f[0] == "op":
            continue
        op, conns, target, rps, reqs, errs, p50, p99, sample = f[:9]
        key = (op, int(conns))
        if key not in rows:
            rows[key] = {}
            order.append(key)
        rows[key][target] = dict(rps=float(rps), reqs=int(reqs), errs=int(errs),
                                 p50=float(p50), p99=float(p99), sample=sample)

    L = []
    L.append(f"# ControlPlane vs moto_server: SageMaker API throughput ({meta['date']})")
    L.append("")
    L.append(f"- ours: {meta['ours_label']}")
    L.append(f"- moto: {meta['moto_label']}")
    L.append(f"- load: wrk ({meta['wrk_version']}), {meta['duration']}s per row after {meta['warmup']}s warm-up, "
             f"keep-alive connections; 1 client = `-t1 -c1`, 16 clients = `-t{meta['threads16']} -c16`")
    L.append(f"- machine: {meta['machine']}; wrk and both servers share it")
    L.append(f"- data: {meta['jobs']} training jobs seeded with boto3; ListTrainingJobs asks MaxResults=100; "
             f"CreateModel uses a new ModelName per request")
    L.append("")
    if meta.get("self_test"):
        L.append("**Harness self-test: 'ours' is a second moto_server, not ControlPlane; ratios are meaningless.**")
        L.append("")
    L.append("| Operation | Clients | ours req/s | moto req/s | ratio (ours/moto) | errors (ours / moto) |")
    L.append("|---|---:|---:|---:|---:|---|")
    flagged = []
    for key in order:
        op, c = key
        o, m = rows[key].get("ours"), rows[key].get("moto")

        def cell(x):
            if x is None:
                return "—"
            return fmt_rate(x["rps"]) + (" ⚠" if x["errs"] else "")

        if o and m and not o["errs"] and not m["errs"] and m["rps"] > 0:
            ratio = f"{o['rps'] / m['rps']:.1f}×"
        else:
            ratio = "n/a (errors)" if (o and o["errs"]) or (m and m["errs"]) else "—"
        eo = str(o["errs"]) if o else "—"
        em = str(m["errs"]) if m else "—"
        L.append(f"| {op} | {c} | {cell(o)} | {cell(m)} | {ratio} | {eo} / {em} |")
        for tname, x in (("ours", o), ("moto", m)):
            if x and x["errs"]:
                flagged.append(f"{op} c={c} {tname}: {x['errs']} errors of {x['reqs']} responses; first: {x['sample']}")
    L.append("")
    L.append("Details: responses counted, and latency in ms (p50 / p99):")
    L.append("")
    L.append("| Operation | Clients | ours responses | moto responses | ours latency | moto latency |")
    L.append("|---|---:|---:|---:|---:|---:|")
    for key in order:
        o, m = rows[key].get("ours"), rows[key].get("moto")
        n = lambda x: f"{x['reqs']:,}" if x else "—"
        f = lambda x: f"{x['p50']:.2f} / {x['p99']:.2f}" if x else "—"
        L.append(f"| {key[0]} | {key[1]} | {n(o)} | {n(m)} | {f(o)} | {f(m)} |")
    L.append("")
    L.append("Memory (VmRSS from /proc/<pid>/status):")
    L.append("")
    for line in meta["memory"]:
        L.append(f"- {line}")
    L.append("")
    L.append("Targets (ours ≥ 20× moto on every row; ours ≥ 5,000 DescribeTrainingJob/s):")
    L.append("")
    if meta.get("self_test"):
        L.append("- not evaluated: **harness self-test, 'ours' is a second moto_server, not ControlPlane**")
    for key in ([] if meta.get("self_test") else order):
        o, m = rows[key].get("ours"), rows[key].get("moto")
        if not (o and m):
            continue
        clean = not o["errs"] and not m["errs"]
        r = o["rps"] / m["rps"] if m["rps"] else 0
        verdict = ("PASS" if r >= 20 else "FAIL") if clean else "NOT MEASURED (errors)"
        L.append(f"- ≥ 20× moto, {key[0]} c={key[1]}: {r:.1f}× → {verdict}")
    for key in order:
        o = rows[key].get("ours")
        if key[0] == "DescribeTrainingJob" and o and not meta.get("self_test"):
            verdict = ("PASS" if o["rps"] >= 5000 else "FAIL") if not o["errs"] else "NOT MEASURED (errors)"
            L.append(f"- ≥ 5,000 DescribeTrainingJob/s, c={key[1]}: {fmt_rate(o['rps'])}/s → {verdict}")
    L.append("")
    if flagged:
        L.append("**ERRORS — the rates marked ⚠ are not clean measurements:**")
        L.append("")
        for fl in flagged:
            L.append(f"- {fl}")
    else:
        L.append("All responses were HTTP 200 with the expected body field.")
    text = "\n".join(L) + "\n"
    sys.stdout.write(text)
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as fh:
        fh.write(text)
    return 3 if flagged else 0


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    cmd, args = argv[0], argv[1:]
    fn = {"freeport": cmd_freeport, "wait": cmd_wait, "seed": cmd_seed,
          "preflight": cmd_preflight, "report": cmd_report}.get(cmd)
    if fn is None:
        print(__doc__)
        return 2
    return fn(*args) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
