#!/usr/bin/env bash
# XGBoost benchmark: our XGBoost (ControlPlane.Algorithms, LightGBM underneath) against real XGBoost 1.7.4
# (Debian python3-xgboost, tree_method=hist), side by side in one run, on the same generated data:
# ROWS x FEATURES float features with a binary label, VALIDATION_ROWS validation rows, ROUNDS rounds,
# max_depth DEPTH, eta ETA, THREADS threads; both evaluate AUC on train and validation every round, as
# SageMaker's XGBoost does.
#
# Printed: the training step's seconds for both (XGBoost: xgb.train; ours: the boosting rounds, the
# program's "trained N rounds in S s"), validation AUC for both (ours scored through its own `serve`
# over HTTP, AUC computed by the helper), our whole program (parse + train + save) wall time and peak
# RSS, and the whole training job through the service (CreateTrainingJob -> Completed: staging,
# parsing, training, upload) on the Process runtime.
# Targets: ours faster in the training step; AUC no more than 0.002 below XGBoost's.
#
# Environment: ROWS (1000000) VALIDATION_ROWS (200000) FEATURES (28) ROUNDS (100) DEPTH (6) ETA (0.2)
# THREADS (2) SEED (42) KEEP=1 keeps the scratch directory. Needs python3-xgboost and python3-numpy
# (apt-get install -y python3-xgboost; the script installs it when missing) and dotnet.
set -euo pipefail

ROWS=${ROWS:-1000000} VALIDATION_ROWS=${VALIDATION_ROWS:-200000} FEATURES=${FEATURES:-28}
ROUNDS=${ROUNDS:-100} DEPTH=${DEPTH:-6} ETA=${ETA:-0.2} THREADS=${THREADS:-2} SEED=${SEED:-42}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
py=/usr/bin/python3
helper=$here/xgboost_bench.py
log() { printf '%s [xgboost-bench] %s\n' "$(date +%T)" "$*" >&2; }
json() { $py -c "import json,sys; print(json.loads(sys.argv[1])$2)" "$1"; }

scratch=$(mktemp -d /tmp/xgboost-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ ${KEEP:-0} == 1 ]] || rm -rf "$scratch"
}
trap cleanup EXIT

$py -c 'import xgboost, numpy' 2>/dev/null || { log "installing python3-xgboost"; apt-get install -y python3-xgboost >/dev/null; }

log "building ControlPlane (Release)"
dotnet build -c Release "$repo/src/ControlPlane.Api" -nologo -v q >&2
bin=$repo/src/ControlPlane.Api/bin/Release/net10.0

log "generating $ROWS x $FEATURES (+ $VALIDATION_ROWS validation rows)"
$py "$helper" generate "$scratch/data" "$ROWS" "$VALIDATION_ROWS" "$FEATURES" "$SEED" >/dev/null

log "real XGBoost: $ROUNDS rounds, max_depth $DEPTH, eta $ETA, $THREADS threads, tree_method=hist"
theirs=$($py "$helper" xgboost "$scratch/data" "$ROUNDS" "$DEPTH" "$ETA" "$THREADS")

log "ours: the algorithms program's train"
ml=$scratch/ml/opt/ml
mkdir -p "$ml/input/config" "$ml/input/data" "$ml/model"
ln -s "$scratch/data/train" "$ml/input/data/train"
ln -s "$scratch/data/validation" "$ml/input/data/validation"
hyperparameters="{\"num_round\":\"$ROUNDS\",\"objective\":\"binary:logistic\",\"max_depth\":\"$DEPTH\",\"eta\":\"$ETA\",\"nthread\":\"$THREADS\",\"eval_metric\":\"auc\",\"tree_method\":\"hist\"}"
echo "$hyperparameters" > "$ml/input/config/hyperparameters.json"
echo '{"train":{"ContentType":"text/csv"},"validation":{"ContentType":"text/csv"}}' > "$ml/input/config/inputdataconfig.json"
CONTROLPLANE_ML_ROOT=$ml CONTROLPLANE_ALGORITHM=xgboost /usr/bin/time -v -o "$scratch/time.txt" \
  dotnet "$bin/ControlPlane.Algorithms.dll" train > "$scratch/train.log"
ours_train=$(sed -n 's/^INFO: trained .* rounds in \([0-9.]*\) s$/\1/p' "$scratch/train.log")
ours_load=$(sed -n 's/^INFO: loaded .* in \([0-9.]*\) s$/\1/p' "$scratch/train.log")
ours_wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$scratch/time.txt")
ours_rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$scratch/time.txt")

log "ours: scoring the validation set through serve"
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CONTROLPLANE_ML_ROOT=$ml SAGEMAKER_BIND_TO_PORT=$port dotnet "$bin/ControlPlane.Algorithms.dll" serve > "$scratch/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/ping" >/dev/null && break; sleep 0.2; done
ours_scored=$($py "$helper" score-ours "http://127.0.0.1:$port" "$scratch/data")

log "ours: the whole training job through the service (Process runtime)"
sport=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$scratch/service/s3/bench"
cp -r "$scratch/data/train" "$scratch/data/validation" "$scratch/service/s3/bench/"
(cd "$scratch/service" && exec dotnet "$bin/ControlPlane.Api.dll" --urls "http://127.0.0.1:$sport" \
  --ControlPlane:DataDirectory "$scratch/service" --ControlPlane:Containers:Runtime process > "$scratch/service.log" 2>&1) &
pids+=($!)
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$sport/health" >/dev/null && break; sleep 0.2; done
call() {
  curl -fsS "http://127.0.0.1:$sport/" -H 'Content-Type: application/x-amz-json-1.1' -H "X-Amz-Target: SageMaker.$1" \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=0' -d "$2"
}
channel() { echo "{\"ChannelName\":\"$1\",\"ContentType\":\"text/csv\",\"DataSource\":{\"S3DataSource\":{\"S3DataType\":\"S3Prefix\",\"S3Uri\":\"s3://bench/$1/\"}}}"; }
job=bench-$(date +%s)
start=$(date +%s.%N)
call CreateTrainingJob "{\"TrainingJobName\":\"$job\",\"RoleArn\":\"arn:aws:iam::123456789012:role/r\",
  \"AlgorithmSpecification\":{\"TrainingImage\":\"683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1\",\"TrainingInputMode\":\"File\"},
  \"HyperParameters\":$hyperparameters, \"InputDataConfig\":[$(channel train),$(channel validation)],
  \"OutputDataConfig\":{\"S3OutputPath\":\"s3://bench/output/\"},
  \"ResourceConfig\":{\"InstanceType\":\"ml.m5.large\",\"InstanceCount\":1,\"VolumeSizeInGB\":10},
  \"StoppingCondition\":{\"MaxRuntimeInSeconds\":3600}}" >/dev/null
while true; do
  described=$(call DescribeTrainingJob "{\"TrainingJobName\":\"$job\"}")
  status=$(json "$described" '["TrainingJobStatus"]')
  [[ $status == InProgress || $status == Stopping ]] || break
  sleep 1
done
job_wall=$($py -c "print(f'{$(date +%s.%N) - $start:.1f}')")
job_auc=$(json "$described" '.get("FinalMetricDataList") and [m["Value"] for m in json.loads(sys.argv[1])["FinalMetricDataList"] if m["MetricName"]=="validation:auc"][0]')

theirs_train=$(json "$theirs" '["train_seconds"]'); theirs_auc=$(json "$theirs" '["validation_auc"]')
ours_auc=$(json "$ours_scored" '["validation_auc"]')
printf '\nXGBoost benchmark: %s x %s train, %s validation, %s rounds, max_depth %s, eta %s, %s threads (load average %s)\n' \
  "$ROWS" "$FEATURES" "$VALIDATION_ROWS" "$ROUNDS" "$DEPTH" "$ETA" "$THREADS" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %14s %14s\n' "" "XGBoost 1.7.4" "ours"
printf '%-44s %14.2f %14.2f\n' "training step, s" "$theirs_train" "$ours_train"
printf '%-44s %14.5f %14.5f\n' "validation AUC" "$theirs_auc" "$ours_auc"
printf '%-44s %14s %14s\n' "ours: parse CSV, s" "" "$ours_load"
printf '%-44s %14s %14s\n' "ours: whole program (parse+train+save)" "" "$ours_wall"
printf '%-44s %14s %14s\n' "ours: peak RSS, MiB" "" "$ours_rss"
printf '%-44s %14s %14s\n' "ours: training job through the service, s" "" "$job_wall ($status)"
printf '%-44s %14s %14s\n' "ours: job's FinalMetricDataList validation:auc" "" "$job_auc"
$py - "$theirs_train" "$ours_train" "$theirs_auc" "$ours_auc" <<'PY'
import sys
tt, ot, ta, oa = map(float, sys.argv[1:])
print(f"training step: {'PASS' if ot < tt else 'FAIL'} (ours {tt / ot:.2f}x as fast)")
print(f"validation AUC: {'PASS' if oa >= ta - 0.002 else 'FAIL'} (ours {oa - ta:+.5f})")
PY
