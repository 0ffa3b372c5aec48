# shellcheck shell=bash
# What the bench scripts share: a scratch directory, background processes in their own process groups that are all
# stopped on exit, the Release build of src/ControlPlane.Api and starting it. Sourced, after `set -euo pipefail`, by
# bench/controlplane-api.sh and bench/execution.sh:
#
#   BENCH_LOG_PREFIX=exec-bench; source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# It sets BENCH_DIR, ROOT (the repository, also the working directory) and WORK (removed on exit), and traps EXIT,
# INT and TERM. A script that leaves more behind (containers, say) defines bench_on_exit, called on exit before WORK
# is removed. On exit status 1 (a harness failure) the last lines of every $WORK/*.log are shown.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
cd "$ROOT" || exit 1

log() { printf '[%s %s] %s\n' "${BENCH_LOG_PREFIX:-bench}" "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

WORK="$(mktemp -d "/tmp/controlplane-${BENCH_LOG_PREFIX:-bench}.XXXXXX")"
STARTED_PGIDS=()

# shellcheck disable=SC2317  # invoked via trap
bench_cleanup() {
  local rc=$? pg _
  trap - EXIT INT TERM
  for pg in "${STARTED_PGIDS[@]}"; do kill -TERM -- "-$pg" 2>/dev/null || true; done
  for pg in "${STARTED_PGIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 -- "-$pg" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pg" 2>/dev/null || true
  done
  if declare -F bench_on_exit >/dev/null; then bench_on_exit || true; fi
  if [[ $rc -eq 1 ]]; then
    for f in "$WORK"/*.log; do
      [[ -s "$f" ]] && { log "last lines of $(basename "$f"):"; tail -n 25 "$f" >&2; }
    done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_bg NAME CMD... : run CMD in its own session/process group (pgid = pid, recorded for cleanup), output to
# $WORK/NAME.log; sets BG_PID. Not to be called inside $(...) (the record would be lost).
start_bg() {
  local name=$1; shift
  setsid "$@" >"$WORK/$name.log" 2>&1 </dev/null &
  BG_PID=$!
  STARTED_PGIDS+=("$BG_PID")
}

# stop_bg PGID : SIGTERM to the group, SIGKILL after 20 s.
stop_bg() {
  local pg=$1 _
  kill -TERM -- "-$pg" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 -- "-$pg" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL -- "-$pg" 2>/dev/null || true
}

free_port() { python3 "$BENCH_DIR/sagemaker_bench.py" freeport; }

# wait_for_service URL TIMEOUT_S : until URL answers a SageMaker request.
wait_for_service() { python3 "$BENCH_DIR/sagemaker_bench.py" wait "$1" "$2" >&2; }

# build_api TIMEOUT_S : Release build of src/ControlPlane.Api in the foreground, without build servers that would
# linger (and use CPU and memory) next to the measured processes; `start_api` then runs exactly what was built.
build_api() {
  command -v dotnet >/dev/null || die "dotnet not on PATH"
  export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
  log "building src/ControlPlane.Api (Release; log in $WORK/build.log)"
  timeout -k 10 "$1" dotnet build src/ControlPlane.Api -c Release -nodeReuse:false -p:UseSharedCompilation=false \
    >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log" >&2; die "build failed"; }
}

# start_api NAME URL DATA_DIR TIMEOUT_S [RUN_FLAGS] -- APP_ARGS... : the built service at URL with its state in
# DATA_DIR (created), output in $WORK/NAME.log; waits until it answers. Sets API_PGID.
start_api() {
  local name=$1 url=$2 data=$3 timeout_s=$4; shift 4
  local run_flags=()
  while [[ $# -gt 0 && $1 != -- ]]; do run_flags+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  mkdir -p "$data"
  log "starting ControlPlane '$name' at $url (log in $WORK/$name.log): $*"
  start_bg "$name" dotnet run --project src/ControlPlane.Api -c Release --no-build "${run_flags[@]}" -- \
    --urls "$url" --ControlPlane:DataDirectory "$data" "$@"
  # shellcheck disable=SC2034  # read by the scripts that source this file
  API_PGID=$BG_PID
  wait_for_service "$url" "$timeout_s" || die "ControlPlane '$name' did not come up within ${timeout_s}s"
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# One line: cores, CPU model, memory.
machine_summary() {
  printf '%s cores (%s), %s' "$(nproc)" "$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)" \
    "$(awk '/^MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo)"
}
