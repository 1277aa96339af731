-- bench/common/load.py reads this one line: calls, p95 and median latency (microseconds), failures.
done = function(summary, latency, requests)
  local e = summary.errors
  local failed = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("LOAD %d %d %d %d\n", summary.requests, latency:percentile(95), latency:percentile(50), failed))
end
