#!/usr/bin/env bash
# Training execution benchmark: CreateTrainingJob -> training program running (Docker with a cached image, Process),
# and channel staging throughput from the local object store and from moto S3. See bench/README.md ("execution.sh").
# Everything it starts it stops again (trap on EXIT/INT/TERM); its scratch directory is removed.
#
# Environment (all optional):
#   N                  measured jobs per runtime (default 20; plus 1 unmeasured warm-up job)
#   BASELINE_N         no-op start baseline runs (default 10 per kind)
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

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
PY="$BENCH_DIR/execution_bench.py"
TRAINER_DIR="$BENCH_DIR/exec-trainer"
N="${N:-20}"
BASELINE_N="${BASELINE_N:-10}"
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

cd "$ROOT"
log() { printf '[exec-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

WORK="$(mktemp -d /tmp/controlplane-exec-bench.XXXXXX)"
STARTED_PGIDS=()

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
  local rc=$? pg _
  trap - EXIT INT TERM
  for pg in "${STARTED_PGIDS[@]}"; do kill -TERM -- "-$pg" 2>/dev/null || true; done
  for pg in "${STARTED_PGIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 -- "-$pg" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pg" 2>/dev/null || true
  done
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    # Containers of this run the service did not get to remove (interrupted run), and baseline leftovers.
    local ids
    ids=$(docker ps -aq --filter "name=-train-bx-$TAG-" --filter "label=controlplane.kind=training-jobs"; \
          docker ps -aq --filter "label=controlplane.bench=baseline")
    [[ -n "$ids" ]] && docker rm -f $ids >/dev/null 2>&1 || true
  fi
  if [[ $rc -eq 1 ]]; then
    for f in "$WORK"/*.log; do
      [[ -s "$f" ]] && { log "last lines of $(basename "$f"):"; tail -n 25 "$f" >&2; }
    done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_bg() { # NAME CMD... : own session/process group, output to $WORK/NAME.log; sets BG_PID
  local name=$1; shift
  setsid "$@" >"$WORK/$name.log" 2>&1 </dev/null &
  BG_PID=$!
  STARTED_PGIDS+=("$BG_PID")
}
stop_bg() { # PGID
  local pg=$1 _
  kill -TERM -- "-$pg" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 -- "-$pg" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL -- "-$pg" 2>/dev/null || true
}

# start_service NAME ARGS... : ControlPlane with its own data directory $WORK/NAME-data; sets SVC_URL, SVC_PGID, SVC_DATA
start_service() {
  local name=$1; shift
  local port; port=$(python3 "$PY" freeport)
  SVC_URL="http://127.0.0.1:$port"
  SVC_DATA="$WORK/$name-data"
  mkdir -p "$SVC_DATA"
  log "starting ControlPlane '$name' at $SVC_URL: $*"
  start_bg "$name" dotnet run --project src/ControlPlane.Api -c Release --no-build --no-launch-profile -- \
    --urls "$SVC_URL" --ControlPlane:DataDirectory "$SVC_DATA" "$@"
  SVC_PGID=$BG_PID
  python3 "$PY" wait "$SVC_URL" "$STARTUP_TIMEOUT" >&2 || die "ControlPlane '$name' did not come up"
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
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)

export PYTHONDONTWRITEBYTECODE=1  # no bench/__pycache__ from importing sagemaker_bench
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building src/ControlPlane.Api (Release)"
  timeout -k 10 "$STARTUP_TIMEOUT" dotnet build src/ControlPlane.Api -c Release -nodeReuse:false \
    -p:UseSharedCompilation=false >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log" >&2; die "build failed"; }
fi

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
    log "Process runtime: baseline ($BASELINE_N × $TRAINER_PYTHON bench_trainer.py) and $N jobs"
    run_py baseline-host "$TRAINER_PYTHON" "$TRAINER_DIR/bench_trainer.py" "$BASELINE_N" "$WORK/base-host.json"
    run_py latency "$SVC_URL" process "$PROCESS_IMAGE" "$N" "$TAG-p" "$WORK/lat-process.json"
    RESULTS+=("$WORK/base-host.json" "$WORK/lat-process.json")
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
  log "Docker: baseline ($BASELINE_N × docker run, $BASELINE_N × Engine API create+start)"
  run_py baseline-docker "$DOCKER_IMAGE" "$BASELINE_N" "$WORK/base-docker.json"
  start_service docker --ControlPlane:Containers:Runtime docker
  seed_tiny "$SVC_DATA"
  log "Docker runtime: $N jobs"
  run_py latency "$SVC_URL" docker "$DOCKER_IMAGE" "$N" "$TAG-d" "$WORK/lat-docker.json"
  RESULTS+=("$WORK/base-docker.json" "$WORK/lat-docker.json")
  stop_bg "$SVC_PGID"; rm -rf "$SVC_DATA"
fi

# ---------------------------------------------------------------- moto S3 staging
if [[ " $STAGE_SOURCES " == *" s3 "* ]]; then
  MOTO_PORT=$(python3 "$PY" freeport)
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
DOCKER_V=$(docker version -f '{{.Server.Version}}' 2>/dev/null || echo n/a)
MOTO_V=$(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo n/a)
CPU=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)
MEM_GB=$(awk '/^MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo)
LOADAVG_END=$(cut -d' ' -f1-3 /proc/loadavg)
NPROC=$(nproc)
export B_DATE="$DATE" \
  B_SERVICE="ControlPlane (src/ControlPlane.Api, Release, git $GIT_REV; working tree as built), one instance per runtime/object store, started by this script; Docker engine $DOCKER_V; moto $MOTO_V" \
  B_MACHINE="$NPROC cores ($CPU), $MEM_GB, load average at start $LOADAVG_START, at end $LOADAVG_END" \
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
