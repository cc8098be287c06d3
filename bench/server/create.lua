-- wrk script: POST a store customer with a unique email per request.
-- Needs env CV_TOKEN and CV_STORE (printed by `serve` on an empty database).
local token = os.getenv("CV_TOKEN") or ""
local store = os.getenv("CV_STORE") or "1"
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- A per-run prefix keeps emails unique across repeated runs on one database.
  -- CV_PREFIX keeps two wrk processes aimed at two nodes of one database apart.
  prefix = (os.getenv("CV_PREFIX") or "") .. tostring(os.time()) .. "-" .. tostring(tid)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"customer":{"first_name":"Bench","last_name":"Mark","email":"b%s-%d@example.com"},"card_id":1}',
    prefix, counter)
  return wrk.format("POST", "/api/v1/accounts/" .. store .. "/customers", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("p99: %.2f ms\n", latency:percentile(99) / 1000))
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do io.write(string.format("status %s: %d\n", k, v)) end
  end
end
