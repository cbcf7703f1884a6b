-- build/bench's FLOW driver for wrk: complete authorization code flows.
-- Each connection asks for whatever is due next: a token exchange when a
-- code is waiting (any connection's), else a new authorization.  So every
-- code is redeemed once, at once, and the two kinds of request stay in step.
--
--   wrk -s build/bench-flow.lua URL -- AUTHORIZE_PATH TOKEN_PATH CLIENT_ID \
--       CLIENT_AUTHORIZATION USER_AUTHORIZATION REDIRECT_URI
--
-- A flow counts when its token request answers 200 with an access_token.
-- Any other answer is an error (MTO_FLOW's "bad").
local codes, threads = {}, {}
local authorize, token_path, token_headers, redirect_esc

local function esc(s)
    return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    local authz_path, client_id, client_auth, user_auth, redirect = args[1], args[3], args[4], args[5], args[6]
    token_path = args[2]
    redirect_esc = esc(redirect)
    authorize = wrk.format("GET", authz_path .. "?response_type=code&client_id=" .. esc(client_id)
        .. "&redirect_uri=" .. redirect_esc .. "&scope=alltimetables&state=s",
        { Authorization = user_auth })
    token_headers = { Authorization = client_auth,
                      ["Content-Type"] = "application/x-www-form-urlencoded" }
    flows, bad, authorized = 0, 0, 0
end

function request()
    local code = table.remove(codes)
    if code then
        return wrk.format("POST", token_path, token_headers,
            "grant_type=authorization_code&code=" .. code .. "&redirect_uri=" .. redirect_esc)
    end
    return authorize
end

function response(status, headers, body)
    if status == 302 then
        local code = (headers["Location"] or headers["location"] or ""):match("[?&]code=([^&]+)")
        if code then
            authorized = authorized + 1
            table.insert(codes, code)
            return
        end
    elseif status == 200 and body:find('"access_token"', 1, true) then
        flows = flows + 1
        return
    end
    bad = bad + 1
end

done = function(summary, latency, requests)
    local f, b, a = 0, 0, 0
    for _, t in ipairs(threads) do
        f, b, a = f + t:get("flows"), b + t:get("bad"), a + t:get("authorized")
    end
    local e = summary.errors
    io.write(string.format(
        'MTO_BENCH {"requests":%d,"flows":%d,"authorized":%d,"bad":%d,"duration_us":%d,"bytes":%d,' ..
        '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
        '"latency_us":{"mean":%.1f,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
        summary.requests, f, a, b, summary.duration, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency.mean, latency.stdev, latency:percentile(50), latency:percentile(90),
        latency:percentile(99), latency.max))
end
