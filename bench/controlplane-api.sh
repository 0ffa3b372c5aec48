#!/usr/bin/env bash
# SageMaker wire-protocol throughput: ControlPlane ("ours") vs moto_server, side by side in one run.
# See bench/README.md. Everything it starts it stops again (trap on EXIT/INT/TERM).
#
# Environment (all optional):
#   CONTROLPLANE_URL   benchmark an already running service at this URL instead of starting one
#   CONTROLPLANE_PID   pid of that service, for its RSS (default: found from the listening port)
#   CONTROLPLANE_PORT  port for the service this script starts (default 5080)
#   CONTROLPLANE_ARGS  extra app arguments for the started service (e.g. auth off switch)
#   DOTNET_RUN_FLAGS   extra `dotnet run` flags (default: --no-launch-profile)
#   OURS_TARGET        controlplane (default) | moto = harness self-test, a 2nd moto_server plays "ours"
#   DURATION           seconds measured per row and target (default 10)
#   WARMUP             seconds of unmeasured load before each measurement (default 2; 0 = none)
#   CONCURRENCY        client counts (default "1 16")
#   OPS                operations (default "DescribeTrainingJob ListTrainingJobs CreateModel")
#   WRK_THREADS        max wrk threads (default: nproc)
#   STARTUP_TIMEOUT    seconds to wait for a started server, incl. dotnet build (default 600)
#   RESULTS_FILE       report path (default bench/results/controlplane-api-<date>.md)
# Exit status: 0 clean, 3 report written but some row had errors, other = harness failure.
set -euo pipefail

BENCH_LOG_PREFIX=bench
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PY="$BENCH_DIR/sagemaker_bench.py"
LUA="$BENCH_DIR/lua/sagemaker.lua"

DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
CONCURRENCY="${CONCURRENCY:-1 16}"
OPS="${OPS:-DescribeTrainingJob ListTrainingJobs CreateModel}"
WRK_THREADS="${WRK_THREADS:-$(nproc)}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-600}"
CONTROLPLANE_PORT="${CONTROLPLANE_PORT:-5080}"
CONTROLPLANE_ARGS="${CONTROLPLANE_ARGS:-}"
DOTNET_RUN_FLAGS="${DOTNET_RUN_FLAGS:---no-launch-profile}"
OURS_TARGET="${OURS_TARGET:-controlplane}"
JOBS=100
DATE="$(date +%F)"
if [[ "$OURS_TARGET" == moto ]]; then
  RESULTS_FILE="${RESULTS_FILE:-$BENCH_DIR/results/controlplane-api-selftest-$DATE.md}"
else
  RESULTS_FILE="${RESULTS_FILE:-$BENCH_DIR/results/controlplane-api-$DATE.md}"
fi

# pid of the process listening on 127.0.0.1:PORT (empty if none)
listener_pid() {
  ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2
}
port_in_use() { [[ -n "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]]; }
rss_mib() {
  local kb
  kb=$(awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || true)
  [[ -n "$kb" ]] && awk -v k="$kb" 'BEGIN{printf "%.1f MiB", k/1024}' || echo "n/a"
}

# ---------------------------------------------------------------- prerequisites
if ! command -v wrk >/dev/null 2>&1; then
  log "wrk not found; installing Debian's wrk"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  if ! { $SUDO apt-get update -qq && $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }; then
    die "could not install wrk"
  fi
fi
command -v moto_server >/dev/null || die "moto_server not on PATH (pip install 'moto[server]')"
python3 -c 'import boto3' 2>/dev/null || die "python3 cannot import boto3"
command -v ss >/dev/null || die "ss (iproute2) is needed"

LOADAVG_START=$(loadavg)
# ---------------------------------------------------------------- start targets
start_moto() { # NAME -> sets MOTO_STARTED_URL
  local name=$1 port
  port=$(free_port)
  start_bg "$name" moto_server -H 127.0.0.1 -p "$port"
  MOTO_STARTED_URL="http://127.0.0.1:$port"
}

log "starting moto_server"
start_moto moto
MOTO_URL=$MOTO_STARTED_URL
wait_for_service "$MOTO_URL" 60 || die "moto_server did not come up"
MOTO_PID=$(listener_pid "${MOTO_URL##*:}")
MOTO_VERSION=$(python3 -c 'import moto; print(moto.__version__)')

SELF_TEST=false
OURS_PID=""
case "$OURS_TARGET" in
  moto)
    SELF_TEST=true
    log "OURS_TARGET=moto: harness self-test, a second moto_server stands in for ControlPlane"
    start_moto ours
    OURS_URL=$MOTO_STARTED_URL
    wait_for_service "$OURS_URL" 60 || die "second moto_server did not come up"
    OURS_PID=$(listener_pid "${OURS_URL##*:}")
    OURS_LABEL="moto_server $MOTO_VERSION at $OURS_URL (SELF-TEST stand-in, not ControlPlane)"
    ;;
  controlplane)
    if [[ -n "${CONTROLPLANE_URL:-}" ]]; then
      OURS_URL="${CONTROLPLANE_URL%/}"
      log "using running service at $OURS_URL"
      wait_for_service "$OURS_URL" 30 || die "$OURS_URL does not answer"
      OURS_PID="${CONTROLPLANE_PID:-}"
      if [[ -z "$OURS_PID" && "$OURS_URL" =~ ^https?://(127\.0\.0\.1|localhost):([0-9]+) ]]; then
        OURS_PID=$(listener_pid "${BASH_REMATCH[2]}")
      fi
      OURS_LABEL="ControlPlane at $OURS_URL (already running)"
    else
      [[ -d "$ROOT/src/ControlPlane.Api" ]] \
        || die "$ROOT/src/ControlPlane.Api does not exist yet; set CONTROLPLANE_URL, or OURS_TARGET=moto for a harness self-test"
      port_in_use "$CONTROLPLANE_PORT" && die "port $CONTROLPLANE_PORT is busy; stop that process or set CONTROLPLANE_PORT"
      OURS_URL="http://127.0.0.1:$CONTROLPLANE_PORT"
      build_api "$STARTUP_TIMEOUT"
      # shellcheck disable=SC2086  # DOTNET_RUN_FLAGS / CONTROLPLANE_ARGS are word lists on purpose
      start_api ours "$OURS_URL" "$WORK/cp-data" "$STARTUP_TIMEOUT" $DOTNET_RUN_FLAGS -- $CONTROLPLANE_ARGS
      OURS_PID=$(listener_pid "$CONTROLPLANE_PORT")
      GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
      OURS_LABEL="ControlPlane (src/ControlPlane.Api, Release, git $GIT_REV, started by this script) at $OURS_URL"
    fi
    ;;
  *) die "OURS_TARGET must be controlplane or moto" ;;
esac
MOTO_LABEL="moto_server $MOTO_VERSION (python $(python3 -c 'import platform; print(platform.python_version())')) at $MOTO_URL"

# ---------------------------------------------------------------- seed + pre-flight
for t in ours moto; do
  url=$([[ $t == ours ]] && echo "$OURS_URL" || echo "$MOTO_URL")
  log "seeding $t ($url) with $JOBS training jobs"
  python3 "$PY" seed "$url" "$JOBS" >&2 || die "seeding $t failed"
  python3 "$PY" preflight "$url" >&2 || die "pre-flight wire check failed for $t (see above)"
done

sleep 2   # let both settle before reading idle memory
MEM=()
MEM+=("ours idle after seeding, before load: $([[ -n "$OURS_PID" ]] && echo "$(rss_mib "$OURS_PID") (pid $OURS_PID)" || echo "n/a (pid unknown; set CONTROLPLANE_PID)")")
MEM+=("moto idle after seeding, before load: $(rss_mib "$MOTO_PID") (pid $MOTO_PID)")
for m in "${MEM[@]}"; do log "RSS $m"; done

# ---------------------------------------------------------------- load
RUNTAG=$(printf '%x' "$(date +%s)")
TSV="$WORK/results.tsv"
printf 'op\tconns\ttarget\trps\trequests\terrors\tp50_ms\tp99_ms\tsample\n' >"$TSV"

run_wrk() { # URL OP CONNS SECONDS TAG -> wrk output on stdout
  local url=$1 op=$2 c=$3 secs=$4 tag=$5 t
  t=$(( c < WRK_THREADS ? c : WRK_THREADS ))
  timeout --foreground -k 5 $(( secs + 60 )) \
    wrk -t "$t" -c "$c" -d "${secs}s" --timeout 5s -s "$LUA" "$url" -- "$op" "$tag" 2>&1 || true
}
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2" | head -n1; }

for op in $OPS; do
  for c in $CONCURRENCY; do
    for t in ours moto; do
      url=$([[ $t == ours ]] && echo "$OURS_URL" || echo "$MOTO_URL")
      tag="${RUNTAG}${t:0:1}${c}"
      if [[ "$WARMUP" -gt 0 ]]; then run_wrk "$url" "$op" "$c" "$WARMUP" "${tag}w" >/dev/null; fi
      out=$(run_wrk "$url" "$op" "$c" "$DURATION" "$tag")
      res=$(grep '^BENCH_RESULT' <<<"$out" || true)
      if [[ -z "$res" ]]; then
        sample="wrk produced no result: $(tr '\n\t' '  ' <<<"$out" | cut -c1-300)"
        printf '%s\t%s\t%s\t0\t0\t1\t0\t0\t%s\n' "$op" "$c" "$t" "$sample" >>"$TSV"
        log "$op c=$c $t: wrk failed: $sample"
        continue
      fi
      reqs=$(field requests "$res"); rps=$(field rps "$res")
      errs=0
      for k in non200 badbody connect read write timeout; do errs=$(( errs + $(field "$k" "$res") )); done
      sample=$(grep '^BENCH_SAMPLE' <<<"$out" | head -n1 | cut -c14- | tr '\t' ' ' || true)
      if [[ "$reqs" -eq 0 ]]; then errs=$(( errs + 1 )); sample="${sample:-no responses at all}"; fi
      if [[ $errs -gt 0 && -z "$sample" ]]; then sample="socket errors: $(cut -d' ' -f7-10 <<<"$res")"; fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$op" "$c" "$t" "$rps" "$reqs" "$errs" \
        "$(field p50_ms "$res")" "$(field p99_ms "$res")" "$sample" >>"$TSV"
      log "$op c=$c $t: $rps req/s, $reqs responses, $errs errors"
    done
  done
done

MEM+=("ours after load: $([[ -n "$OURS_PID" ]] && rss_mib "$OURS_PID" || echo n/a)")
MEM+=("moto after load: $(rss_mib "$MOTO_PID")")

# ---------------------------------------------------------------- report
THREADS16=$(( 16 < WRK_THREADS ? 16 : WRK_THREADS ))
MACHINE="$(machine_summary), $(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release), load average at start $LOADAVG_START, at end $(loadavg)"
WRK_VERSION=$(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2 || true)  # wrk -v exits 1
MEM_TEXT=$(printf '%s\n' "${MEM[@]}")
export B_DATE="$DATE" B_OURS="$OURS_LABEL" B_MOTO="$MOTO_LABEL" B_DURATION="$DURATION" B_WARMUP="$WARMUP" \
  B_THREADS16="$THREADS16" B_JOBS="$JOBS" B_MACHINE="$MACHINE" B_SELF_TEST="$SELF_TEST" \
  B_WRK="$WRK_VERSION" B_MEM="$MEM_TEXT"
python3 - "$WORK/meta.json" <<'EOF'
import json, os, sys
e = os.environ
json.dump({"date": e["B_DATE"], "ours_label": e["B_OURS"], "moto_label": e["B_MOTO"],
           "wrk_version": e["B_WRK"], "duration": int(e["B_DURATION"]), "warmup": int(e["B_WARMUP"]),
           "threads16": int(e["B_THREADS16"]), "jobs": int(e["B_JOBS"]), "machine": e["B_MACHINE"],
           "memory": e["B_MEM"].splitlines(), "self_test": e["B_SELF_TEST"] == "true"},
          open(sys.argv[1], "w"))
EOF
set +e
python3 "$PY" report "$TSV" "$WORK/meta.json" "$RESULTS_FILE"
rc=$?
set -e
log "report written to $RESULTS_FILE"
[[ $rc -eq 3 ]] && log "some rows had errors (flagged ⚠ in the report)"
exit "$rc"
