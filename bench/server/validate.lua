-- wrk script: POST one realistic store request to the validation endpoint.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"customer":{"first_name":"Amelia","last_name":"Earhart","email":"amelia@example.com",' ..
  '"phone":"+1 212 555 4240","birthday":"1998-09-21","metadata":{"tier":"gold"},' ..
  '"external_references":[{"source":"square","external_id":"JDKY"}]},"card_id":12,"send_card_links":true}'

function done(summary, latency, requests)
  io.write(string.format("p99: %.2f ms\n", latency:percentile(99) / 1000))
end
