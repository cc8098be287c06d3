-- wrk script: GET a store's customer list with the token; the query comes from the env
-- CV_QUERY, where `{n}` is replaced by a random number from 1 to CV_N (default 1000), so
-- each request names another page or another customer.
local token = os.getenv("CV_TOKEN") or ""
local store = os.getenv("CV_STORE") or "1"
local query = os.getenv("CV_QUERY") or ""
local n = tonumber(os.getenv("CV_N") or "1000")

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
  local q = query:gsub("{n}", tostring(math.random(1, n)))
  return wrk.format("GET", "/api/v1/accounts/" .. store .. "/customers" .. q, {
    ["Authorization"] = "Bearer " .. token,
  })
end

statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("p99: %.2f ms\n", latency:percentile(99) / 1000))
end
