"""Drives a running deploy/compose.yaml stack with boto3 (deploy/compose-smoke.sh): S3 on moto, a model listed, a
built-in XGBoost training job run by the worker on Docker, its model deployed and invoked through the gateway, and
an asynchronous inference (gateway -> API -> worker) whose answer lands in S3."""
import io
import random
import sys
import time

import boto3

api, gateway, s3_url = sys.argv[1:4]
session = dict(region_name="us-east-1", aws_access_key_id="controlplane", aws_secret_access_key="controlplane-secret")
sm = boto3.client("sagemaker", endpoint_url=api, **session)
runtime = boto3.client("sagemaker-runtime", endpoint_url=gateway, **session)
s3 = boto3.client("s3", endpoint_url=s3_url, **session)
role = "arn:aws:iam::123456789012:role/SageMakerRole"
xgboost = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
started = time.monotonic()


def step(message):
    print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)


def wait(describe, field, settled, timeout=600):
    deadline = time.monotonic() + timeout
    while True:
        described = describe()
        if described[field] in settled:
            return described
        if time.monotonic() > deadline:
            raise SystemExit(f"still {described[field]} after {timeout}s: {described}")
        time.sleep(2)


sm.create_model(ModelName="smoke-listed", PrimaryContainer={"Image": xgboost}, ExecutionRoleArn=role)
names = [m["ModelName"] for m in sm.list_models()["Models"]]
assert "smoke-listed" in names, names
step(f"create_model + list_models: {names}")

s3.create_bucket(Bucket="smoke")
rows = []
for _ in range(500):
    x = [random.uniform(0, 10) for _ in range(4)]
    rows.append(",".join(f"{v:.4f}" for v in [2 * x[0] - x[1] + 0.5 * x[2] + random.gauss(0, 0.1)] + x))
s3.upload_fileobj(io.BytesIO("\n".join(rows).encode()), "smoke", "train/train.csv")
step("training data in s3://smoke/train/train.csv (moto)")

sm.create_training_job(
    TrainingJobName="smoke-xgboost",
    AlgorithmSpecification={"TrainingImage": xgboost, "TrainingInputMode": "File"},
    RoleArn=role,
    HyperParameters={"objective": "reg:squarederror", "num_round": "20", "max_depth": "4"},
    InputDataConfig=[{"ChannelName": "train", "ContentType": "text/csv",
                      "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://smoke/train/"}}}],
    OutputDataConfig={"S3OutputPath": "s3://smoke/output"},
    ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
    StoppingCondition={"MaxRuntimeInSeconds": 600},
)
job = wait(lambda: sm.describe_training_job(TrainingJobName="smoke-xgboost"), "TrainingJobStatus", {"Completed", "Failed", "Stopped"})
assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
artifacts = job["ModelArtifacts"]["S3ModelArtifacts"]
s3.head_object(Bucket="smoke", Key=artifacts.removeprefix("s3://smoke/"))
step(f"training job Completed on the worker (Docker), {artifacts} in S3, metrics {job.get('FinalMetricDataList')}")

sm.create_model(ModelName="smoke-xgboost", PrimaryContainer={"Image": xgboost, "ModelDataUrl": artifacts}, ExecutionRoleArn=role)
sm.create_endpoint_config(EndpointConfigName="smoke-xgboost", ProductionVariants=[
    {"VariantName": "AllTraffic", "ModelName": "smoke-xgboost", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}],
    AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": "s3://smoke/async-out"}})
sm.create_endpoint(EndpointName="smoke-xgboost", EndpointConfigName="smoke-xgboost")
endpoint = wait(lambda: sm.describe_endpoint(EndpointName="smoke-xgboost"), "EndpointStatus", {"InService", "Failed"})
assert endpoint["EndpointStatus"] == "InService", endpoint.get("FailureReason")
step("endpoint InService")

# The gateway follows the control plane's routes every 200 ms.
deadline = time.monotonic() + 30
while True:
    try:
        answer = runtime.invoke_endpoint(EndpointName="smoke-xgboost", Body=b"5.0,2.0,4.0,1.0", ContentType="text/csv")
        break
    except runtime.exceptions.ValidationError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
prediction = float(answer["Body"].read().decode().strip().strip("[]").split(",")[0])
assert abs(prediction - 10.0) < 2.0, prediction
step(f"invoke_endpoint through the gateway: 2*5-2+0.5*4 = 10 predicted as {prediction:.3f}")

s3.put_object(Bucket="smoke", Key="async-in/row.csv", Body=b"5.0,2.0,4.0,1.0")
queued = runtime.invoke_endpoint_async(EndpointName="smoke-xgboost", InputLocation="s3://smoke/async-in/row.csv", ContentType="text/csv")
assert queued["OutputLocation"] == f"s3://smoke/async-out/{queued['InferenceId']}.out", queued
deadline = time.monotonic() + 60
while True:
    try:
        output = s3.get_object(Bucket="smoke", Key=f"async-out/{queued['InferenceId']}.out")["Body"].read().decode()
        break
    except s3.exceptions.NoSuchKey:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
prediction = float(output.strip().strip("[]").split(",")[0])
assert abs(prediction - 10.0) < 2.0, prediction
step(f"invoke_endpoint_async: the worker wrote {prediction:.3f} to {queued['OutputLocation']}")

sm.delete_endpoint(EndpointName="smoke-xgboost")
step("endpoint deleted; smoke run passed")
