// The service driven by the AWS SDK for JavaScript v3 (@aws-sdk/client-sagemaker), as users' Node.js code drives it:
// commands, a paginator, a waiter and the typed exceptions their catch blocks test with `e.name` / `instanceof`.
//
// usage: node sdk-v3.mjs <service-url>
// Prints `PASS name` / `FAIL name: reason` per check and exits 1 when any check failed (the pattern of ../wire/*.py).
//
// JS v3 differs from botocore where it matters to the service: it sends the target header lower-case
// (`x-amz-target`), sends `{}` for empty input, parses timestamps into Date objects, reads the error code from the
// `x-amzn-errortype` header before the body's `__type`, and takes $metadata.requestId from `x-amzn-requestid`.

import { randomUUID } from "node:crypto";
import "./isolated-env.mjs";

const {
  SageMakerClient,
  SageMakerServiceException,
  ResourceInUse,
  CreateModelCommand,
  DescribeModelCommand,
  ListModelsCommand,
  DeleteModelCommand,
  CreateEndpointConfigCommand,
  CreateEndpointCommand,
  DescribeEndpointCommand,
  DeleteEndpointCommand,
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  StopTrainingJobCommand,
  CreateProcessingJobCommand,
  DescribeProcessingJobCommand,
  CreateTransformJobCommand,
  DescribeTransformJobCommand,
  AddTagsCommand,
  ListTagsCommand,
  DeleteTagsCommand,
  paginateListModels,
  waitUntilEndpointDeleted,
} = await import("@aws-sdk/client-sagemaker");

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const ROLE_ARN = "arn:aws:iam::123456789012:role/SageMakerRole";
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/wire-test:latest";
const BUCKET = "s3://wire-test-bucket";
const JOB_NAME_PATTERN = "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}";
const RUN = randomUUID().replaceAll("-", "").slice(0, 10);

// ---------------------------------------------------------------------------------------------------------------------
// The client, and what went over the wire

/** A client as the brief's users create it; `exchanges` records each raw request and response the SDK handled. */
function client(url) {
  const sm = new SageMakerClient({
    endpoint: url,
    region: REGION,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const exchanges = [];
  // Innermost in the stack: sees the signed request as sent and the raw response before the SDK deserializes it.
  sm.middlewareStack.add(
    (next) => async (args) => {
      const exchange = { request: args.request, response: undefined };
      exchanges.push(exchange);
      const result = await next(args);
      exchange.response = result.response;
      return result;
    },
    { step: "deserialize", priority: "low", name: "wireRecorder" },
  );
  return { sm, exchanges, send: (command) => sm.send(command), last: () => exchanges[exchanges.length - 1] };
}

/** The request body as sent: JS v3 serializes JSON into a Uint8Array. */
const bodyText = (request) => (typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body));

function arn(kind, name) {
  const shown = ["model", "endpoint-config", "endpoint"].includes(kind) ? name.toLowerCase() : name;
  return `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${kind}/${shown}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Checks

class CheckFailed extends Error {}

function fail(message) {
  throw new CheckFailed(message);
}

const show = (value) => JSON.stringify(value, (_, v) => (v instanceof Date ? `Date(${v.toISOString()})` : v));

function eq(actual, expected, what) {
  if (show(actual) !== show(expected)) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

function truthy(condition, what) {
  if (!condition) fail(what);
}

/** Every member of `expected` is in `actual` with the same value (recursively); `actual` may have more (defaults). */
function subset(actual, expected, what) {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
    expected.forEach((e, i) => subset(actual[i], e, `${what}[${i}]`));
  } else if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object") fail(`${what}: expected an object, got ${show(actual)}`);
    for (const [key, value] of Object.entries(expected)) {
      if (!(key in actual)) fail(`${what}: member ${key} missing (got ${show(Object.keys(actual))})`);
      subset(actual[key], value, `${what}.${key}`);
    }
  } else if (actual !== expected) {
    fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** A timestamp the SDK parsed from the wire (epoch seconds) into a Date, within 10 minutes of `near`. */
function isTime(value, what, near = new Date()) {
  if (!(value instanceof Date)) fail(`${what}: expected a Date, got ${show(value)} (${typeof value})`);
  if (Number.isNaN(value.getTime())) fail(`${what}: an invalid Date`);
  const delta = Math.abs(value.getTime() - near.getTime()) / 1000;
  if (delta > 600) fail(`${what}: ${value.toISOString()} is ${delta.toFixed(0)} s away from ${near.toISOString()}`);
}

/** A successful output's $metadata: HTTP 200 and the request id from x-amzn-requestid. */
function ok(output, what) {
  const metadata = output?.$metadata ?? {};
  eq(metadata.httpStatusCode, 200, `${what} $metadata.httpStatusCode`);
  truthy(typeof metadata.requestId === "string" && metadata.requestId.length > 0,
    `${what}: $metadata.requestId is empty ($metadata ${show(metadata)})`);
  return output;
}

/**
 * Sends `command`, which must fail with a service exception named `name` (and `message`); returns the exception.
 * Also checks the raw response agrees: x-amzn-errortype (which JS v3 reads first) and x-amzn-requestid.
 */
async function serviceError(c, command, name, { message, messageContains, what }) {
  let result;
  try {
    result = await c.send(command);
  } catch (e) {
    if (!(e instanceof SageMakerServiceException)) {
      fail(`${what}: expected a SageMakerServiceException, got ${e?.constructor?.name}: ${e?.stack ?? e}`);
    }
    eq(e.name, name, `${what} e.name (message ${show(e.message)})`);
    if (message !== undefined) eq(e.message, message, `${what} e.message`);
    for (const fragment of [].concat(messageContains ?? [])) {
      truthy(typeof e.message === "string" && e.message.includes(fragment), `${what}: e.message ${show(e.message)} lacks ${show(fragment)}`);
    }
    truthy(e.message, `${what}: e.message is empty`);
    eq(e.$fault, "client", `${what} e.$fault`);
    eq(e.$metadata?.httpStatusCode, 400, `${what} e.$metadata.httpStatusCode`);
    truthy(typeof e.$metadata?.requestId === "string" && e.$metadata.requestId.length > 0,
      `${what}: e.$metadata.requestId is empty ($metadata ${show(e.$metadata)})`);
    const headers = c.last()?.response?.headers ?? {};
    eq(headers["x-amzn-errortype"]?.split(":")[0], name, `${what} x-amzn-errortype header`);
    eq(headers["x-amzn-requestid"], e.$metadata.requestId, `${what} x-amzn-requestid header vs $metadata.requestId`);
    return e;
  }
  fail(`${what}: expected ${name}, the call succeeded with ${show(result)}`);
}

const checks = [];
const check = (name, run) => checks.push({ name, run });

// ---------------------------------------------------------------------------------------------------------------------
// Requests, as users write them (the same shapes as ../wire/wirecheck.py)

const trainingJobRequest = (name, overrides = {}) => ({
  TrainingJobName: name,
  RoleArn: ROLE_ARN,
  AlgorithmSpecification: {
    TrainingImage: IMAGE,
    TrainingInputMode: "File",
    MetricDefinitions: [{ Name: "train:loss", Regex: "loss=([0-9.]+)" }],
  },
  HyperParameters: { max_depth: "5", eta: "0.2" },
  InputDataConfig: [
    {
      ChannelName: "train",
      DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: `${BUCKET}/train/` } },
      ContentType: "text/csv",
    },
  ],
  OutputDataConfig: { S3OutputPath: `${BUCKET}/output` },
  ResourceConfig: { InstanceType: "ml.m5.large", InstanceCount: 1, VolumeSizeInGB: 10 },
  StoppingCondition: { MaxRuntimeInSeconds: 3600 },
  Environment: { MODE: "test" },
  Tags: [{ Key: "team", Value: "ml" }],
  ...overrides,
});

const processingJobRequest = (name) => ({
  ProcessingJobName: name,
  RoleArn: ROLE_ARN,
  AppSpecification: {
    ImageUri: IMAGE,
    ContainerEntrypoint: ["python3", "/opt/ml/processing/code/run.py"],
    ContainerArguments: ["--rows", "10"],
  },
  ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: "ml.m5.xlarge", VolumeSizeInGB: 30 } },
  ProcessingInputs: [
    {
      InputName: "raw",
      S3Input: { S3Uri: `${BUCKET}/raw/`, LocalPath: "/opt/ml/processing/input", S3DataType: "S3Prefix" },
    },
  ],
  ProcessingOutputConfig: {
    Outputs: [
      {
        OutputName: "clean",
        S3Output: { S3Uri: `${BUCKET}/clean/`, LocalPath: "/opt/ml/processing/output", S3UploadMode: "EndOfJob" },
      },
    ],
  },
  StoppingCondition: { MaxRuntimeInSeconds: 600 },
  Environment: { STAGE: "test" },
});

const modelRequest = (name) => ({
  ModelName: name,
  ExecutionRoleArn: ROLE_ARN,
  PrimaryContainer: {
    Image: IMAGE,
    ModelDataUrl: `${BUCKET}/output/model.tar.gz`,
    Environment: { SAGEMAKER_PROGRAM: "inference.py" },
  },
});

const endpointConfigRequest = (name, modelName) => ({
  EndpointConfigName: name,
  ProductionVariants: [{ VariantName: "AllTraffic", ModelName: modelName, InitialInstanceCount: 1, InstanceType: "ml.m5.large" }],
});

const transformJobRequest = (name, modelName) => ({
  TransformJobName: name,
  ModelName: modelName,
  TransformInput: {
    DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: `${BUCKET}/batch-in/` } },
    ContentType: "text/csv",
  },
  TransformOutput: { S3OutputPath: `${BUCKET}/batch-out/` },
  TransformResources: { InstanceType: "ml.m5.large", InstanceCount: 1 },
});

// ---------------------------------------------------------------------------------------------------------------------

check("the_sdk_sends_lower_case_x_amz_target_and_empty_input_as_an_empty_object", async (url) => {
  const c = client(url);
  const listed = ok(await c.send(new ListModelsCommand({})), "ListModels {}");
  truthy(Array.isArray(listed.Models), `ListModels with no input: Models is ${show(listed.Models)}`);
  const { request, response } = c.last();
  eq(request.method, "POST", "request method");
  eq(request.path, "/", "request path");
  eq(request.headers["x-amz-target"], "SageMaker.ListModels", "the lower-case x-amz-target header the SDK sent");
  truthy(!("X-Amz-Target" in request.headers), "the SDK sent X-Amz-Target capitalised; the check needs the lower-case form");
  eq(request.headers["content-type"], "application/x-amz-json-1.1", "request content-type");
  eq(bodyText(request), "{}", "request body of an input with no members");
  eq(response.statusCode, 200, "response status");
  eq(response.headers["content-type"]?.split(";")[0], "application/x-amz-json-1.1", "response content-type");
  eq(response.headers["x-amzn-requestid"], listed.$metadata.requestId, "x-amzn-requestid header vs $metadata.requestId");
});

check("model_create_describe_list_delete_with_dates", async (url) => {
  const c = client(url);
  const name = `Js-Model-${RUN}`;
  const request = modelRequest(name);
  const before = new Date();
  const created = ok(await c.send(new CreateModelCommand(request)), "CreateModel");
  eq(created.ModelArn, arn("model", name), "ModelArn (name lower-cased)");

  const model = ok(await c.send(new DescribeModelCommand({ ModelName: name })), "DescribeModel");
  eq(model.ModelName, name, "ModelName");
  eq(model.ModelArn, created.ModelArn, "ModelArn");
  eq(model.ExecutionRoleArn, ROLE_ARN, "ExecutionRoleArn");
  subset(model.PrimaryContainer, request.PrimaryContainer, "PrimaryContainer");
  isTime(model.CreationTime, "DescribeModel CreationTime", before);

  const listed = ok(await c.send(new ListModelsCommand({ NameContains: RUN })), "ListModels");
  const mine = listed.Models.filter((m) => m.ModelName === name);
  eq(mine.length, 1, `ListModels entries for ${name}`);
  eq(mine[0].ModelArn, created.ModelArn, "summary ModelArn");
  isTime(mine[0].CreationTime, "summary CreationTime", before);

  ok(await c.send(new DeleteModelCommand({ ModelName: name })), "DeleteModel");
  await serviceError(c, new DescribeModelCommand({ ModelName: name }), "ValidationException", {
    message: `Could not find model "${arn("model", name)}".`,
    what: "DescribeModel after delete",
  });
  const after = ok(await c.send(new ListModelsCommand({ NameContains: RUN })), "ListModels after delete");
  eq(after.Models.filter((m) => m.ModelName === name), [], "ListModels after delete");
});

check("endpoint_config_and_endpoint_create_describe_delete_and_the_endpoint_deleted_waiter", async (url) => {
  const c = client(url);
  const model = `js-ep-model-${RUN}`;
  const config = `js-ep-config-${RUN}`;
  const name = `Js-Ep-${RUN}`;
  await c.send(new CreateModelCommand(modelRequest(model)));
  const before = new Date();
  const createdConfig = ok(await c.send(new CreateEndpointConfigCommand(endpointConfigRequest(config, model))), "CreateEndpointConfig");
  eq(createdConfig.EndpointConfigArn, arn("endpoint-config", config), "EndpointConfigArn");

  const created = ok(await c.send(new CreateEndpointCommand({
    EndpointName: name,
    EndpointConfigName: config,
    Tags: [{ Key: "owner", Value: "wire-js" }],
  })), "CreateEndpoint");
  eq(created.EndpointArn, arn("endpoint", name), "EndpointArn (name lower-cased)");

  const endpoint = ok(await c.send(new DescribeEndpointCommand({ EndpointName: name })), "DescribeEndpoint");
  eq(endpoint.EndpointName, name, "EndpointName");
  eq(endpoint.EndpointArn, created.EndpointArn, "EndpointArn");
  eq(endpoint.EndpointConfigName, config, "EndpointConfigName");
  eq(endpoint.EndpointStatus, "Creating", "EndpointStatus");
  isTime(endpoint.CreationTime, "DescribeEndpoint CreationTime", before);
  isTime(endpoint.LastModifiedTime, "DescribeEndpoint LastModifiedTime", before);

  ok(await c.send(new DeleteEndpointCommand({ EndpointName: name })), "DeleteEndpoint");
  const started = Date.now();
  // The waiter succeeds when DescribeEndpoint throws an exception whose name is ValidationException.
  const waited = await waitUntilEndpointDeleted({ client: c.sm, maxWaitTime: 10, minDelay: 1, maxDelay: 2 }, { EndpointName: name });
  eq(waited.state, "SUCCESS", "waitUntilEndpointDeleted state");
  truthy(Date.now() - started < 10_000, `waitUntilEndpointDeleted took ${Date.now() - started} ms`);
  await serviceError(c, new DescribeEndpointCommand({ EndpointName: name }), "ValidationException", {
    message: `Could not find endpoint "${arn("endpoint", name)}".`,
    what: "DescribeEndpoint after delete",
  });
});

check("training_job_create_describe_stop_with_secondary_status_transitions", async (url) => {
  const c = client(url);
  const name = `js-train-${RUN}`;
  const request = trainingJobRequest(name);
  const before = new Date();
  const created = ok(await c.send(new CreateTrainingJobCommand(request)), "CreateTrainingJob");
  eq(created.TrainingJobArn, arn("training-job", name), "TrainingJobArn");

  const job = ok(await c.send(new DescribeTrainingJobCommand({ TrainingJobName: name })), "DescribeTrainingJob");
  eq(job.TrainingJobName, name, "TrainingJobName");
  eq(job.TrainingJobArn, created.TrainingJobArn, "TrainingJobArn");
  eq(job.TrainingJobStatus, "InProgress", "TrainingJobStatus");
  eq(job.SecondaryStatus, "Starting", "SecondaryStatus");
  const transitions = job.SecondaryStatusTransitions ?? [];
  truthy(transitions.length >= 1, "SecondaryStatusTransitions is empty");
  eq(transitions.at(-1).Status, "Starting", "SecondaryStatusTransitions[-1].Status");
  eq(transitions.at(-1).StatusMessage, "Starting the training job", "SecondaryStatusTransitions[-1].StatusMessage");
  isTime(transitions.at(-1).StartTime, "SecondaryStatusTransitions[-1].StartTime", before);
  isTime(job.CreationTime, "CreationTime", before);
  isTime(job.LastModifiedTime, "LastModifiedTime", before);
  eq(job.RoleArn, ROLE_ARN, "RoleArn");
  subset(job.AlgorithmSpecification, request.AlgorithmSpecification, "AlgorithmSpecification");
  eq(job.HyperParameters, request.HyperParameters, "HyperParameters");
  subset(job.InputDataConfig, request.InputDataConfig, "InputDataConfig");
  subset(job.ResourceConfig, request.ResourceConfig, "ResourceConfig");
  eq(job.StoppingCondition?.MaxRuntimeInSeconds, 3600, "StoppingCondition.MaxRuntimeInSeconds");

  ok(await c.send(new StopTrainingJobCommand({ TrainingJobName: name })), "StopTrainingJob");
  const stopped = ok(await c.send(new DescribeTrainingJobCommand({ TrainingJobName: name })), "DescribeTrainingJob after stop");
  eq(stopped.TrainingJobStatus, "Stopping", "TrainingJobStatus after stop");
  eq(stopped.SecondaryStatus, "Stopping", "SecondaryStatus after stop");
  eq((stopped.SecondaryStatusTransitions ?? []).map((t) => t.Status), ["Starting", "Stopping"], "SecondaryStatusTransitions statuses");
  isTime(stopped.SecondaryStatusTransitions[0].EndTime, "the closed transition's EndTime", before);
});

check("processing_job_create_describe", async (url) => {
  const c = client(url);
  const name = `js-proc-${RUN}`;
  const request = processingJobRequest(name);
  const before = new Date();
  const created = ok(await c.send(new CreateProcessingJobCommand(request)), "CreateProcessingJob");
  eq(created.ProcessingJobArn, arn("processing-job", name), "ProcessingJobArn");
  const job = ok(await c.send(new DescribeProcessingJobCommand({ ProcessingJobName: name })), "DescribeProcessingJob");
  eq(job.ProcessingJobName, name, "ProcessingJobName");
  eq(job.ProcessingJobArn, created.ProcessingJobArn, "ProcessingJobArn");
  eq(job.ProcessingJobStatus, "InProgress", "ProcessingJobStatus");
  isTime(job.CreationTime, "CreationTime", before);
  eq(job.RoleArn, ROLE_ARN, "RoleArn");
  subset(job.AppSpecification, request.AppSpecification, "AppSpecification");
  subset(job.ProcessingResources, request.ProcessingResources, "ProcessingResources");
  subset(job.ProcessingInputs, request.ProcessingInputs, "ProcessingInputs");
  subset(job.ProcessingOutputConfig, request.ProcessingOutputConfig, "ProcessingOutputConfig");
  eq(job.StoppingCondition, request.StoppingCondition, "StoppingCondition");
  eq(job.Environment, request.Environment, "Environment");
});

check("transform_job_create_describe", async (url) => {
  const c = client(url);
  const model = `js-tr-model-${RUN}`;
  const name = `js-transform-${RUN}`;
  await c.send(new CreateModelCommand(modelRequest(model)));
  const request = transformJobRequest(name, model);
  const before = new Date();
  const created = ok(await c.send(new CreateTransformJobCommand(request)), "CreateTransformJob");
  eq(created.TransformJobArn, arn("transform-job", name), "TransformJobArn");
  const job = ok(await c.send(new DescribeTransformJobCommand({ TransformJobName: name })), "DescribeTransformJob");
  eq(job.TransformJobName, name, "TransformJobName");
  eq(job.TransformJobArn, created.TransformJobArn, "TransformJobArn");
  eq(job.TransformJobStatus, "InProgress", "TransformJobStatus");
  eq(job.ModelName, model, "ModelName");
  subset(job.TransformInput, request.TransformInput, "TransformInput");
  subset(job.TransformOutput, request.TransformOutput, "TransformOutput");
  subset(job.TransformResources, request.TransformResources, "TransformResources");
  isTime(job.CreationTime, "CreationTime", before);
});

check("tags_add_list_delete", async (url) => {
  const c = client(url);
  const name = `js-tags-${RUN}`;
  const jobArn = (await c.send(new CreateTrainingJobCommand(trainingJobRequest(name)))).TrainingJobArn;
  const byKey = (tags) => [...(tags ?? [])].sort((a, b) => a.Key.localeCompare(b.Key));
  eq(ok(await c.send(new ListTagsCommand({ ResourceArn: jobArn })), "ListTags").Tags, [{ Key: "team", Value: "ml" }],
    "tags given to CreateTrainingJob");

  const added = ok(await c.send(new AddTagsCommand({
    ResourceArn: jobArn,
    Tags: [{ Key: "project", Value: "churn" }, { Key: "team", Value: "data" }],
  })), "AddTags");
  eq(byKey(added.Tags), [{ Key: "project", Value: "churn" }, { Key: "team", Value: "data" }], "AddTags response Tags");
  eq(byKey((await c.send(new ListTagsCommand({ ResourceArn: jobArn }))).Tags),
    [{ Key: "project", Value: "churn" }, { Key: "team", Value: "data" }], "ListTags after AddTags (overwrite by key)");

  ok(await c.send(new DeleteTagsCommand({ ResourceArn: jobArn, TagKeys: ["team"] })), "DeleteTags");
  eq((await c.send(new ListTagsCommand({ ResourceArn: jobArn }))).Tags, [{ Key: "project", Value: "churn" }],
    "ListTags after DeleteTags");
});

check("paginate_list_models_sees_every_model_once_over_pages_of_two", async (url) => {
  const c = client(url);
  const created = [3, 0, 4, 1, 2].map((i) => `jspg-${RUN}-${i}`);
  for (const name of created) {
    await c.send(new CreateModelCommand(modelRequest(name)));
  }
  const pages = [];
  for await (const page of paginateListModels({ client: c.sm, pageSize: 2 }, { NameContains: `jspg-${RUN}` })) {
    ok(page, `ListModels page ${pages.length + 1}`);
    pages.push(page);
  }
  pages.forEach((page, i) => {
    const last = i === pages.length - 1;
    truthy(page.Models.length <= 2, `page ${i + 1} has ${page.Models.length} models, more than pageSize 2`);
    if (last) truthy(!page.NextToken, `the last page carries NextToken ${show(page.NextToken)}`);
    else truthy(page.NextToken, `page ${i + 1} of ${pages.length} has no NextToken`);
  });
  eq(pages.map((p) => p.Models.length), [2, 2, 1], "page sizes");
  const seen = pages.flatMap((p) => p.Models.map((m) => m.ModelName));
  eq(seen.length, new Set(seen).size, `models seen more than once: ${show(seen)}`);
  eq([...seen].sort(), [...created].sort(), "the models the paginator saw");
  eq(seen, [...created].reverse(), "ListModels default order (CreationTime Descending)");
  // The requests carried the page size and the previous page's token.
  const bodies = c.exchanges.filter((x) => x.request.headers["x-amz-target"] === "SageMaker.ListModels").map((x) => JSON.parse(bodyText(x.request)));
  eq(bodies.map((b) => b.MaxResults), [2, 2, 2], "MaxResults sent on each page");
  eq(bodies.slice(1).map((b) => b.NextToken), pages.slice(0, -1).map((p) => p.NextToken), "NextToken sent for pages 2 and 3");
});

check("unknown_model_is_a_validation_exception_with_could_not_find", async (url) => {
  const c = client(url);
  const name = `Js-Missing-${RUN}`;
  const first = await serviceError(c, new DescribeModelCommand({ ModelName: name }), "ValidationException", {
    message: `Could not find model "${arn("model", name)}".`,
    what: "DescribeModel of an unknown name",
  });
  truthy(!(first instanceof ResourceInUse), "a ValidationException must not deserialize as ResourceInUse");
  // The SageMaker Python SDK's "does not exist" test, as users port it to JS.
  truthy(first.name === "ValidationException" && first.message.includes("Could not find"), "the does-not-exist test");
  const second = await serviceError(c, new DescribeModelCommand({ ModelName: name }), "ValidationException", {
    what: "DescribeModel again",
  });
  truthy(second.$metadata.requestId !== first.$metadata.requestId, "request ids must differ between requests");
});

check("duplicate_training_job_is_the_modeled_resource_in_use_exception", async (url) => {
  const c = client(url);
  const name = `js-dup-train-${RUN}`;
  await c.send(new CreateTrainingJobCommand(trainingJobRequest(name)));
  const error = await serviceError(c, new CreateTrainingJobCommand(trainingJobRequest(name)), "ResourceInUse", {
    message: "Training job names must be unique within an AWS account and region, and a training job with this name "
      + `already exists (${arn("training-job", name)})`,
    what: "CreateTrainingJob twice",
  });
  truthy(error instanceof ResourceInUse, `expected the modeled ResourceInUse class, got ${error.constructor.name}`);
  eq(error.Message ?? error.message, error.message, "the modeled Message member");
});

check("bad_names_are_validation_exceptions_with_the_coral_message", async (url) => {
  const c = client(url);
  // JS v3 validates nothing client side: the service must.
  await serviceError(c, new CreateTrainingJobCommand(trainingJobRequest("bad_name")), "ValidationException", {
    message: "1 validation error detected: Value 'bad_name' at 'trainingJobName' failed to satisfy constraint: "
      + `Member must satisfy regular expression pattern: ${JOB_NAME_PATTERN}`,
    what: "CreateTrainingJob bad_name",
  });
  await serviceError(c, new CreateModelCommand(modelRequest("bad_model")), "ValidationException", {
    message: "1 validation error detected: Value 'bad_model' at 'modelName' failed to satisfy constraint: "
      + "Member must satisfy regular expression pattern: ^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?",
    what: "CreateModel bad_model",
  });
  const tooLong = "a".repeat(64);
  const error = await serviceError(c, new DescribeTrainingJobCommand({ TrainingJobName: tooLong }), "ValidationException", {
    messageContains: [
      "2 validation errors detected: ",
      `Value '${tooLong}' at 'trainingJobName' failed to satisfy constraint: Member must have length less than or equal to 63`,
    ],
    what: "DescribeTrainingJob with 64 characters",
  });
  truthy(!(error instanceof ResourceInUse), "a ValidationException must not be ResourceInUse");
});

// ---------------------------------------------------------------------------------------------------------------------

async function main() {
  const url = process.argv[2]?.replace(/\/+$/, "");
  if (!url) {
    process.stderr.write("usage: node sdk-v3.mjs <service-url>\n");
    process.exit(2);
  }
  let failed = 0;
  for (const { name, run } of checks) {
    const started = performance.now();
    try {
      await run(url);
      console.log(`PASS ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed += 1;
      if (e instanceof CheckFailed) {
        console.log(`FAIL ${name}: ${e.message}`);
      } else {
        const metadata = e?.$metadata ? ` $metadata ${show(e.$metadata)}` : "";
        console.log(`FAIL ${name}: ${e?.name}: ${e?.message}${metadata}\n    ${String(e?.stack ?? e).replaceAll("\n", "\n    ")}`);
      }
    }
  }
  console.log(`${checks.length} checks, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

await main();
