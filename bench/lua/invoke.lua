-- wrk script for bench/gateway.sh: one InvokeEndpoint-shaped call (a CSV row) per request.
wrk.method = "POST"
wrk.body = "5.1,3.5,1.4,0.2"
wrk.headers["Content-Type"] = "text/csv"
wrk.headers["Accept"] = "text/csv"
