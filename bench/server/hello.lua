-- wrk script: the ceiling, GET /healthz (a bare hyper route).
function done(summary, latency, requests)
  io.write(string.format("p99: %.2f ms\n", latency:percentile(99) / 1000))
end
