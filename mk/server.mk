# The server (feature `server`), on SQLite or PostgreSQL: tests, `make run`, and the wrk benchmark.
TEST_TARGETS += test-server
RUN_TARGET := run-server
# The WASM fragment adds `pkg` here so that `make run` serves a built package.
RUN_PREREQS ?=

.PHONY: test-server run-server bench-server

# The server's own unit tests (rate limits, client addresses) need the feature, which
# test-native leaves off; then the server end to end, on SQLite files and again on
# PostgreSQL (DATABASE_URL's, else a throwaway cluster mk/postgres.sh starts and stops).
test-server:
	$(CARGO) test --features server --lib -- server::
	$(CARGO) test --features server --test server
	bash mk/postgres.sh run $(CARGO) test --features server --test server

# Expanded late: mk/wasm.mk is read after this file and may still append to RUN_PREREQS.
.SECONDEXPANSION:
run-server: $$(RUN_PREREQS)
	$(CARGO) run --release --features server -- serve

# Not part of `make test`: loopback load for the README's figures.
bench-server:
	command -v wrk >/dev/null || (apt-get install -y wrk || (apt-get update && apt-get install -y wrk))
	$(CARGO) build --release --features server
	bench/server/run.sh
	BIN=$(or $(CARGO_TARGET_DIR),target)/release/customer-validation bench/server/nodes.sh
