#!/usr/bin/env bash
# The latency and throughput the inference gateway adds (issue 5), side by side in one run on loopback:
#   direct  — wrk → the model server (bench/gateway-model, a minimal Kestrel echo) on its loopback port
#   gateway — wrk → ControlPlane.Gateway → the same server, as InvokeEndpoint
# The control plane runs it all the quick-start way: the Process runtime hosts the model as endpoint "bench" and the
# control plane launches the gateway. Targets: added median ≤ 0.3 ms and p99 ≤ 1.5 ms with one connection; with 32
# connections the gateway's throughput ≥ 0.5× direct.
# The last rows give the CPU per call of the gateway, the model and wrk: both 32-connection rows keep the cores busy,
# so the cores divided by the rows' sums bound their rates, and the sums' quotient bounds the ratio (bench/README.md).
# MODEL=xgboost serves a built-in XGBoost model instead of the echo server (bench/xgboost-invocations.sh): trained first
# by the control plane on the Process runtime (500 rows, 4 features, 20 rounds), the same CSV row scored per call.
# Settings (environment): DURATION (s per row, default 10), WARMUP (s, default 3), CONNECTIONS (default 32),
# WRK_THREADS (default 2), CP_PORT (default 5180), GW_PORT (default 5181), MODEL (echo or xgboost, default echo).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
CONNECTIONS="${CONNECTIONS:-32}"
WRK_THREADS="${WRK_THREADS:-2}"
CP_PORT="${CP_PORT:-5180}"
GW_PORT="${GW_PORT:-5181}"
MODEL="${MODEL:-echo}"
[[ "$MODEL" == echo || "$MODEL" == xgboost ]] || { echo "MODEL must be echo or xgboost, not $MODEL" >&2; exit 1; }
XGBOOST_IMAGE="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
SCRATCH="$(mktemp -d /tmp/controlplane-gateway-bench.XXXXXX)"
LUA="$ROOT/bench/lua/invoke.lua"
SERVICE_PID=""

cleanup() {
  if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    # SIGTERM: the control plane stops the gateway it launched; the endpoint's process is removed below.
    curl -s -o /dev/null -X POST "http://127.0.0.1:$CP_PORT/" -H 'Content-Type: application/x-amz-json-1.1' \
      -H 'X-Amz-Target: SageMaker.DeleteEndpoint' -d '{"EndpointName":"bench"}' || true
    sleep 2
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    wait "$SERVICE_PID" 2>/dev/null || true
  fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT INT TERM

for tool in wrk curl python3 dotnet; do
  command -v "$tool" >/dev/null || { echo "gateway.sh needs $tool" >&2; exit 1; }
done

echo "building the control plane (Release) and the model server..." >&2
dotnet build "$ROOT/src/ControlPlane.Api" -c Release -v q -nologo >/dev/null
[[ "$MODEL" == xgboost ]] || dotnet build "$ROOT/bench/gateway-model" -c Release -v q -nologo -o "$SCRATCH/model" >/dev/null

dotnet "$ROOT/src/ControlPlane.Api/bin/Release/net10.0/ControlPlane.Api.dll" \
  --urls "http://127.0.0.1:$CP_PORT" --ControlPlane:DataDirectory "$SCRATCH/data" \
  --ControlPlane:Containers:Runtime process \
  "--ControlPlane:Containers:ProcessImages:bench/echo-model:1=dotnet $SCRATCH/model/GatewayModel.dll" \
  --ControlPlane:Gateway:Urls "http://127.0.0.1:$GW_PORT" \
  --Logging:LogLevel:Default Warning >"$SCRATCH/service.log" 2>&1 &
SERVICE_PID=$!

sagemaker() { # operation json
  curl -sf -X POST "http://127.0.0.1:$CP_PORT/" -H 'Content-Type: application/x-amz-json-1.1' -H "X-Amz-Target: SageMaker.$1" -d "$2"
}

for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$CP_PORT/health" && break; sleep 0.2; done
if [[ "$MODEL" == xgboost ]]; then
  # y = 2a - b + 0.5c + noise over four features, in the local object store (s3://bench/... is $SCRATCH/data/s3/bench/...).
  mkdir -p "$SCRATCH/data/s3/bench/train"
  python3 -c 'import random
for _ in range(500):
    x = [random.uniform(0, 10) for _ in range(4)]
    print(",".join(f"{v:.4f}" for v in [2 * x[0] - x[1] + 0.5 * x[2] + random.gauss(0, 0.1)] + x))' >"$SCRATCH/data/s3/bench/train/train.csv"
  sagemaker CreateTrainingJob '{"TrainingJobName":"bench","AlgorithmSpecification":{"TrainingImage":"'"$XGBOOST_IMAGE"'","TrainingInputMode":"File"},"RoleArn":"arn:aws:iam::123456789012:role/Bench","HyperParameters":{"objective":"reg:squarederror","num_round":"20","max_depth":"4"},"InputDataConfig":[{"ChannelName":"train","ContentType":"text/csv","DataSource":{"S3DataSource":{"S3DataType":"S3Prefix","S3Uri":"s3://bench/train/"}}}],"OutputDataConfig":{"S3OutputPath":"s3://bench/output"},"ResourceConfig":{"InstanceType":"ml.m5.large","InstanceCount":1,"VolumeSizeInGB":1},"StoppingCondition":{"MaxRuntimeInSeconds":600}}' >/dev/null
  job=""
  for _ in $(seq 1 1500); do
    job="$(sagemaker DescribeTrainingJob '{"TrainingJobName":"bench"}')"
    [[ "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["TrainingJobStatus"])' <<<"$job")" == InProgress ]] || break
    sleep 0.2
  done
  artifacts="$(python3 -c 'import json,sys; j = json.load(sys.stdin); print(j.get("ModelArtifacts", {}).get("S3ModelArtifacts", "") if j["TrainingJobStatus"] == "Completed" else "")' <<<"$job")"
  [[ -n "$artifacts" ]] || { echo "training the XGBoost model failed: $job" >&2; cat "$SCRATCH/service.log" >&2; exit 1; }
  sagemaker CreateModel '{"ModelName":"bench","PrimaryContainer":{"Image":"'"$XGBOOST_IMAGE"'","ModelDataUrl":"'"$artifacts"'"},"ExecutionRoleArn":"arn:aws:iam::123456789012:role/Bench"}' >/dev/null
else
  sagemaker CreateModel '{"ModelName":"bench","PrimaryContainer":{"Image":"bench/echo-model:1"},"ExecutionRoleArn":"arn:aws:iam::123456789012:role/Bench"}' >/dev/null
fi
sagemaker CreateEndpointConfig '{"EndpointConfigName":"bench","ProductionVariants":[{"VariantName":"AllTraffic","ModelName":"bench","InitialInstanceCount":1,"InstanceType":"ml.m5.large"}]}' >/dev/null
sagemaker CreateEndpoint '{"EndpointName":"bench","EndpointConfigName":"bench"}' >/dev/null
status=""
for _ in $(seq 1 600); do
  status="$(sagemaker DescribeEndpoint '{"EndpointName":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["EndpointStatus"])')"
  [[ "$status" == "Creating" ]] || break
  sleep 0.2
done
[[ "$status" == "InService" ]] || { echo "endpoint bench is $status" >&2; cat "$SCRATCH/service.log" >&2; exit 1; }
DIRECT="$(curl -sf "http://127.0.0.1:$CP_PORT/internal/routes" | python3 -c 'import json,sys; print(json.load(sys.stdin)["endpoints"][0]["variants"][0]["instances"][0])')"
DIRECT_URL="http://$DIRECT/invocations"
GATEWAY_URL="http://127.0.0.1:$GW_PORT/endpoints/bench/invocations"
answer=""
for _ in $(seq 1 50); do
  answer="$(curl -s -w ' HTTP %{http_code}' -X POST -H 'Content-Type: text/csv' --data-binary '5.1,3.5,1.4,0.2' "$GATEWAY_URL" || true)"
  [[ "$answer" == *" HTTP 200" ]] && break
  sleep 0.2
done
[[ "$answer" == *" HTTP 200" ]] || { echo "the gateway does not answer: $answer" >&2; cat "$SCRATCH/service.log" >&2; exit 1; }

# CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / hz }' "/proc/$1/stat"; }
listener_pid() { ss -ltnpH "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1; }
GATEWAY_PID="$(listener_pid "$GW_PORT")"
MODEL_PID="$(listener_pid "${DIRECT##*:}")"

# run <url> <threads> <connections> → "p50_ms p99_ms requests_per_s errors gateway_cpu_s model_cpu_s requests wrk_cpu_s"
# The CPU columns show where the cores go, which the load of the machine distorts less than the rates.
run() {
  wrk -t"$2" -c"$3" -d"${WARMUP}s" -s "$LUA" "$1" >/dev/null
  local gateway_before model_before
  gateway_before="$(cpu_seconds "$GATEWAY_PID")"
  model_before="$(cpu_seconds "$MODEL_PID")"
  { TIMEFORMAT='%U %S'; time wrk -t"$2" -c"$3" -d"${DURATION}s" --latency -s "$LUA" "$1" >"$SCRATCH/wrk.out"; } 2>"$SCRATCH/wrk.cpu"
  awk -v gateway_before="$gateway_before" -v model_before="$model_before" -v wrk_cpu="$(awk '{ print $1 + $2 }' "$SCRATCH/wrk.cpu")" \
    -v gateway_stat="/proc/$GATEWAY_PID/stat" -v model_stat="/proc/$MODEL_PID/stat" -v hz="$(getconf CLK_TCK)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) } $1 == "Requests/sec:" { rps = $2 }
    /Non-2xx|Socket errors/ { errors = errors $0 }
    $2 == "requests" && $3 == "in" { requests = $1 }
    function cpu(file,   line, f) { getline line < file; close(file); split(line, f, " "); return (f[14] + f[15]) / hz }
    END { printf "%.3f %.3f %.0f %s %.3f %.3f %d %.3f\n", p50, p99, rps, (errors == "" ? "none" : "yes"),
      cpu(gateway_stat) - gateway_before, cpu(model_stat) - model_before, requests, wrk_cpu }' "$SCRATCH/wrk.out"
}

echo "measuring ($MODEL model): ${DURATION}s per row after ${WARMUP}s warm-up, $(nproc) cores shared by wrk, gateway and model" >&2
read -r d1_p50 d1_p99 d1_rps d1_err _ d1_model_cpu d1_requests _ < <(run "$DIRECT_URL" 1 1)
read -r g1_p50 g1_p99 g1_rps g1_err g1_gw_cpu g1_model_cpu g1_requests _ < <(run "$GATEWAY_URL" 1 1)
read -r dn_p50 dn_p99 dn_rps dn_err _ dn_model_cpu dn_requests dn_wrk_cpu < <(run "$DIRECT_URL" "$WRK_THREADS" "$CONNECTIONS")
read -r gn_p50 gn_p99 gn_rps gn_err gn_gw_cpu gn_model_cpu gn_requests gn_wrk_cpu < <(run "$GATEWAY_URL" "$WRK_THREADS" "$CONNECTIONS")

python3 - "$d1_p50" "$d1_p99" "$d1_rps" "$g1_p50" "$g1_p99" "$g1_rps" "$dn_rps" "$gn_rps" "$dn_p50" "$gn_p50" "$dn_p99" "$gn_p99" "$d1_err$g1_err$dn_err$gn_err" "$CONNECTIONS" \
  "$d1_model_cpu" "$d1_requests" "$g1_gw_cpu" "$g1_model_cpu" "$g1_requests" "$dn_model_cpu" "$dn_requests" "$gn_gw_cpu" "$gn_model_cpu" "$gn_requests" "$dn_wrk_cpu" "$gn_wrk_cpu" "$(nproc)" <<'PY'
import sys
d1_p50, d1_p99, d1_rps, g1_p50, g1_p99, g1_rps, dn_rps, gn_rps, dn_p50, gn_p50, dn_p99, gn_p99 = map(float, sys.argv[1:13])
errors, connections = sys.argv[13], sys.argv[14]
d1_model_cpu, d1_requests, g1_gw_cpu, g1_model_cpu, g1_requests, dn_model_cpu, dn_requests, gn_gw_cpu, gn_model_cpu, gn_requests = map(float, sys.argv[15:25])
dn_wrk_cpu, gn_wrk_cpu, cores = map(float, sys.argv[25:28])
added_p50, added_p99, ratio = g1_p50 - d1_p50, g1_p99 - d1_p99, gn_rps / dn_rps
verdict = lambda ok: "PASS" if ok else "FAIL"
print(f"{'measure':<34}{'direct':>12}{'gateway':>12}{'added / ratio':>16}{'target':>12}  verdict")
print(f"{'median latency, 1 connection (ms)':<34}{d1_p50:>12.3f}{g1_p50:>12.3f}{added_p50:>16.3f}{'<= 0.3':>12}  {verdict(added_p50 <= 0.3)}")
print(f"{'p99 latency, 1 connection (ms)':<34}{d1_p99:>12.3f}{g1_p99:>12.3f}{added_p99:>16.3f}{'<= 1.5':>12}  {verdict(added_p99 <= 1.5)}")
print(f"{'requests/s, 1 connection':<34}{d1_rps:>12.0f}{g1_rps:>12.0f}{g1_rps / d1_rps:>15.2f}x{'':>12}")
print(f"{'requests/s, ' + connections + ' connections':<34}{dn_rps:>12.0f}{gn_rps:>12.0f}{ratio:>15.2f}x{'>= 0.5x':>12}  {verdict(ratio >= 0.5)}")
print(f"{'median latency, ' + connections + ' conn. (ms)':<34}{dn_p50:>12.3f}{gn_p50:>12.3f}{gn_p50 - dn_p50:>16.3f}")
print(f"{'p99 latency, ' + connections + ' conn. (ms)':<34}{dn_p99:>12.3f}{gn_p99:>12.3f}{gn_p99 - dn_p99:>16.3f}")
per_call = lambda seconds, requests: seconds / requests * 1e6 if requests else float("nan")
print(f"{'CPU per call, 1 connection (us)':<34}{per_call(d1_model_cpu, d1_requests):>12.1f}"
      f"{per_call(g1_gw_cpu, g1_requests) + per_call(g1_model_cpu, g1_requests):>12.1f}   (gateway {per_call(g1_gw_cpu, g1_requests):.1f} + model {per_call(g1_model_cpu, g1_requests):.1f})")
print(f"{'CPU per call, ' + connections + ' connections (us)':<34}{per_call(dn_model_cpu, dn_requests):>12.1f}"
      f"{per_call(gn_gw_cpu, gn_requests) + per_call(gn_model_cpu, gn_requests):>12.1f}   (gateway {per_call(gn_gw_cpu, gn_requests):.1f} + model {per_call(gn_model_cpu, gn_requests):.1f})")
# Both rows keep the cores busy, so the rates follow the CPU a call costs all the processes together: the cores
# divided by it is the rate the machine allows, and the two sums' quotient is the ratio it allows.
direct_sum = per_call(dn_model_cpu, dn_requests) + per_call(dn_wrk_cpu, dn_requests)
gateway_sum = per_call(gn_gw_cpu, gn_requests) + per_call(gn_model_cpu, gn_requests) + per_call(gn_wrk_cpu, gn_requests)
print(f"{'wrk CPU per call, ' + connections + ' conn. (us)':<34}{per_call(dn_wrk_cpu, dn_requests):>12.1f}{per_call(gn_wrk_cpu, gn_requests):>12.1f}")
print(f"{'all CPU per call, ' + connections + ' conn. (us)':<34}{direct_sum:>12.1f}{gateway_sum:>12.1f}{direct_sum / gateway_sum:>15.2f}x"
      f"   ({cores:.0f} cores allow {cores * 1e6 / direct_sum:,.0f} and {cores * 1e6 / gateway_sum:,.0f} calls/s)")
print("errors: " + ("none" if errors == "nonenonenonenone" else "some rows had non-2xx answers or socket errors"))
PY
