-- build/soak's whole flows for wrk: each connection asks the authorize
-- endpoint for a code (autoapprove: a 302 with the code), and a code waiting
-- in this thread's queue is redeemed at the token endpoint (200 and an access
-- token) by the next request of any connection.  Every other answer is
-- counted by kind and status; done() prints one JSON line for build/soak.
-- Set by build/soak through the environment: SOAK_CLIENT, SOAK_SECRET,
-- SOAK_BASIC (the Authorization header of the user).
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    codes = {}
    counts = { authorize = 0, token = 0, unexpected = 0 }
    samples = {}
    client = os.getenv("SOAK_CLIENT")
    secret = os.getenv("SOAK_SECRET")
    basic = os.getenv("SOAK_BASIC")
    authorize = wrk.format("GET", "/oauth/authorize?response_type=code&client_id=" .. client
        .. "&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&state=soak", { Authorization = basic })
end

function request()
    local code = table.remove(codes)
    if code then
        return wrk.format("POST", "/oauth/token",
            { ["Content-Type"] = "application/x-www-form-urlencoded" },
            "grant_type=authorization_code&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&client_id="
            .. client .. "&client_secret=" .. secret .. "&code=" .. code)
    end
    return authorize
end

function response(status, headers, body)
    local code = status == 302 and headers["Location"] and headers["Location"]:match("[?&]code=([^&]+)")
    if code then
        table.insert(codes, code)
        counts.authorize = counts.authorize + 1
    elseif status == 200 and body:find('"access_token"', 1, true) then
        counts.token = counts.token + 1
    else
        counts.unexpected = counts.unexpected + 1
        local key = tostring(status)
        if not samples[key] then samples[key] = body:sub(1, 200) end
    end
end

function done(summary, latency, requests)
    local a, t, u, kinds = 0, 0, 0, {}
    for _, thread in ipairs(threads) do
        local c = thread:get("counts")
        a, t, u = a + c.authorize, t + c.token, u + c.unexpected
        for k, v in pairs(thread:get("samples")) do kinds[#kinds + 1] = k end
    end
    local e = summary.errors
    io.write(string.format('SOAK_FLOWS {"requests":%d,"authorize":%d,"token":%d,"unexpected":%d,'
        .. '"unexpected_statuses":"%s","socket_errors":%d}\n', summary.requests, a, t, u,
        table.concat(kinds, " "), e.connect + e.read + e.write + e.timeout))
end
