"""Create, describe, list, stop and delete every resource type through boto3, as users' code does.

usage: python3 boto3_lifecycle.py <service-url>
"""

import sys

sys.dont_write_bytecode = True

from wirecheck import (  # noqa: E402
    Checks,
    arn,
    client,
    client_error,
    endpoint_config_request,
    eq,
    is_time,
    model_request,
    now,
    processing_job_request,
    request_id_of,
    subset,
    training_job_request,
    transform_job_request,
    true,
    uid,
)

check = Checks()
RUN = uid()


def names_in(summaries, member):
    return [s[member] for s in summaries]


@check
def training_job_create_describe_echoes_request_and_defaults(url):
    sm = client(url)
    name = "train-" + RUN
    request = training_job_request(name)
    before = now()
    created = sm.create_training_job(**request)
    request_id_of(created, "CreateTrainingJob")
    eq(created["TrainingJobArn"], arn("training-job", name), "TrainingJobArn")

    job = sm.describe_training_job(TrainingJobName=name)
    request_id_of(job, "DescribeTrainingJob")
    eq(job["TrainingJobName"], name, "TrainingJobName")
    eq(job["TrainingJobArn"], created["TrainingJobArn"], "TrainingJobArn")
    eq(job["TrainingJobStatus"], "InProgress", "TrainingJobStatus")
    eq(job["SecondaryStatus"], "Starting", "SecondaryStatus")
    transitions = job["SecondaryStatusTransitions"]
    true(len(transitions) >= 1, "SecondaryStatusTransitions is empty")
    eq(transitions[-1]["Status"], "Starting", "SecondaryStatusTransitions[-1].Status")
    eq(transitions[-1]["StatusMessage"], "Starting the training job", "SecondaryStatusTransitions[-1].StatusMessage")
    is_time(transitions[-1]["StartTime"], "SecondaryStatusTransitions[-1].StartTime", near=before)
    is_time(job["CreationTime"], "CreationTime", near=before)
    is_time(job["LastModifiedTime"], "LastModifiedTime", near=before)
    eq(job["RoleArn"], request["RoleArn"], "RoleArn")
    subset(job["AlgorithmSpecification"], request["AlgorithmSpecification"], "AlgorithmSpecification")
    eq(job["HyperParameters"], request["HyperParameters"], "HyperParameters")
    subset(job["InputDataConfig"], request["InputDataConfig"], "InputDataConfig")
    eq(job["InputDataConfig"][0]["DataSource"]["S3DataSource"].get("S3DataDistributionType"), "FullyReplicated",
       "InputDataConfig[0] default S3DataDistributionType")
    eq(job["OutputDataConfig"]["S3OutputPath"], request["OutputDataConfig"]["S3OutputPath"], "OutputDataConfig.S3OutputPath")
    eq(job["OutputDataConfig"].get("KmsKeyId"), "", "OutputDataConfig.KmsKeyId (the Python SDK's attach() indexes it)")
    eq(job["ModelArtifacts"]["S3ModelArtifacts"], "%s/%s/output/model.tar.gz" % (request["OutputDataConfig"]["S3OutputPath"], name),
       "ModelArtifacts.S3ModelArtifacts")
    subset(job["ResourceConfig"], request["ResourceConfig"], "ResourceConfig")
    eq(job["StoppingCondition"]["MaxRuntimeInSeconds"], 3600, "StoppingCondition.MaxRuntimeInSeconds")
    eq(job.get("Environment"), request["Environment"], "Environment")
    eq(job.get("EnableNetworkIsolation"), False, "EnableNetworkIsolation default")
    true("Tags" not in job, "DescribeTrainingJob must not echo Tags (they are read with ListTags)")


@check
def training_job_defaults_when_optional_members_are_absent(url):
    sm = client(url)
    name = "train-min-" + RUN
    sm.create_training_job(
        TrainingJobName=name,
        RoleArn=training_job_request(name)["RoleArn"],
        AlgorithmSpecification={"TrainingImage": training_job_request(name)["AlgorithmSpecification"]["TrainingImage"],
                                "TrainingInputMode": "File"},
        OutputDataConfig={"S3OutputPath": "s3://wire-test-bucket/minimal/"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
    )
    job = sm.describe_training_job(TrainingJobName=name)
    eq(job["StoppingCondition"].get("MaxRuntimeInSeconds"), 86400, "default StoppingCondition.MaxRuntimeInSeconds")
    eq(job["OutputDataConfig"].get("KmsKeyId"), "", "OutputDataConfig.KmsKeyId")
    eq(job["ModelArtifacts"]["S3ModelArtifacts"], "s3://wire-test-bucket/minimal/%s/output/model.tar.gz" % name,
       "S3ModelArtifacts with a trailing slash on S3OutputPath")


@check
def training_job_stop_moves_to_stopping_and_stopping_twice_is_accepted(url):
    sm = client(url)
    name = "train-stop-" + RUN
    sm.create_training_job(**training_job_request(name))
    stopped = sm.stop_training_job(TrainingJobName=name)
    request_id_of(stopped, "StopTrainingJob")
    job = sm.describe_training_job(TrainingJobName=name)
    eq(job["TrainingJobStatus"], "Stopping", "TrainingJobStatus after stop")
    eq(job["SecondaryStatus"], "Stopping", "SecondaryStatus after stop")
    transitions = job["SecondaryStatusTransitions"]
    eq([t["Status"] for t in transitions], ["Starting", "Stopping"], "SecondaryStatusTransitions statuses")
    eq(transitions[-1].get("StatusMessage"), "Stopping the training job", "last StatusMessage")
    is_time(transitions[0].get("EndTime"), "the closed transition's EndTime")
    sm.stop_training_job(TrainingJobName=name)
    eq(sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"], "Stopping", "status after a second stop")


@check
def training_job_appears_in_list_with_summary_fields(url):
    sm = client(url)
    name = "train-" + RUN
    listed = sm.list_training_jobs(NameContains=name, MaxResults=100)
    request_id_of(listed, "ListTrainingJobs")
    summaries = [s for s in listed["TrainingJobSummaries"] if s["TrainingJobName"] == name]
    eq(len(summaries), 1, "summaries named %s" % name)
    summary = summaries[0]
    eq(summary["TrainingJobArn"], arn("training-job", name), "summary TrainingJobArn")
    eq(summary["TrainingJobStatus"], "InProgress", "summary TrainingJobStatus")
    eq(summary.get("SecondaryStatus"), "Starting", "summary SecondaryStatus")
    is_time(summary.get("LastModifiedTime"), "summary LastModifiedTime", near=now())
    is_time(summary["CreationTime"], "summary CreationTime", near=now())
    true("HyperParameters" not in summary, "a summary must not carry the full description")
    stopping = sm.list_training_jobs(StatusEquals="Stopping", NameContains=RUN)["TrainingJobSummaries"]
    eq(names_in(stopping, "TrainingJobName"), ["train-stop-" + RUN], "StatusEquals=Stopping")


@check
def processing_job_create_describe_list_stop(url):
    sm = client(url)
    name = "proc-" + RUN
    request = processing_job_request(name)
    before = now()
    created = sm.create_processing_job(**request)
    eq(created["ProcessingJobArn"], arn("processing-job", name), "ProcessingJobArn")
    job = sm.describe_processing_job(ProcessingJobName=name)
    eq(job["ProcessingJobName"], name, "ProcessingJobName")
    eq(job["ProcessingJobArn"], created["ProcessingJobArn"], "ProcessingJobArn")
    eq(job["ProcessingJobStatus"], "InProgress", "ProcessingJobStatus")
    is_time(job["CreationTime"], "CreationTime", near=before)
    eq(job["RoleArn"], request["RoleArn"], "RoleArn")
    subset(job["AppSpecification"], request["AppSpecification"], "AppSpecification")
    subset(job["ProcessingResources"], request["ProcessingResources"], "ProcessingResources")
    subset(job["ProcessingInputs"], request["ProcessingInputs"], "ProcessingInputs")
    subset(job["ProcessingOutputConfig"], request["ProcessingOutputConfig"], "ProcessingOutputConfig")
    eq(job["StoppingCondition"], request["StoppingCondition"], "StoppingCondition")
    eq(job.get("Environment"), request["Environment"], "Environment")
    s3_input = job["ProcessingInputs"][0]["S3Input"]
    eq(s3_input.get("S3InputMode"), "File", "default S3InputMode")
    eq(s3_input.get("S3DataDistributionType"), "FullyReplicated", "default S3DataDistributionType")

    summaries = sm.list_processing_jobs(NameContains=name)["ProcessingJobSummaries"]
    eq(names_in(summaries, "ProcessingJobName"), [name], "ListProcessingJobs NameContains")
    eq(summaries[0]["ProcessingJobStatus"], "InProgress", "summary ProcessingJobStatus")
    eq(summaries[0]["ProcessingJobArn"], created["ProcessingJobArn"], "summary ProcessingJobArn")

    sm.stop_processing_job(ProcessingJobName=name)
    eq(sm.describe_processing_job(ProcessingJobName=name)["ProcessingJobStatus"], "Stopping", "status after stop")
    sm.stop_processing_job(ProcessingJobName=name)
    eq(sm.describe_processing_job(ProcessingJobName=name)["ProcessingJobStatus"], "Stopping", "status after a second stop")
    summaries = sm.list_processing_jobs(NameContains=name, StatusEquals="Stopping")["ProcessingJobSummaries"]
    eq(names_in(summaries, "ProcessingJobName"), [name], "ListProcessingJobs StatusEquals=Stopping")


@check
def model_create_describe_list_delete(url):
    sm = client(url)
    name = "Model-Mixed-" + RUN
    request = model_request(name)
    before = now()
    created = sm.create_model(**request)
    eq(created["ModelArn"], arn("model", name), "ModelArn (name lower-cased, as SageMaker prints it)")
    model = sm.describe_model(ModelName=name)
    eq(model["ModelName"], name, "ModelName")
    eq(model["ModelArn"], created["ModelArn"], "ModelArn")
    eq(model["ExecutionRoleArn"], request["ExecutionRoleArn"], "ExecutionRoleArn")
    subset(model["PrimaryContainer"], request["PrimaryContainer"], "PrimaryContainer")
    is_time(model["CreationTime"], "CreationTime", near=before)

    listed = sm.list_models(NameContains=RUN)["Models"]
    mine = [m for m in listed if m["ModelName"] == name]
    eq(len(mine), 1, "ListModels entries for %s" % name)
    eq(mine[0]["ModelArn"], created["ModelArn"], "summary ModelArn")
    is_time(mine[0]["CreationTime"], "summary CreationTime", near=before)

    deleted = sm.delete_model(ModelName=name)
    request_id_of(deleted, "DeleteModel")
    client_error(sm.describe_model, "ValidationException",
                 message='Could not find model "%s".' % arn("model", name), what="DescribeModel after delete", ModelName=name)
    eq([m for m in sm.list_models(NameContains=RUN)["Models"] if m["ModelName"] == name], [], "ListModels after delete")


@check
def endpoint_config_create_describe_list_delete(url):
    sm = client(url)
    model = "ec-model-" + RUN
    name = "ec-" + RUN
    sm.create_model(**model_request(model))
    request = endpoint_config_request(name, model, Tags=[{"Key": "stage", "Value": "dev"}])
    before = now()
    created = sm.create_endpoint_config(**request)
    eq(created["EndpointConfigArn"], arn("endpoint-config", name), "EndpointConfigArn")
    config = sm.describe_endpoint_config(EndpointConfigName=name)
    eq(config["EndpointConfigName"], name, "EndpointConfigName")
    eq(config["EndpointConfigArn"], created["EndpointConfigArn"], "EndpointConfigArn")
    subset(config["ProductionVariants"], request["ProductionVariants"], "ProductionVariants")
    eq(config["ProductionVariants"][0].get("InitialVariantWeight"), 1.0, "default InitialVariantWeight")
    is_time(config["CreationTime"], "CreationTime", near=before)
    eq(sm.list_tags(ResourceArn=created["EndpointConfigArn"])["Tags"], [{"Key": "stage", "Value": "dev"}],
       "tags given to CreateEndpointConfig")

    listed = [c for c in sm.list_endpoint_configs(NameContains=name)["EndpointConfigs"]]
    eq(names_in(listed, "EndpointConfigName"), [name], "ListEndpointConfigs NameContains")
    eq(listed[0]["EndpointConfigArn"], created["EndpointConfigArn"], "summary EndpointConfigArn")

    sm.delete_endpoint_config(EndpointConfigName=name)
    client_error(sm.describe_endpoint_config, "ValidationException",
                 message='Could not find endpoint configuration "%s".' % arn("endpoint-config", name),
                 what="DescribeEndpointConfig after delete", EndpointConfigName=name)
    eq(sm.list_endpoint_configs(NameContains=name)["EndpointConfigs"], [], "ListEndpointConfigs after delete")


@check
def endpoint_create_describe_list_delete_and_endpoint_deleted_waiter(url):
    sm = client(url)
    model = "ep-model-" + RUN
    config = "ep-config-" + RUN
    name = "Ep-" + RUN
    sm.create_model(**model_request(model))
    sm.create_endpoint_config(**endpoint_config_request(config, model))
    before = now()
    created = sm.create_endpoint(EndpointName=name, EndpointConfigName=config, Tags=[{"Key": "owner", "Value": "wire"}])
    eq(created["EndpointArn"], arn("endpoint", name), "EndpointArn (name lower-cased)")
    endpoint = sm.describe_endpoint(EndpointName=name)
    eq(endpoint["EndpointName"], name, "EndpointName")
    eq(endpoint["EndpointArn"], created["EndpointArn"], "EndpointArn")
    eq(endpoint["EndpointConfigName"], config, "EndpointConfigName")
    eq(endpoint["EndpointStatus"], "Creating", "EndpointStatus")
    is_time(endpoint["CreationTime"], "CreationTime", near=before)
    is_time(endpoint["LastModifiedTime"], "LastModifiedTime", near=before)
    variants = endpoint.get("ProductionVariants") or []
    eq([v["VariantName"] for v in variants], ["AllTraffic"], "ProductionVariants[].VariantName")

    listed = sm.list_endpoints(NameContains=RUN)["Endpoints"]
    mine = [e for e in listed if e["EndpointName"] == name]
    eq(len(mine), 1, "ListEndpoints entries for %s" % name)
    eq(mine[0]["EndpointStatus"], "Creating", "summary EndpointStatus")
    eq(mine[0]["EndpointArn"], created["EndpointArn"], "summary EndpointArn")
    is_time(mine[0]["LastModifiedTime"], "summary LastModifiedTime", near=before)
    creating = sm.list_endpoints(NameContains=RUN, StatusEquals="Creating")["Endpoints"]
    true(name in names_in(creating, "EndpointName"), "ListEndpoints StatusEquals=Creating misses %s" % name)
    eq(sm.list_endpoints(NameContains=RUN, StatusEquals="InService")["Endpoints"], [], "ListEndpoints StatusEquals=InService")

    deleted = sm.delete_endpoint(EndpointName=name)
    request_id_of(deleted, "DeleteEndpoint")
    started = now()
    sm.get_waiter("endpoint_deleted").wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    true((now() - started).total_seconds() < 10, "the EndpointDeleted waiter took too long")
    client_error(sm.describe_endpoint, "ValidationException",
                 message='Could not find endpoint "%s".' % arn("endpoint", name), what="DescribeEndpoint after delete",
                 EndpointName=name)
    # Deleting the endpoint leaves its configuration and model in place.
    eq(sm.describe_endpoint_config(EndpointConfigName=config)["EndpointConfigName"], config, "config after endpoint delete")
    eq(sm.describe_model(ModelName=model)["ModelName"], model, "model after endpoint delete")


@check
def transform_job_create_describe_list_stop(url):
    sm = client(url)
    model = "tr-model-" + RUN
    name = "transform-" + RUN
    sm.create_model(**model_request(model))
    request = transform_job_request(name, model)
    before = now()
    created = sm.create_transform_job(**request)
    eq(created["TransformJobArn"], arn("transform-job", name), "TransformJobArn")
    job = sm.describe_transform_job(TransformJobName=name)
    eq(job["TransformJobName"], name, "TransformJobName")
    eq(job["TransformJobArn"], created["TransformJobArn"], "TransformJobArn")
    eq(job["TransformJobStatus"], "InProgress", "TransformJobStatus")
    eq(job["ModelName"], model, "ModelName")
    subset(job["TransformInput"], request["TransformInput"], "TransformInput")
    subset(job["TransformOutput"], request["TransformOutput"], "TransformOutput")
    subset(job["TransformResources"], request["TransformResources"], "TransformResources")
    eq(job["TransformInput"].get("SplitType"), "None", "default TransformInput.SplitType")
    eq(job.get("MaxPayloadInMB"), 6, "default MaxPayloadInMB")
    is_time(job["CreationTime"], "CreationTime", near=before)

    summaries = sm.list_transform_jobs(NameContains=name)["TransformJobSummaries"]
    eq(names_in(summaries, "TransformJobName"), [name], "ListTransformJobs NameContains")
    eq(summaries[0]["TransformJobStatus"], "InProgress", "summary TransformJobStatus")

    sm.stop_transform_job(TransformJobName=name)
    eq(sm.describe_transform_job(TransformJobName=name)["TransformJobStatus"], "Stopping", "status after stop")
    sm.stop_transform_job(TransformJobName=name)
    eq(sm.describe_transform_job(TransformJobName=name)["TransformJobStatus"], "Stopping", "status after a second stop")


@check
def tags_add_list_overwrite_delete(url):
    sm = client(url)
    name = "tags-train-" + RUN
    job_arn = sm.create_training_job(**training_job_request(name))["TrainingJobArn"]
    eq(sm.list_tags(ResourceArn=job_arn)["Tags"], [{"Key": "team", "Value": "ml"}], "tags given to CreateTrainingJob")

    added = sm.add_tags(ResourceArn=job_arn, Tags=[{"Key": "project", "Value": "churn"}, {"Key": "team", "Value": "data"}])
    request_id_of(added, "AddTags")
    eq(sorted(added["Tags"], key=lambda t: t["Key"]),
       [{"Key": "project", "Value": "churn"}, {"Key": "team", "Value": "data"}], "AddTags response Tags")
    tags = sm.list_tags(ResourceArn=job_arn)["Tags"]
    eq(sorted(tags, key=lambda t: t["Key"]),
       [{"Key": "project", "Value": "churn"}, {"Key": "team", "Value": "data"}], "ListTags after AddTags (overwrite by key)")

    deleted = sm.delete_tags(ResourceArn=job_arn, TagKeys=["team", "not-there"])
    request_id_of(deleted, "DeleteTags")
    eq(sm.list_tags(ResourceArn=job_arn)["Tags"], [{"Key": "project", "Value": "churn"}], "ListTags after DeleteTags")

    seen = []
    for page in sm.get_paginator("list_tags").paginate(ResourceArn=job_arn):
        seen.extend(page["Tags"])
    eq(seen, [{"Key": "project", "Value": "churn"}], "list_tags paginator")


@check
def tags_on_models_endpoint_configs_endpoints_and_jobs(url):
    sm = client(url)
    model = "tag-model-" + RUN
    config = "tag-config-" + RUN
    endpoint = "tag-endpoint-" + RUN
    processing = "tag-proc-" + RUN
    transform = "tag-transform-" + RUN
    arns = [
        sm.create_model(**model_request(model))["ModelArn"],
        sm.create_endpoint_config(**endpoint_config_request(config, model))["EndpointConfigArn"],
        sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)["EndpointArn"],
        sm.create_processing_job(**processing_job_request(processing))["ProcessingJobArn"],
        sm.create_transform_job(**transform_job_request(transform, model))["TransformJobArn"],
    ]
    for resource_arn in arns:
        eq(sm.list_tags(ResourceArn=resource_arn)["Tags"], [], "ListTags of untagged %s" % resource_arn)
        sm.add_tags(ResourceArn=resource_arn, Tags=[{"Key": "k", "Value": resource_arn[-8:]}])
        eq(sm.list_tags(ResourceArn=resource_arn)["Tags"], [{"Key": "k", "Value": resource_arn[-8:]}], "ListTags of %s" % resource_arn)
        sm.delete_tags(ResourceArn=resource_arn, TagKeys=["k"])
        eq(sm.list_tags(ResourceArn=resource_arn)["Tags"], [], "ListTags after DeleteTags of %s" % resource_arn)
    sm.delete_endpoint(EndpointName=endpoint)
    client_error(sm.list_tags, "ValidationException", what="ListTags of a deleted endpoint", ResourceArn=arns[2])


@check
def tags_accept_the_arn_in_any_case(url):
    """SageMaker lower-cases model names in ARNs; an ARN built from the mixed-case name must find the same model."""
    sm = client(url)
    name = "Tag-Case-" + RUN
    model_arn = sm.create_model(**model_request(name))["ModelArn"]
    mixed = model_arn[: -len(name)] + name
    true(mixed != model_arn, "the test needs an ARN differing in case")
    sm.add_tags(ResourceArn=mixed, Tags=[{"Key": "case", "Value": "mixed"}])
    eq(sm.list_tags(ResourceArn=model_arn)["Tags"], [{"Key": "case", "Value": "mixed"}], "ListTags by the returned ARN")
    eq(sm.list_tags(ResourceArn=mixed)["Tags"], [{"Key": "case", "Value": "mixed"}], "ListTags by the mixed-case ARN")


@check
def a_model_or_config_in_use_can_be_deleted(url):
    sm = client(url)
    model = "inuse-model-" + RUN
    config = "inuse-config-" + RUN
    endpoint = "inuse-endpoint-" + RUN
    sm.create_model(**model_request(model))
    sm.create_endpoint_config(**endpoint_config_request(config, model))
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    sm.delete_model(ModelName=model)
    eq(sm.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]["ModelName"], model,
       "the configuration still names the deleted model")
    sm.delete_endpoint_config(EndpointConfigName=config)
    endpoint_description = sm.describe_endpoint(EndpointName=endpoint)
    eq(endpoint_description["EndpointConfigName"], config, "the endpoint still names its deleted configuration")
    sm.delete_endpoint(EndpointName=endpoint)


@check
def delete_leaves_other_resources_and_names_can_be_reused(url):
    sm = client(url)
    name = "reuse-" + RUN
    sm.create_model(**model_request(name))
    sm.delete_model(ModelName=name)
    created = sm.create_model(**model_request(name, PrimaryContainer={"Image": "second-image:1"}))
    eq(created["ModelArn"], arn("model", name), "ModelArn of the re-created model")
    eq(sm.describe_model(ModelName=name)["PrimaryContainer"]["Image"], "second-image:1", "re-created model's image")
    sm.delete_model(ModelName=name)


if __name__ == "__main__":
    check.run()
