-- wrk script: one fixed wire-protocol request, replayed (a SigV4 signature stays valid for 15 minutes, so a request
-- presigned once can be replayed for a benchmark run). Non-200 responses are counted.
--
-- Usage: wrk ... -s bench/lua/fixed-request.lua URL -- TARGET BODY [X_AMZ_DATE AUTHORIZATION]

non200 = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.path = "/"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.headers["X-Amz-Target"] = args[1]
  wrk.body = args[2]
  if args[3] then
    wrk.headers["X-Amz-Date"] = args[3]
    wrk.headers["Authorization"] = args[4]
  end
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local errors = 0
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("non200")
  end
  io.write(string.format("BENCH_RESULT requests=%d seconds=%.2f rps=%.0f p50_us=%d p99_us=%d non200=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), errors))
end
