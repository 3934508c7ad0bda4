-- A realistic mix of URLs for wrk: each request draws its URL at random from a file, with a skew.
--
--   wrk -t1 -c16 -d10s -s benchmarks/mix.lua http://127.0.0.1:8000 -- URLS EXPONENT SEED [ACCEPT_ENCODING]
--
-- URLS holds paths, one a line, in groups separated by a blank line (one group per question
-- type), each group in order of popularity. A request picks a group uniformly, then the URL of
-- rank k in it with probability proportional to 1 / k^EXPONENT (Zipf: a few popular URLs, a long
-- tail). SEED makes the draws repeatable: two servers given the same file and seed are asked the
-- same sequence of questions. done() prints one line, `BENCH key=value …`, for benchmarks/run.py:
-- the distinct URLs asked, the requests for a URL asked before (the most a cache could answer),
-- the errors and the latency percentiles in microseconds.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local groups = {}
local cumulative = {}
seen = {}
repeats = 0

function init(args)
  local exponent = tonumber(args[2] or "1")
  math.randomseed(tonumber(args[3] or "1") * 7919 + id)
  if args[4] and args[4] ~= "" then
    wrk.headers["Accept-Encoding"] = args[4]
  end
  local current = {}
  for line in io.lines(args[1]) do
    if line == "" then
      if #current > 0 then
        table.insert(groups, current)
        current = {}
      end
    else
      table.insert(current, wrk.format("GET", line))
    end
  end
  if #current > 0 then
    table.insert(groups, current)
  end
  for g, requests in ipairs(groups) do
    local weights, total = {}, 0
    for k = 1, #requests do
      total = total + 1 / k ^ exponent
      weights[k] = total
    end
    for k = 1, #requests do
      weights[k] = weights[k] / total
    end
    cumulative[g] = weights
  end
end

function request()
  local g = math.random(#groups)
  local weights = cumulative[g]
  local r = math.random()
  local low, high = 1, #weights
  while low < high do
    local middle = math.floor((low + high) / 2)
    if weights[middle] < r then
      low = middle + 1
    else
      high = middle
    end
  end
  local key = g * 10000000 + low
  if seen[key] then
    repeats = repeats + 1
  else
    seen[key] = true
  end
  return groups[g][low]
end

function done(summary, latency, requests)
  local union, distinct, repeated = {}, 0, 0
  for _, thread in ipairs(threads) do
    repeated = repeated + thread:get("repeats")
    for key, _ in pairs(thread:get("seen")) do
      if not union[key] then
        union[key] = true
        distinct = distinct + 1
      end
    end
  end
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d status_errors=%d connect_errors=%d "
      .. "read_errors=%d write_errors=%d timeouts=%d distinct=%d repeats=%d p50_us=%d "
      .. "p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, errors.status, errors.connect,
    errors.read, errors.write, errors.timeout, distinct, repeated, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max
  ))
end
