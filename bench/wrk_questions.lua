-- Practice questions as inplace.js does them: a set's first question card (GET with X-Fragment),
-- then one request per question, the answer (POST with X-Fragment), answered with the feedback
-- card and the next question's card: eleven requests for a set of ten. Every answer is to a
-- different seeded delivery, ten to a set, in order, so the card sent ahead is the one answered
-- next. With WRK_BARE=1, the bare app's cycle instead: a template (GET /template) and an insert
-- (POST /insert), one of each per question.
local counter = 0
local answered = 0
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
  local form = {["Content-Type"] = "application/x-www-form-urlencoded", ["User-Agent"] = agent}
  if bare then
    counter = counter + 1
    if counter % 2 == 1 then return wrk.format("GET", "/template", {["User-Agent"] = agent}) end
    return wrk.format("POST", "/insert", form, "text=benchmark")
  end
  local id = offset + answered
  local set_id = math.floor((id - 1) / 10) + 1
  if (id - 1) % 10 == 0 and counter ~= id then    -- a set begins: its first card, once
    counter = id
    return wrk.format("GET", "/practice/" .. set_id, {["Cookie"] = cookie, ["User-Agent"] = agent, ["X-Fragment"] = "1"})
  end
  answered = answered + 1
  form["Cookie"] = cookie
  form["X-Fragment"] = "1"
  return wrk.format("POST", "/practice/" .. set_id .. "/answer", form,
                    "csrf_token=" .. csrf .. "&delivery=" .. id .. "&choice=0")
end
