-- bench/served.py runs wrk with this script: at the end one JSON line of what was measured (latencies in
-- microseconds). "status" is wrk's count of answers 400 and above; served.py asks each page once before and once
-- after its load, redirects not followed, for any other answer than 200. No response() here: with one, wrk keeps
-- every body for it, and a 0.4 MB PDF then costs the load generator more than the server.
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "microseconds": %d, "bytes": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"socket": %d, "timeout": %d, "status": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout, summary.errors.status))
end
