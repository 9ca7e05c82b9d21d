-- The baseline insert: POST one short form field.
wrk.method = "POST"
wrk.body = "text=benchmark"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["User-Agent"] = "tutor-bench/1.0"
