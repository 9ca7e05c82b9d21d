-- Answer practice questions as fast as wrk can: every request answers a different seeded
-- delivery (ten to a set), so each one is graded, stored and updates the notebook and review.
local counter = 0
local threads = {}
local first = tonumber(os.getenv("WRK_FIRST_ID"))
local per_thread = tonumber(os.getenv("WRK_PER_THREAD"))
local csrf = os.getenv("WRK_CSRF")
local cookie = os.getenv("WRK_COOKIE")

setup = function(thread)
  thread:set("offset", first + #threads * per_thread)
  table.insert(threads, thread)
end

request = function()
  local id = offset + counter
  counter = counter + 1
  local set_id = math.floor((id - 1) / 10) + 1
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie,
                   ["User-Agent"] = "tutor-bench/1.0"}   -- perf.USER_AGENT, the one the login used
  return wrk.format("POST", "/practice/" .. set_id .. "/answer", headers,
                    "csrf_token=" .. csrf .. "&delivery=" .. id .. "&choice=0")
end
