-- wrk script for the diglot HTTP load test (examples/http_load/run.sh).
-- POSTs one fixed RPC body; run.sh passes it in the environment:
--   RPC_BODY          the request body (a JSON-RPC or XML-RPC call)
--   RPC_CONTENT_TYPE  its Content-Type
-- At the end it prints one machine-readable RESULT line.

wrk.method = "POST"
wrk.body = os.getenv("RPC_BODY") or error("RPC_BODY is not set")
wrk.headers["Content-Type"] = os.getenv("RPC_CONTENT_TYPE") or error("RPC_CONTENT_TYPE is not set")

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d "
         .. "connect_errors=%d read_errors=%d write_errors=%d status_errors=%d timeouts=%d\n",
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(99),
      e.connect, e.read, e.write, e.status, e.timeout))
end
