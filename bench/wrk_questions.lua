-- Practice questions as inplace.js does them, two requests each: the question's card (GET with
-- X-Fragment), then the answer (POST with X-Fragment), answered with the feedback card. Every
-- answer is to a different seeded delivery, ten to a set, in order, so the card shown is the one
-- answered next. With WRK_BARE=1, the bare app's cycle instead: a template (GET /template) and
-- an insert (POST /insert), one of each per question.
local counter = 0
local threads = {}
local first = tonumber(os.getenv("WRK_FIRST_ID") or "1")
local per_thread = tonumber(os.getenv("WRK_PER_THREAD") or "0")
local csrf = os.getenv("WRK_CSRF") or ""
local cookie = os.getenv("WRK_COOKIE") or ""
local bare = os.getenv("WRK_BARE") == "1"
local agent = "tutor-bench/1.0"   -- perf.USER_AGENT, the one the login used

setup = function(thread)
  thread:set("offset", first + #threads * per_thread)
  table.insert(threads, thread)
end

request = function()
  local step = counter
  counter = counter + 1
  local showing = step % 2 == 0
  local form = {["Content-Type"] = "application/x-www-form-urlencoded", ["User-Agent"] = agent}
  if bare then
    if showing then return wrk.format("GET", "/template", {["User-Agent"] = agent}) end
    return wrk.format("POST", "/insert", form, "text=benchmark")
  end
  local id = offset + math.floor(step / 2)
  local set_id = math.floor((id - 1) / 10) + 1
  if showing then
    return wrk.format("GET", "/practice/" .. set_id, {["Cookie"] = cookie, ["User-Agent"] = agent, ["X-Fragment"] = "1"})
  end
  form["Cookie"] = cookie
  form["X-Fragment"] = "1"
  return wrk.format("POST", "/practice/" .. set_id .. "/answer", form,
                    "csrf_token=" .. csrf .. "&delivery=" .. id .. "&choice=0")
end
