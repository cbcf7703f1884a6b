-- build/soak's gate load: wrk's own counts as one JSON line.
function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format('SOAK_GATE {"requests":%d,"status_errors":%d,"socket_errors":%d}\n',
        summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
