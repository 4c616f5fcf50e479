-- bench/served.py runs wrk with this script: every answer other than 200 counted as an error, and at the end one
-- JSON line of what was measured (latencies in microseconds).
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  other = 0
end

response = function(status, headers, body)
  if status ~= 200 then
    other = other + 1
  end
end

done = function(summary, latency, requests)
  local others = 0
  for _, thread in ipairs(threads) do
    others = others + thread:get("other")
  end
  io.write(string.format(
    '{"requests": %d, "microseconds": %d, "bytes": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"socket": %d, "timeout": %d, "not_200": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout, others))
end
