#!/usr/bin/env bash
# Invocations per second of a built-in XGBoost model, one CSV row per call, end to end through the inference gateway
# (issue 5): bench/gateway.sh with MODEL=xgboost (the control plane trains the model on the Process runtime and serves
# it as endpoint "bench"; wrk at 1 and $CONNECTIONS connections, direct to the model and through the gateway). The
# report, with the machine's load average before and after (the figures depend on it), goes to stdout and
# bench/results/xgboost-invocations-<date>.md. Settings: those of bench/gateway.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RESULTS="$ROOT/bench/results/xgboost-invocations-$(date -u +%Y-%m-%d).md"
mkdir -p "$ROOT/bench/results"
before="$(cut -d' ' -f1-3 /proc/loadavg)"
# Ports of its own, so that it can run beside bench/gateway.sh (5180, 5181).
table="$(MODEL=xgboost CONNECTIONS="${CONNECTIONS:-32}" CP_PORT="${CP_PORT:-5190}" GW_PORT="${GW_PORT:-5191}" bash "$ROOT/bench/gateway.sh")"
after="$(cut -d' ' -f1-3 /proc/loadavg)"
{
  echo "# Built-in XGBoost invocations through the gateway — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "bench/xgboost-invocations.sh: one CSV row (4 features) per call, the model trained by the built-in algorithm"
  echo "(500 rows, 20 rounds) and served on the Process runtime; \`direct\` is wrk → the model's own port, \`gateway\` is"
  echo "wrk → ControlPlane.Gateway → the model (InvokeEndpoint). ${DURATION:-10} s per row after ${WARMUP:-3} s warm-up."
  echo
  echo "Machine: $(nproc) cores, load average (1/5/15 min) $before before, $after after; wrk, gateway, model and"
  echo "whatever else runs share the cores."
  echo
  echo '```'
  echo "$table"
  echo '```'
} | tee "$RESULTS"
