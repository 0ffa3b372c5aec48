#!/usr/bin/env bash
# Training execution benchmark: CreateTrainingJob -> container running (a /bin/sh program; python for information) on
# Docker with a cached image and on Process, and channel staging throughput from the local object store and from
# moto S3. See bench/README.md ("execution.sh").
# Everything it starts it stops again (trap on EXIT/INT/TERM); its scratch directory is removed.
#
# Environment (all optional):
#   N                  measured jobs per runtime (default 20; plus 1 unmeasured warm-up job)
#   BASELINE_N         no-op start baseline runs (default 10 per kind)
#   GAP                idle seconds before each measured job (default 1.5; 0 = back to back)
#   RUNTIMES           "process docker" (default) or one of them
#   SIZE_MB            staged channel size in MiB (default 1024), PARTS objects (default 16)
#   STAGE_RUNS         staging jobs per source (default 2)
#   STAGE_SOURCES      "local s3" (default) or one of them
#   TRAINER_PYTHON     interpreter for the Process-runtime program (default: python3's real executable, no shim)
#   SKIP_BUILD=1       use the existing Release build of src/ControlPlane.Api
#   STARTUP_TIMEOUT    seconds to wait for the build / a service start (default 600)
#   RESULTS_FILE       report path (default bench/results/execution-<date>.md)
# Exit status: 0 clean, 3 report written but something failed (see ERRORS in the report), other = harness failure.
set -euo pipefail

BENCH_LOG_PREFIX=exec-bench
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PY="$BENCH_DIR/execution_bench.py"
TRAINER_DIR="$BENCH_DIR/exec-trainer"
N="${N:-20}"
BASELINE_N="${BASELINE_N:-10}"
export GAP="${GAP:-1.5}"
RUNTIMES="${RUNTIMES:-process docker}"
SIZE_MB="${SIZE_MB:-1024}"
PARTS="${PARTS:-16}"
STAGE_RUNS="${STAGE_RUNS:-2}"
STAGE_SOURCES="${STAGE_SOURCES:-local s3}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-600}"
DATE="$(date +%F)"
RESULTS_FILE="${RESULTS_FILE:-$BENCH_DIR/results/execution-$DATE.md}"
PROCESS_IMAGE="local/bench-exec-trainer:1"
# The interpreter itself, not a pyenv/asdf shim (a shim is a bash script that can cost more than the whole service).
TRAINER_PYTHON="${TRAINER_PYTHON:-$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')}"
DOCKER_IMAGE="127.0.0.1:5000/bench/exec-trainer:1"
TAG="$(printf '%x' "$(date +%s)")"

# Containers of this run the service did not get to remove (interrupted run), and baseline leftovers.
# shellcheck disable=SC2317  # called by lib.sh on exit
bench_on_exit() {
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 || return 0
  local ids
  ids=$(docker ps -aq --filter "name=-train-bx-$TAG-" --filter "label=controlplane.kind=training-jobs"; \
        docker ps -aq --filter "label=controlplane.bench=baseline")
  # shellcheck disable=SC2086  # one id per word
  [[ -z "$ids" ]] || docker rm -f $ids >/dev/null 2>&1
}

# start_service NAME ARGS... : ControlPlane with its own data directory $WORK/NAME-data; sets SVC_URL, SVC_PGID, SVC_DATA
start_service() {
  local name=$1; shift
  SVC_URL="http://127.0.0.1:$(free_port)"
  SVC_DATA="$WORK/$name-data"
  start_api "$name" "$SVC_URL" "$SVC_DATA" "$STARTUP_TIMEOUT" --no-launch-profile -- "$@"
  SVC_PGID=$API_PGID
}
seed_tiny() { mkdir -p "$1/s3/bench/tiny"; printf '1,2\n' >"$1/s3/bench/tiny/a.csv"; }

# ---------------------------------------------------------------- prerequisites
command -v dotnet >/dev/null || die "dotnet not on PATH"
python3 -c 'import boto3' 2>/dev/null || die "python3 cannot import boto3"
[[ " $STAGE_SOURCES " == *" s3 "* ]] && { command -v moto_server >/dev/null || die "moto_server not on PATH"; }
if [[ " $RUNTIMES " == *" docker "* ]]; then
  command -v docker >/dev/null || die "docker CLI not found; run bash deploy/setup.sh"
  if ! docker info >/dev/null 2>&1 || ! curl -sf http://127.0.0.1:5000/v2/ >/dev/null; then
    log "Docker engine or local registry not answering: bash deploy/setup.sh"
    bash deploy/setup.sh >"$WORK/setup.log" 2>&1 || die "deploy/setup.sh failed (see $WORK/setup.log)"
  fi
fi
LOADAVG_START=$(loadavg)

export PYTHONDONTWRITEBYTECODE=1  # no bench/__pycache__ from importing sagemaker_bench
[[ "${SKIP_BUILD:-0}" == 1 ]] || build_api "$STARTUP_TIMEOUT"

RESULTS=()
SIZE_BYTES=$(( SIZE_MB * 1024 * 1024 ))
rc_all=0
run_py() { local rc=0; python3 "$PY" "$@" || rc=$?; [[ $rc -eq 3 ]] && rc_all=3; [[ $rc -eq 0 || $rc -eq 3 ]] || die "execution_bench.py $1 failed ($rc)"; }

# ---------------------------------------------------------------- Process runtime: latency + local-store staging
PROCESS_ARGS=(--ControlPlane:Containers:Runtime process
  "--ControlPlane:Containers:ProcessImages:$PROCESS_IMAGE=$TRAINER_PYTHON $TRAINER_DIR/bench_trainer.py")
if [[ " $RUNTIMES " == *" process "* || " $STAGE_SOURCES " == *" local "* ]]; then
  start_service process "${PROCESS_ARGS[@]}"
  seed_tiny "$SVC_DATA"
  if [[ " $RUNTIMES " == *" process "* ]]; then
    log "Process runtime: baselines ($BASELINE_N × sh bench_trainer.sh, $BASELINE_N × $TRAINER_PYTHON bench_trainer.py), 2 × $N jobs"
    run_py baseline-host process-sh "$BASELINE_N" "$WORK/base-host-sh.json" /bin/sh "$TRAINER_DIR/bench_trainer.sh"
    run_py baseline-host process-python "$BASELINE_N" "$WORK/base-host-py.json" "$TRAINER_PYTHON" "$TRAINER_DIR/bench_trainer.py"
    run_py latency "$SVC_URL" "process, sh" process process-sh "$PROCESS_IMAGE" "$N" "$TAG-ps" "$WORK/lat-process-sh.json" \
      "{\"AlgorithmSpecification\": {\"ContainerEntrypoint\": [\"/bin/sh\", \"$TRAINER_DIR/bench_trainer.sh\"]}}"
    run_py latency "$SVC_URL" "process, python" process process-python "$PROCESS_IMAGE" "$N" "$TAG-pp" "$WORK/lat-process-py.json"
    RESULTS+=("$WORK/base-host-sh.json" "$WORK/base-host-py.json" "$WORK/lat-process-sh.json" "$WORK/lat-process-py.json")
  fi
  if [[ " $STAGE_SOURCES " == *" local "* ]]; then
    log "local store: $SIZE_MB MiB in $PARTS files, $STAGE_RUNS staging job(s)"
    run_py seed-local "$SVC_DATA/s3" bench stage-local "$SIZE_MB" "$PARTS" >&2
    run_py stage "$SVC_URL" "local store" "$PROCESS_IMAGE" s3://bench/stage-local/ "$STAGE_RUNS" "$TAG-l" \
      "$SIZE_BYTES" "$SVC_DATA" "$WORK/stage-local.json"
    RESULTS+=("$WORK/stage-local.json")
  fi
  stop_bg "$SVC_PGID"; rm -rf "$SVC_DATA"
fi

# ---------------------------------------------------------------- Docker runtime: latency with a cached image
if [[ " $RUNTIMES " == *" docker "* ]]; then
  log "building and pushing $DOCKER_IMAGE"
  DOCKER_BUILDKIT=0 docker build -q -t "$DOCKER_IMAGE" "$TRAINER_DIR" >"$WORK/docker-build.log" 2>&1 \
    || die "docker build failed: $(tail -n 5 "$WORK/docker-build.log")"
  docker push -q "$DOCKER_IMAGE" >"$WORK/docker-push.log" 2>&1 || die "docker push failed: $(tail -n 5 "$WORK/docker-push.log")"
  log "Docker: baselines ($BASELINE_N × docker run, $BASELINE_N × 6 Engine API create+start)"
  run_py baseline-docker "$DOCKER_IMAGE" "$BASELINE_N" "$WORK/base-docker.json"
  start_service docker --ControlPlane:Containers:Runtime docker
  seed_tiny "$SVC_DATA"
  log "Docker runtime: 3 × $N jobs"
  SH_SPEC='"AlgorithmSpecification": {"ContainerEntrypoint": ["/bin/sh", "/opt/program/bench_trainer.sh"]}'
  run_py latency "$SVC_URL" "docker, sh" docker docker-sh-sandbox "$DOCKER_IMAGE" "$N" "$TAG-ds" "$WORK/lat-docker-sh.json" \
    "{$SH_SPEC}"
  run_py latency "$SVC_URL" "docker, sh, EnableNetworkIsolation" docker docker-sh-disabled "$DOCKER_IMAGE" "$N" "$TAG-di" \
    "$WORK/lat-docker-sh-isolated.json" "{$SH_SPEC, \"EnableNetworkIsolation\": true}"
  run_py latency "$SVC_URL" "docker, python" docker docker-python-sandbox "$DOCKER_IMAGE" "$N" "$TAG-dp" "$WORK/lat-docker-py.json"
  RESULTS+=("$WORK/base-docker.json" "$WORK/lat-docker-sh.json" "$WORK/lat-docker-sh-isolated.json" "$WORK/lat-docker-py.json")
  stop_bg "$SVC_PGID"; rm -rf "$SVC_DATA"
fi

# ---------------------------------------------------------------- moto S3 staging
if [[ " $STAGE_SOURCES " == *" s3 "* ]]; then
  MOTO_PORT=$(free_port)
  MOTO_URL="http://127.0.0.1:$MOTO_PORT"
  log "starting moto_server at $MOTO_URL"
  start_bg moto moto_server -H 127.0.0.1 -p "$MOTO_PORT"
  MOTO_PGID=$BG_PID
  for _ in $(seq 1 120); do curl -s -o /dev/null "$MOTO_URL/" && break; sleep 0.5; done
  curl -s -o /dev/null "$MOTO_URL/" || die "moto_server did not come up"
  log "moto S3: putting $SIZE_MB MiB in $PARTS objects"
  run_py seed-s3 "$MOTO_URL" bench stage-s3 "$SIZE_MB" "$PARTS" >&2
  start_service s3 "${PROCESS_ARGS[@]}" --ControlPlane:ObjectStore:Kind s3 \
    --ControlPlane:ObjectStore:S3:ServiceUrl "$MOTO_URL" --ControlPlane:ObjectStore:S3:ForcePathStyle true \
    --ControlPlane:ObjectStore:S3:AccessKey test --ControlPlane:ObjectStore:S3:SecretKey test \
    --ControlPlane:ObjectStore:S3:CreateMissingBuckets true
  run_py stage "$SVC_URL" "moto S3" "$PROCESS_IMAGE" s3://bench/stage-s3/ "$STAGE_RUNS" "$TAG-s" \
    "$SIZE_BYTES" "$SVC_DATA" "$WORK/stage-s3.json"
  RESULTS+=("$WORK/stage-s3.json")
  stop_bg "$SVC_PGID"; rm -rf "$SVC_DATA"
  stop_bg "$MOTO_PGID"
fi

# ---------------------------------------------------------------- report
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
DOCKER_V=$(docker info -f '{{.ServerVersion}}, default OCI runtime {{.DefaultRuntime}}' 2>/dev/null || echo n/a)
MOTO_V=$(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo n/a)
LOADAVG_END=$(loadavg)
MACHINE=$(machine_summary)
export B_DATE="$DATE" \
  B_SERVICE="ControlPlane (src/ControlPlane.Api, Release, git $GIT_REV; working tree as built), one instance per runtime/object store, started by this script; Docker engine $DOCKER_V; moto $MOTO_V" \
  B_MACHINE="$MACHINE, load average at start $LOADAVG_START, at end $LOADAVG_END" \
  B_NOTES="client, service, moto and programs share the machine; the client polls DescribeTrainingJob every 100 ms (250 ms while staging)" \
  B_STAGE="$SIZE_MB MiB in $PARTS objects (random bytes) under one prefix, staged as the job's only channel by a Process-runtime job whose program exits at once; local store = files written and fsynced just before under <DataDirectory>/s3 (so in the page cache), moto S3 = put with boto3 just before (moto keeps them in memory); staging writes to the job workspace on the same disk (/tmp)."
python3 - "$WORK/meta.json" <<'EOF'
import json, os, sys
e = os.environ
json.dump({"date": e["B_DATE"], "service": e["B_SERVICE"], "machine": e["B_MACHINE"], "notes": e["B_NOTES"],
           "stage_desc": e["B_STAGE"]}, open(sys.argv[1], "w"))
EOF
set +e
python3 "$PY" report "$WORK/meta.json" "$RESULTS_FILE" "${RESULTS[@]}"
rc=$?
set -e
log "report written to $RESULTS_FILE"
[[ $rc -eq 3 || $rc_all -eq 3 ]] && { log "some measurements failed (see ERRORS in the report)"; exit 3; }
exit "$rc"
