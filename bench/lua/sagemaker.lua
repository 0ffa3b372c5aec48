-- wrk script for the SageMaker wire protocol (AWS JSON 1.1 over `POST /`).
--
-- Usage: wrk -t T -c C -d 10s -s bench/lua/sagemaker.lua http://127.0.0.1:PORT -- OP RUNTAG [JOBNAME]
--   OP      DescribeTrainingJob | ListTrainingJobs | CreateModel
--   RUNTAG  short [a-z0-9] tag put into CreateModel names (keeps reruns unique)
--   JOBNAME training job to describe (default bench-job-000)
--
-- Every response is checked: a status other than 200, or a 200 whose body lacks
-- the field the operation must return, is counted as an error. done() prints one
-- machine-readable BENCH_RESULT line (and a BENCH_SAMPLE line for the first error).

local AUTH = "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sagemaker/aws4_request, " ..
  "SignedHeaders=content-type;host;x-amz-date;x-amz-target, " ..
  "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

local MARKER = {
  DescribeTrainingJob = '"TrainingJobArn"',
  ListTrainingJobs    = '"TrainingJobSummaries"',
  CreateModel         = '"ModelArn"',
}

local threads = {}
local next_tid = 0

-- runs in the main Lua state, once per wrk thread, before that thread's init()
function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(threads, thread)
end

-- per-thread state (globals of the thread's own Lua state)
non200 = 0
badbody = 0
sample = ""
counter = 0

local marker

function init(args)
  local op = args[1] or error("missing OP argument (after --)")
  local runtag = args[2] or "r"
  local job = args[3] or "bench-job-000"
  marker = MARKER[op] or error("unknown OP " .. op)

  wrk.method = "POST"
  wrk.path = "/"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.headers["X-Amz-Target"] = "SageMaker." .. op
  wrk.headers["X-Amz-Date"] = "20250101T000000Z"
  wrk.headers["Authorization"] = AUTH

  if op == "DescribeTrainingJob" then
    wrk.body = '{"TrainingJobName":"' .. job .. '"}'
  elseif op == "ListTrainingJobs" then
    wrk.body = '{"MaxResults":100}'
  else
    -- CreateModel: a fresh name per request = run tag + thread id + random + counter.
    -- ModelName must match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}
    math.randomseed(os.time() * 1000 + (tid or 0))
    local prefix = string.format("bm-%s-t%d-%06x-", runtag, tid or 0, math.random(0, 0xffffff))
    local tail = '","PrimaryContainer":{"Image":"123.dkr.ecr.us-east-1.amazonaws.com/x:1"},' ..
      '"ExecutionRoleArn":"arn:aws:iam::123456789012:role/bench"}'
    local headers = wrk.headers
    request = function()
      counter = counter + 1
      return wrk.format(nil, nil, headers, '{"ModelName":"' .. prefix .. counter .. tail)
    end
  end
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if sample == "" then sample = status .. " " .. string.sub(body or "", 1, 300) end
  elseif not string.find(body or "", marker, 1, true) then
    badbody = badbody + 1
    if sample == "" then sample = "200-without-" .. marker .. " " .. string.sub(body or "", 1, 300) end
  end
end

function done(summary, latency, requests)
  local n200, nbad, first = 0, 0, ""
  for _, t in ipairs(threads) do
    n200 = n200 + (t:get("non200") or 0)
    nbad = nbad + (t:get("badbody") or 0)
    local s = t:get("sample") or ""
    if first == "" and s ~= "" then first = s end
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_s=%.3f rps=%.1f non200=%d badbody=%d " ..
    "connect=%d read=%d write=%d timeout=%d p50_ms=%.3f p99_ms=%.3f\n",
    summary.requests, secs, summary.requests / secs, n200, nbad,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  if first ~= "" then
    io.write("BENCH_SAMPLE " .. string.gsub(first, "[\r\n\t]", " ") .. "\n")
  end
end
