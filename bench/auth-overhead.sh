#!/usr/bin/env bash
# What SigV4 verification costs: DescribeModel per second against two ControlPlane processes built from this tree,
# one with ControlPlane:Authentication:Mode=none and one with sigv4 (the request signed once by botocore, then
# replayed by wrk within its 15-minute validity), printed side by side.
#
#   bench/auth-overhead.sh                 # DURATION=10 CONNECTIONS=32 by default
#   DURATION=5 CONNECTIONS=16 bench/auth-overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
dotnet build src/ControlPlane.Api -c Release -nodeReuse:false -v q -nologo >/dev/null
DLL=src/ControlPlane.Api/bin/Release/net10.0/ControlPlane.Api.dll

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() { # NAME PORT EXTRA_ARGS...
  local name=$1 port=$2; shift 2
  mkdir -p "$WORK/$name"
  (cd "$WORK/$name" && exec dotnet "$OLDPWD/$DLL" --urls "http://127.0.0.1:$port" --ControlPlane:DataDirectory "$WORK/$name" \
    --ControlPlane:Orchestration:RunWorkers false --Logging:LogLevel:Default Warning "$@" >"$WORK/$name.log" 2>&1) &
  PIDS+=($!)
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return 0; sleep 0.5; done
  echo "$name did not start:"; cat "$WORK/$name.log"; exit 1
}

NONE_PORT=$(free_port); SIGNED_PORT=$(free_port)
start none "$NONE_PORT"
start sigv4 "$SIGNED_PORT" --ControlPlane:Authentication:Mode sigv4 \
  --ControlPlane:Authentication:AccessKeys:0:AccessKeyId AKIDBENCH --ControlPlane:Authentication:AccessKeys:0:SecretAccessKey bench-secret \
  --ControlPlane:Authentication:AccessKeys:0:AccountId 111111111111

# A model in each, and the DescribeModel request signed once for the sigv4 process.
read -r AMZ_DATE AUTHORIZATION < <(python3 - "$NONE_PORT" "$SIGNED_PORT" <<'PY'
import json, sys, boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
model = {"ModelName": "bench-model", "ExecutionRoleArn": "arn:aws:iam::111111111111:role/R",
         "PrimaryContainer": {"Image": "111111111111.dkr.ecr.us-east-1.amazonaws.com/x:1"}}
for port, key in ((sys.argv[1], ("test", "test")), (sys.argv[2], ("AKIDBENCH", "bench-secret"))):
    boto3.client("sagemaker", endpoint_url="http://127.0.0.1:%s" % port, region_name="us-east-1",
                 aws_access_key_id=key[0], aws_secret_access_key=key[1]).create_model(**model)
request = AWSRequest(method="POST", url="http://127.0.0.1:%s/" % sys.argv[2], data=b'{"ModelName":"bench-model"}',
                     headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "SageMaker.DescribeModel"})
SigV4Auth(Credentials("AKIDBENCH", "bench-secret"), "sagemaker", "us-east-1").add_auth(request)
print(request.headers["X-Amz-Date"], request.headers["Authorization"])
PY
)

run() { # PORT [DATE AUTH]
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" -s bench/lua/fixed-request.lua "http://127.0.0.1:$1" -- \
    SageMaker.DescribeModel '{"ModelName":"bench-model"}' "${@:2}" | grep BENCH_RESULT
}

run "$NONE_PORT" >/dev/null  # warm-up
run "$SIGNED_PORT" "$AMZ_DATE" "$AUTHORIZATION" >/dev/null
NONE=$(run "$NONE_PORT")
SIGNED=$(run "$SIGNED_PORT" "$AMZ_DATE" "$AUTHORIZATION")
field() { sed -E "s/.* $2=([0-9.]+).*/\1/" <<<"$1"; }
printf "%-28s %10s %10s %10s %8s\n" "DescribeModel c=$CONNECTIONS" "req/s" "p50 us" "p99 us" "non200"
printf "%-28s %10s %10s %10s %8s\n" "Mode=none" "$(field "$NONE" rps)" "$(field "$NONE" p50_us)" "$(field "$NONE" p99_us)" "$(field "$NONE" non200)"
printf "%-28s %10s %10s %10s %8s\n" "Mode=sigv4 (signed)" "$(field "$SIGNED" rps)" "$(field "$SIGNED" p50_us)" "$(field "$SIGNED" p99_us)" "$(field "$SIGNED" non200)"
python3 -c "import sys; n,s=float(sys.argv[1]),float(sys.argv[2]); print('signed / anonymous throughput: %.2f' % (s/n))" "$(field "$NONE" rps)" "$(field "$SIGNED" rps)"
