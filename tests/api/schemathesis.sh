#!/usr/bin/env bash
# Fuzzes a live server with Schemathesis against its own /openapi.json: every operation, in
# the examples, coverage, fuzzing and stateful phases (the 201 of a create links to the
# customer's GET), bounded by examples per operation. Fails on any check's failure, on a
# 5xx, or if the server is not answering afterwards.
set -euo pipefail
SERVER=${SERVER:-target/release/customer-validation}
ST=${ST:-st}
EXAMPLES=${EXAMPLES:-100}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
# The rate limits (sign-up, token) are raised so that the fuzzer reaches the handlers, not the 429.
RUST_LOG=warn "$SERVER" serve --listen 127.0.0.1:0 --db "$dir/api.db" --www www --pkg pkg \
  --join-limit-per-client 1000000 --join-limit-per-store 1000000 --api-rate-limit 1000000 >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do grep -q '^listening on' "$dir/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$dir/out")
[ -n "$url" ] || { echo "the server did not start"; cat "$dir/err"; exit 1; }
token=$(sed -n 's/^demo token: //p' "$dir/out")

# Every check but one. positive_data_acceptance expects every schema-valid body to be
# accepted, and JSON Schema cannot say what the rules check (an email's grammar and its
# domain, a phone number's numbering plan, a real calendar date, a birthday not in the
# future, a taken email), so schema-valid bodies are rightly refused with 422/400; the
# refusals are still held to the documented statuses and error schemas by the other checks.
run_st() {
  "$ST" run "$url/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all --exclude-checks positive_data_acceptance \
    --max-examples "$EXAMPLES" --workers 2 --request-timeout 10 \
    --seed "${SEED:-20261202}" "$@"
}
run_st --phases examples,fuzzing,stateful
# The coverage phase, without one operation: on GET …/customers (five optional query
# strings) Hypothesis's description of a filter calls Python 3.11's ast.parse deep in the
# stack, which fails there with "SystemError: AST constructor recursion depth mismatch" (a
# CPython 3.11 bug; the python3 here and Debian 12's are 3.11), an error of the tool, not a finding. The
# operation still gets the examples, fuzzing and stateful phases above.
run_st --phases coverage --exclude-operation-id listCustomers
kill -0 "$pid" || { echo "the server died during the run"; cat "$dir/err"; exit 1; }
curl -fsS "$url/healthz" >/dev/null || { echo "the server does not answer after the run"; exit 1; }
if grep -q 'panicked' "$dir/err"; then echo "the server panicked:"; grep -A3 panicked "$dir/err"; exit 1; fi
echo "schemathesis: passed; the server still answers"
