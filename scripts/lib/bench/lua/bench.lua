-- wrk script of scripts/bench: one request shape per run, and a JSON summary on stdout.
--
--   wrk ... -s bench.lua URL -- get                          GET the URL's path
--   wrk ... -s bench.lua URL -- fixed BODY_FILE [AUTH]        POST one line of BODY_FILE as a form:
--                                   thread i takes line i (modulo the number of lines)
--   wrk ... -s bench.lua URL -- headers "Name: value" ...     GET the URL's path with these headers
--                                   (forward auth: the gateway's X-Original-URL and the PAT)
--   wrk ... -s bench.lua URL -- walk LIST_FILE PREFIX THREADS [AUTH]
--                                   POST PREFIX .. urlencoded(line), a new line every request
-- In `walk` mode thread i of THREADS (wrk -t) takes lines i, i+n, i+2n, ... and counts what it
-- sent, so the summary tells whether any line (PAT) could have been sent twice.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

local mode, walk, sent
local headers = {}

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  mode = args[1] or "get"
  sent = 0
  if mode == "fixed" then
    local bodies = {}
    for line in io.lines(args[2]) do table.insert(bodies, line) end
    wrk.body = bodies[((wrk.thread:get("index") - 1) % #bodies) + 1]
    wrk.method = "POST"
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    if args[3] and args[3] ~= "" then headers["Authorization"] = args[3] end
    wrk.headers = headers
  elseif mode == "headers" then
    -- Added to wrk's own table, which holds Host (nginx answers 400 without it).
    for i = 2, #args do
      local name, value = args[i]:match("^([^:]+):%s*(.*)$")
      wrk.headers[name] = value
    end
  elseif mode == "walk" then
    local prefix = args[3]
    local stride = tonumber(args[4])
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    if args[5] and args[5] ~= "" then headers["Authorization"] = args[5] end
    -- This thread's requests, formatted once here: building each one in request() cost wrk
    -- about twice the CPU per request of a fixed body, taken from the server on shared cores.
    local all = {}
    for line in io.lines(args[2]) do table.insert(all, line) end
    local first = wrk.thread:get("index")
    walk = {}
    for position = first, #all, stride do
      table.insert(walk, wrk.format("POST", nil, headers, prefix .. urlencode(all[position])))
    end
    -- Fewer lines than threads: this one repeats a line, which the summary's count shows.
    if #walk == 0 then walk[1] = wrk.format("POST", nil, headers, prefix .. urlencode(all[1])) end
  end
  -- wrk builds a static request once when no request() function exists after init.
  if mode ~= "walk" then request = nil end
end

function request()
  sent = sent + 1
  wrk.thread:set("sent", sent)
  return walk[((sent - 1) % #walk) + 1]
end

function done(summary, latency, requests)
  local sentTotal = 0
  for _, thread in ipairs(threads) do sentTotal = sentTotal + (thread:get("sent") or 0) end
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f},"walk_sent":%d,"threads":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, sentTotal, #threads))
end
