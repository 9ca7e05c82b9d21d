-- GET wrk's path, with the session cookie from WRK_COOKIE when given.
local cookie = os.getenv("WRK_COOKIE")
if cookie then wrk.headers["Cookie"] = cookie end
wrk.headers["User-Agent"] = "tutor-bench/1.0"   -- perf.USER_AGENT, the one the login used
