#!/usr/bin/env python3
"""Helpers for bench/execution.sh: container start latency and channel staging throughput of training jobs.

Subcommands (results are JSON files the report reads):
  freeport                                  print a free TCP port on 127.0.0.1
  wait URL TIMEOUT_S                        wait until URL answers a SageMaker request
  seed-local STORE_DIR BUCKET PREFIX MB PARTS   write PARTS files, MB MiB in all, to <STORE_DIR>/<BUCKET>/<PREFIX>
  seed-s3 S3_URL BUCKET PREFIX MB PARTS     put the same objects into an S3 endpoint (moto) with boto3
  latency URL LABEL RUNTIME BASELINE IMAGE N TAG OUT [JOB_JSON]
                                            N sequential training jobs: request sent -> program's STARTED line;
                                            JOB_JSON is merged into each CreateTrainingJob request (e.g. an
                                            AlgorithmSpecification.ContainerEntrypoint); BASELINE names the baseline
                                            the report subtracts
  baseline-host KEY N OUT PROGRAM...        PROGRAM started N times from here: spawn -> STARTED
  baseline-docker IMAGE N OUT               the image started N times with `docker run` and with the Engine API, with
                                            python and with /bin/sh as the program, on the default bridge network
                                            (what a job's container gets) and with networking disabled
  stage URL LABEL IMAGE S3URI RUNS TAG BYTES DATA_DIR OUT   staging time of a channel from DescribeTrainingJob
  report META_JSON OUT RESULT_JSON...       Markdown report on stdout and in OUT; exit 3 if anything failed
"""
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sagemaker_bench import cmd_freeport, cmd_wait, wire  # noqa: E402  (same wire format and readiness check)

ROLE = "arn:aws:iam::123456789012:role/bench"
STARTED = re.compile(rb"STARTED (\d+\.\d+)")
TERMINAL = ("Completed", "Failed", "Stopped")


# ---------------------------------------------------------------------------------------------------- seeding
def _blocks(total_mb, parts):
    total = int(total_mb) * 1024 * 1024
    parts = int(parts)
    size = total // parts
    block = os.urandom(size)  # one random block per part; nothing in the path deduplicates or compresses
    return [(f"part-{i:03d}.bin", block if i < parts - 1 else os.urandom(total - size * (parts - 1)))
            for i in range(parts)]


def cmd_seed_local(store, bucket, prefix, mb, parts):
    t0 = time.time()
    d = os.path.join(store, bucket, prefix)
    os.makedirs(d, exist_ok=True)
    n = 0
    for name, data in _blocks(mb, parts):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # on disk before staging starts, so staging does not compete with this write-back
        n += len(data)
    print(f"local store: wrote {n} bytes in {parts} files under {d} in {time.time() - t0:.1f}s")


def _s3(url):
    import boto3
    from botocore.config import Config
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))


def cmd_seed_s3(url, bucket, prefix, mb, parts):
    t0 = time.time()
    s3 = _s3(url)
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    n = 0
    for name, data in _blocks(mb, parts):
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{name}", Body=data)
        n += len(data)
    listed = sum(o["Size"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/")
                 for o in p.get("Contents", []))
    if listed != n:
        print(f"ERROR: moto lists {listed} bytes under {prefix}/, expected {n}", file=sys.stderr)
        return 1
    print(f"moto S3: put {n} bytes in {parts} objects under s3://{bucket}/{prefix}/ in {time.time() - t0:.1f}s")
    return 0


# ---------------------------------------------------------------------------------------------------- jobs
def _merge(base, extra):
    for k, v in extra.items():
        base[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return base


def _job(name, image, s3uri, extra=None):
    return _merge({
        "TrainingJobName": name, "RoleArn": ROLE,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": s3uri, "S3DataDistributionType": "FullyReplicated"}}}],
        "OutputDataConfig": {"S3OutputPath": "s3://bench/out/"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }, extra or {})


def _run_job(url, name, image, s3uri, timeout=300, poll=0.1, extra=None):
    """Create one job, wait for its end; return (t_sent, create_rtt_s, final description)."""
    body = _job(name, image, s3uri, extra)
    t_sent = time.time()
    status, resp = wire(url, "CreateTrainingJob", body, timeout=30)
    rtt = time.time() - t_sent
    if status != 200 or "TrainingJobArn" not in resp:
        raise RuntimeError(f"CreateTrainingJob {name}: HTTP {status} {json.dumps(resp)[:300]}")
    deadline = time.time() + timeout
    while True:
        time.sleep(poll)
        status, d = wire(url, "DescribeTrainingJob", {"TrainingJobName": name}, timeout=30)
        if status == 200 and d.get("TrainingJobStatus") in TERMINAL:
            return t_sent, rtt, d
        if time.time() > deadline:
            raise RuntimeError(f"{name} did not end within {timeout}s: {json.dumps(d)[:400]}")


def _transitions(d):
    return {t["Status"]: t for t in d.get("SecondaryStatusTransitions", [])}


def _logs(url, name):
    with urllib.request.urlopen(f"{url.rstrip('/')}/api/training-jobs/{name}/logs", timeout=30) as r:
        return r.read()


def cmd_latency(url, label, runtime, baseline, image, n, tag, out, job_json="{}"):
    rows, errors = [], []
    tiny = "s3://bench/tiny/"
    extra = json.loads(job_json)
    # One unmeasured warm-up job: JIT, first pull, connection set-up.
    try:
        _run_job(url, f"bx-{tag}-warm", image, tiny, extra=extra)
    except RuntimeError as e:
        errors.append(f"warm-up: {e}")
    for i in range(int(n)):
        name = f"bx-{tag}-{i:03d}"
        # GAP: idle seconds before each job, so that what the service does in the background after a job (the network
        # sandbox pool's refill, the removal of the job's containers) is done before the next one, as between jobs
        # that do not come back to back.
        time.sleep(float(os.environ.get("GAP", "0")))
        try:
            t_sent, rtt, d = _run_job(url, name, image, tiny, extra=extra)
            log = _logs(url, name)
            m = STARTED.search(log)
            if d["TrainingJobStatus"] != "Completed" or not m:
                errors.append(f"{name}: {d['TrainingJobStatus']} {d.get('FailureReason', '')[:200]} log={log[:200]!r}")
                continue
            started = float(m.group(1))
            tr = _transitions(d)
            rows.append({
                "name": name, "total": started - t_sent, "rtt": rtt,
                "to_creation": d["CreationTime"] - t_sent,
                "queue": tr["Starting"]["StartTime"] - d["CreationTime"],
                "prepare": tr["Training"]["StartTime"] - tr["Starting"]["StartTime"],
                "stage": tr["Downloading"]["EndTime"] - tr["Downloading"]["StartTime"],
                "launch": started - tr["Training"]["StartTime"],
            })
            print(f"  {label} {name}: request -> STARTED {1000 * (started - t_sent):.1f} ms "
                  f"(queue {1000 * rows[-1]['queue']:.0f}, prepare {1000 * rows[-1]['prepare']:.0f}, "
                  f"Training write vs program start {1000 * rows[-1]['launch']:.0f})", file=sys.stderr)
        except (RuntimeError, OSError, KeyError) as e:
            errors.append(f"{name}: {type(e).__name__}: {e}")
    json.dump({"kind": "latency", "label": label, "runtime": runtime, "baseline": baseline, "image": image, "n": int(n),
               "rows": rows, "errors": errors}, open(out, "w"))
    return 0 if not errors else 3


def cmd_baseline_host(key, n, out, *program):
    vals = []
    for _ in range(int(n)):
        t0 = time.time()
        p = subprocess.run([*program, "train"], capture_output=True, check=True)
        vals.append(float(STARTED.search(p.stdout).group(1)) - t0)
    shown = " ".join(os.path.basename(a) if i else a for i, a in enumerate(program))
    json.dump({"kind": "baseline", "label": f"host: {shown} (subprocess spawn -> STARTED)", "key": key, "values": vals},
              open(out, "w"))
    print(f"  host {shown}: median {1000 * statistics.median(vals):.1f} ms", file=sys.stderr)


class _UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=60)
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self._path)


def _engine(method, path, body=None):
    c = _UnixHTTP("/var/run/docker.sock")
    c.request(method, path, body=None if body is None else json.dumps(body),
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status >= 300:
        raise RuntimeError(f"docker {method} {path}: {r.status} {data[:200]!r}")
    return json.loads(data) if data and data[:1] in b"{[" else data


SH_TRAINER = ["/bin/sh", "/opt/program/bench_trainer.sh"]
SANDBOX = "sandbox"
# (key, label, Entrypoint, container config): what the service asks the engine for, through Docker.DotNet. SANDBOX in
# place of a network mode: the container joins a holder's network (started before the clock starts, hostname algo-1,
# on the default bridge), as a single-instance job joins a network sandbox of the service's pool.
ENGINE_BASELINES = [
    ("docker-sh-sandbox", "/bin/sh program, joined to a running holder's network (a single-instance job's container in "
     "a network sandbox)", SH_TRAINER, {"HostConfig": {"NetworkMode": SANDBOX}}),
    ("docker-sh-bridge", "/bin/sh program, default bridge network (a job's container without a sandbox)", SH_TRAINER, {}),
    ("docker-sh-disabled", "/bin/sh program, networking disabled (an isolated job's container)", SH_TRAINER,
     {"NetworkDisabled": True, "HostConfig": {"NetworkMode": "none"}}),
    ("docker-sh-none", "/bin/sh program, network mode none", SH_TRAINER, {"HostConfig": {"NetworkMode": "none"}}),
    ("docker-python-sandbox", "python3 program, joined to a running holder's network", None,
     {"HostConfig": {"NetworkMode": SANDBOX}}),
    ("docker-python-bridge", "python3 program, default bridge network", None, {}),
]


def cmd_baseline_docker(image, n, out):
    cli, api = [], {key: [] for key, *_ in ENGINE_BASELINES}
    for _ in range(int(n)):
        t0 = time.time()
        p = subprocess.run(["docker", "run", "--rm", "--network", "none", "--entrypoint", SH_TRAINER[0], image,
                            *SH_TRAINER[1:]], capture_output=True, check=True)
        cli.append(float(STARTED.search(p.stdout).group(1)) - t0)
    for i in range(int(n)):
        for key, _, entrypoint, config in ENGINE_BASELINES:
            holder = None
            if config.get("HostConfig", {}).get("NetworkMode") == SANDBOX:
                holder = _engine("POST", f"/containers/create?name=bx-baseline-{os.getpid()}-{key}-{i}-holder", {
                    "Image": image, "Entrypoint": ["sleep", "infinity"], "Cmd": None, "Hostname": "algo-1",
                    "Labels": {"controlplane.bench": "baseline"}})["Id"]
                _engine("POST", f"/containers/{holder}/start")
                config = {**config, "HostConfig": {**config["HostConfig"], "NetworkMode": f"container:{holder}"}}
            # Without the docker CLI: create, start; then wait, logs, remove.
            t0 = time.time()
            body = {"Image": image, "Cmd": ["train"], "Labels": {"controlplane.bench": "baseline"}, **config}
            if entrypoint:
                body.update(Entrypoint=entrypoint, Cmd=None)
            cid = _engine("POST", f"/containers/create?name=bx-baseline-{os.getpid()}-{key}-{i}", body)["Id"]
            try:
                _engine("POST", f"/containers/{cid}/start")
                _engine("POST", f"/containers/{cid}/wait")
                api[key].append(float(STARTED.search(_engine("GET", f"/containers/{cid}/logs?stdout=1")).group(1)) - t0)
            finally:
                _engine("DELETE", f"/containers/{cid}?force=1")
                if holder:
                    _engine("DELETE", f"/containers/{holder}?force=1")
    results = [{"kind": "baseline", "label": "`docker run --rm --network none` of the image, /bin/sh program "
                "(CLI spawn -> STARTED)", "key": "docker-cli-sh", "values": cli}]
    results += [{"kind": "baseline", "label": f"Docker Engine API create + start: {label} (-> STARTED)", "key": key,
                 "values": api[key]} for key, label, *_ in ENGINE_BASELINES]
    json.dump(results, open(out, "w"))
    for r in results:
        print(f"  {r['key']}: median {1000 * statistics.median(r['values']):.1f} ms", file=sys.stderr)


def cmd_stage(url, label, image, s3uri, runs, tag, nbytes, data_dir, out):
    rows, errors = [], []
    for i in range(int(runs)):
        name = f"bx-{tag}-{i:02d}"
        try:
            _, _, d = _run_job(url, name, image, s3uri, timeout=900, poll=0.25)
            if d["TrainingJobStatus"] != "Completed":
                errors.append(f"{name}: {d['TrainingJobStatus']} {d.get('FailureReason', '')[:300]}")
                continue
            dl = _transitions(d)["Downloading"]
            secs = dl["EndTime"] - dl["StartTime"]
            # The staged channel must hold all the bytes (workspace: <data>/jobs/<account>/training-jobs/<name>/algo-1).
            staged = 0
            for root, _, files in os.walk(os.path.join(data_dir, "jobs")):
                if f"/training-jobs/{name}/algo-1/opt/ml/input/data/train" in root:
                    staged += sum(os.path.getsize(os.path.join(root, f)) for f in files)
            if staged != int(nbytes):
                errors.append(f"{name}: staged {staged} bytes, expected {nbytes}")
            rows.append({"name": name, "seconds": secs, "bytes": int(nbytes), "staged": staged})
            print(f"  {label} {name}: {int(nbytes) / 1e6 / secs:.0f} MB/s ({secs:.2f} s)", file=sys.stderr)
            subprocess.run(["sh", "-c", f'rm -rf "{data_dir}"/jobs/*/training-jobs/"{name}"/algo-1/opt/ml/input/data'], check=False)
        except (RuntimeError, OSError, KeyError) as e:
            errors.append(f"{name}: {type(e).__name__}: {e}")
    json.dump({"kind": "stage", "label": label, "uri": s3uri, "rows": rows, "errors": errors}, open(out, "w"))
    return 0 if not errors else 3


# ---------------------------------------------------------------------------------------------------- report
def _pct(vals, p):
    s = sorted(vals)
    return s[max(0, min(len(s) - 1, -(-len(s) * p // 100) - 1))]  # nearest rank


def _ms(x):
    return f"{1000 * x:.1f}"


def cmd_report(meta_json, out, *files):
    meta = json.load(open(meta_json))
    results = []
    for f in files:
        if os.path.exists(f):
            r = json.load(open(f))
            results.extend(r if isinstance(r, list) else [r])
    lat = [r for r in results if r["kind"] == "latency"]
    base = {r["key"]: r for r in results if r["kind"] == "baseline"}
    stage = [r for r in results if r["kind"] == "stage"]
    targets = {"docker": 0.250, "process": 0.050}
    failed = any(r.get("errors") for r in results)

    L = [f"# Training execution: container start latency and channel staging ({meta['date']})", ""]
    L += [f"- service: {meta['service']}", f"- machine: {meta['machine']}", f"- {meta['notes']}", ""]
    L += ["## CreateTrainingJob → training program running", "",
          "Latency = the program's first action (`STARTED <time>`) − the moment the client sent CreateTrainingJob "
          "(same host clock). The sh rows are the container-running measure: bench/exec-trainer/bench_trainer.sh, "
          "whose first instruction prints `date +%s.%N` (no interpreter start-up; the sh host baseline below is what "
          "dash + date cost). The python rows run bench_trainer.py, whose first action is `time.time()` after python's "
          f"start-up. Jobs run one at a time, {os.environ.get('GAP', '0')} s apart (GAP: idle time before each, for "
          "what the service does after a job in the background, e.g. refilling its network sandbox pool), each with a "
          "1-object channel, after one unmeasured warm-up job.", "",
          "| runtime / program | jobs | median ms | p90 ms | min ms | max ms | target (median) | verdict |",
          "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in lat:
        v = [x["total"] for x in r["rows"]]
        t = targets[r["runtime"]]
        if not v:
            L.append(f"| {r['label']} | 0 | — | — | — | — | ≤ {1000 * t:.0f} | NOT MEASURED |")
            continue
        med = statistics.median(v)
        verdict = "NOT MEASURED (errors)" if r["errors"] else ("PASS" if med <= t else "FAIL")
        L.append(f"| {r['label']} | {len(v)} | {_ms(med)} | {_ms(_pct(v, 90))} | {_ms(min(v))} | {_ms(max(v))} "
                 f"| ≤ {1000 * t:.0f} | {verdict} |")
    L += ["", "Where the time goes (medians, ms). Service timestamps (CreationTime, SecondaryStatusTransitions) "
          "have 1 ms resolution.", "",
          "| runtime / program | Create RTT | sent → CreationTime | CreationTime → Starting (queue pick-up) "
          "| Starting → Training (prepare; stage 1 object + config files while the image is checked and the container created; start; Training is recorded "
          "once the container runs) | Training → STARTED (the program's own start-up, minus the Training write; can be "
          "negative) | the same program started outside the service (baseline) | service overhead (median − "
          "baseline) |",
          "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in lat:
        if not r["rows"]:
            continue
        med = {k: statistics.median(x[k] for x in r["rows"])
               for k in ("rtt", "to_creation", "queue", "prepare", "launch", "total")}
        b = base.get(r["baseline"])
        bm = statistics.median(b["values"]) if b else None
        L.append(f"| {r['label']} | {_ms(med['rtt'])} | {_ms(med['to_creation'])} | {_ms(med['queue'])} "
                 f"| {_ms(med['prepare'])} | {_ms(med['launch'])} | {_ms(bm) + ' (' + r['baseline'] + ')' if b else '—'} "
                 f"| {_ms(med['total'] - bm) if b else '—'} |")
    if base:
        L += ["", "No-op program start baselines (the same programs, started without the service; the Engine API "
              "rows are the engine's own floor for a container start on this machine):", "",
              "| baseline | key | runs | median ms | p90 ms | min ms | max ms |", "|---|---|---:|---:|---:|---:|---:|"]
        for b in base.values():
            v = b["values"]
            L.append(f"| {b['label']} | {b['key']} | {len(v)} | {_ms(statistics.median(v))} | {_ms(_pct(v, 90))} "
                     f"| {_ms(min(v))} | {_ms(max(v))} |")
    if stage:
        L += ["", "## Channel staging throughput (Process runtime)", "",
              f"{meta['stage_desc']} Staging time = Downloading transition EndTime − StartTime "
              "(DescribeTrainingJob; also covers writing the config files). MB = 10^6 bytes.", "",
              "| source | runs | size | staging s (each) | median MB/s | best MB/s | staged bytes verified |",
              "|---|---:|---:|---|---:|---:|---|"]
        for r in stage:
            if not r["rows"]:
                L.append(f"| {r['label']} | 0 | — | — | — | — | NOT MEASURED |")
                continue
            rates = [x["bytes"] / 1e6 / x["seconds"] for x in r["rows"]]
            ok = all(x["staged"] == x["bytes"] for x in r["rows"])
            L.append(f"| {r['label']} | {len(rates)} | {r['rows'][0]['bytes'] / 2**20:.0f} MiB "
                     f"| {', '.join('%.2f' % x['seconds'] for x in r['rows'])} | {statistics.median(rates):.0f} "
                     f"| {max(rates):.0f} | {'yes' if ok else 'NO'} |")
    errs = [f"{r['label']}: {e}" for r in results for e in r.get("errors", [])]
    if errs:
        L += ["", "## ERRORS", ""] + [f"- {e}" for e in errs[:20]]
    text = "\n".join(L) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    open(out, "w").write(text)
    sys.stdout.write(text)
    return 3 if failed else 0


def main(argv):
    cmd, args = argv[1], argv[2:]
    fn = {"freeport": cmd_freeport, "wait": cmd_wait, "seed-local": cmd_seed_local, "seed-s3": cmd_seed_s3,
          "latency": cmd_latency, "baseline-host": cmd_baseline_host, "baseline-docker": cmd_baseline_docker,
          "stage": cmd_stage, "report": cmd_report}[cmd]
    return fn(*args) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
