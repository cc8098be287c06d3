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
    --seed "$seed" "$@"
}
# Python 3.11 (the python3 here and Debian 12's) has a bug that makes `ast.parse` fail with
# "SystemError: AST constructor recursion depth mismatch" when it runs deep in the stack;
# Hypothesis calls it to describe a filter, at random, and Schemathesis reports a "Runtime
# Error" for the operation: an error of the tool, not a finding about the server. A run that
# ends so, with no check failed, is run again with the next seed, at most five times; any
# failed check fails at once.
run_phases() {
  local attempt log=$dir/st.log
  for attempt in 1 2 3 4 5; do
    seed=$(( ${SEED:-20261202} + attempt - 1 ))
    if run_st "$@" 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" -eq 0 ]; then return 0; fi
    if grep -q 'Failures:' "$log" || ! grep -q 'AST constructor recursion depth mismatch' "$log"; then return 1; fi
    echo "schemathesis: Python 3.11's ast bug (no check failed); again with seed $(( seed + 1 ))"
  done
  return 1
}
run_phases --phases examples,fuzzing,stateful
# The coverage phase apart, without the operations with the most optional query strings: on
# GET …/customers (six) the same bug struck every time, and on the two validate routes (three:
# `default_region`, `today`, `locale`) it struck in three runs of three on a fresh machine;
# those operations get the other phases above.
run_phases --phases coverage --exclude-operation-id listCustomers \
  --exclude-operation-id validateStore --exclude-operation-id validateSquare
kill -0 "$pid" || { echo "the server died during the run"; cat "$dir/err"; exit 1; }
curl -fsS "$url/healthz" >/dev/null || { echo "the server does not answer after the run"; exit 1; }
if grep -q 'panicked' "$dir/err"; then echo "the server panicked:"; grep -A3 panicked "$dir/err"; exit 1; fi
echo "schemathesis: passed; the server still answers"
