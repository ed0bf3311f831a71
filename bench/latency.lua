-- wrk script: print latency percentiles (microseconds) and failures for run.py.
done = function(summary, latency, requests)
  io.write(string.format("P50 %d\nP95 %d\nP99 %d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
  io.write(string.format("STATUS_ERRORS %d\n", summary.errors.status))
end
