-- The baseline insert: POST one short form field.
wrk.method = "POST"
wrk.body = "text=benchmark"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
