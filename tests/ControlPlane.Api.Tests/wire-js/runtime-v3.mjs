// The inference gateway driven by the AWS SDK for JavaScript v3 (@aws-sdk/client-sagemaker-runtime), as users'
// Node.js code calls it: InvokeEndpoint, InvokeEndpointWithResponseStream (the SDK's own event-stream decoder, which
// checks every message's lengths and CRCs) and the typed exceptions their catch blocks test with `e.name`.
//
// usage: node runtime-v3.mjs <gateway-url> <endpoint-name>
// The endpoint runs deploy/test-images/scripted-server; its AsyncInferenceConfig writes answers under s3://bucket/js-async.
// Prints `PASS name` / `FAIL name: reason` per check and exits 1 when any check failed (the pattern of ../wire/*.py).

import "./isolated-env.mjs";

const {
  SageMakerRuntimeClient,
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  InvokeEndpointAsyncCommand,
  ModelError,
  ValidationError,
} = await import("@aws-sdk/client-sagemaker-runtime");

const [url, endpoint] = process.argv.slice(2);
const runtime = new SageMakerRuntimeClient({
  endpoint: url,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
});
const encode = (text) => new TextEncoder().encode(text);
const decode = (bytes) => new TextDecoder().decode(bytes);
let failures = 0;

function check(name, condition, detail) {
  console.log(condition ? `PASS ${name}` : `FAIL ${name}: ${JSON.stringify(detail)}`);
  if (!condition) failures += 1;
}

/** The error a call (or reading its stream) throws, or null. */
async function errorOf(action) {
  try {
    await action();
    return null;
  } catch (error) {
    return error;
  }
}

const answer = await runtime.send(new InvokeEndpointCommand({
  EndpointName: endpoint, Body: encode("1.0,2.0\n"), ContentType: "text/csv", Accept: "application/json",
  CustomAttributes: "trace=js",
}));
const echo = JSON.parse(decode(answer.Body));
check("InvokeEndpoint: the body is the model's", echo.body === "1.0,2.0\n", echo);
check("InvokeEndpoint: Accept forwarded", echo.accept === "application/json", echo);
check("InvokeEndpoint: ContentType, CustomAttributes and variant answered",
  answer.ContentType === "text/csv" && answer.CustomAttributes === "seen=trace=js" && answer.InvokedProductionVariant === "AllTraffic",
  { ContentType: answer.ContentType, CustomAttributes: answer.CustomAttributes, InvokedProductionVariant: answer.InvokedProductionVariant });

const modelError = await errorOf(() => runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: encode("!status 500"), ContentType: "text/csv" })));
check("InvokeEndpoint: a model's 500 is a ModelError with OriginalStatusCode 500",
  modelError instanceof ModelError && modelError.name === "ModelError" && modelError.OriginalStatusCode === 500
    && modelError.$metadata.httpStatusCode === 424,
  { name: modelError?.name, OriginalStatusCode: modelError?.OriginalStatusCode, status: modelError?.$metadata?.httpStatusCode });

const streamed = await runtime.send(new InvokeEndpointWithResponseStreamCommand({
  EndpointName: endpoint, Body: encode("!stream 3 0.3"), ContentType: "text/plain", Accept: "application/jsonlines",
  CustomAttributes: "trace=js",
}));
const parts = [];
for await (const event of streamed.Body) {
  if (event.PayloadPart) parts.push(decode(event.PayloadPart.Bytes));
}
check("InvokeEndpointWithResponseStream: the parts joined are the model's answer",
  parts.join("") === [1, 2, 3].map((i) => `part ${i} of 3 for application/jsonlines\n`).join(""), parts);
check("InvokeEndpointWithResponseStream: each flushed chunk is its own PayloadPart", parts.length === 3, parts);
check("InvokeEndpointWithResponseStream: ContentType, CustomAttributes and variant answered",
  streamed.ContentType === "text/plain" && streamed.CustomAttributes === "seen=trace=js" && streamed.InvokedProductionVariant === "AllTraffic",
  { ContentType: streamed.ContentType, CustomAttributes: streamed.CustomAttributes, InvokedProductionVariant: streamed.InvokedProductionVariant });

const broken = await runtime.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: endpoint, Body: encode("!stream-break 2"), ContentType: "text/plain" }));
const brokenParts = [];
const streamError = await errorOf(async () => {
  for await (const event of broken.Body) {
    if (event.PayloadPart) brokenParts.push(decode(event.PayloadPart.Bytes));
  }
});
check("InvokeEndpointWithResponseStream: a broken-off answer delivers its parts, then throws ModelStreamError StreamBroken",
  brokenParts.join("").startsWith("part 1 of 2") && streamError?.name === "ModelStreamError" && streamError?.ErrorCode === "StreamBroken",
  { parts: brokenParts, name: streamError?.name, ErrorCode: streamError?.ErrorCode, message: streamError?.message });

const streamModelError = await errorOf(() => runtime.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: endpoint, Body: encode("!status 500"), ContentType: "text/plain" })));
check("InvokeEndpointWithResponseStream: a model's 500 before streaming is a ModelError",
  streamModelError instanceof ModelError && streamModelError.OriginalStatusCode === 500, { name: streamModelError?.name });

const queued = await runtime.send(new InvokeEndpointAsyncCommand({
  EndpointName: endpoint, InputLocation: "s3://bucket/js-async-in/rows.csv", ContentType: "text/csv", InferenceId: "js-1",
}));
check("InvokeEndpointAsync: 202 with the inference id and where its answer and failure go",
  queued.$metadata.httpStatusCode === 202 && queued.InferenceId === "js-1"
    && queued.OutputLocation === "s3://bucket/js-async/js-1.out" && queued.FailureLocation === "s3://bucket/js-async/js-1-error.out",
  { status: queued.$metadata.httpStatusCode, InferenceId: queued.InferenceId, OutputLocation: queued.OutputLocation, FailureLocation: queued.FailureLocation });

const unknown = await errorOf(() => runtime.send(new InvokeEndpointCommand({ EndpointName: "never-created", Body: encode("x") })));
check("an unknown endpoint is a ValidationError",
  unknown instanceof ValidationError && unknown.message.startsWith("Endpoint never-created of account"), { name: unknown?.name, message: unknown?.message });

process.exit(failures ? 1 : 0);
