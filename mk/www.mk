# The sign-up page (www/: plain HTML, ES modules and CSS, no build step) and its
# end-to-end tests in Debian Chromium (tests/e2e/).
#   make test-e2e   (part of `make test`) builds pkg/ and the release server, starts the
#                   server on a free port with a temp database, runs tests/e2e/*.test.mjs
#                   with playwright-core, and always stops the server. Screenshots land in
#                   artifacts/e2e/ (gitignored).

E2E_DIR := tests/e2e
E2E_STAMP := $(E2E_DIR)/node_modules/.installed
E2E_SERVER := $(or $(CARGO_TARGET_DIR),target)/release/customer-validation
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

TEST_TARGETS += test-e2e

.PHONY: test-e2e e2e-server e2e-browser

$(E2E_STAMP): $(E2E_DIR)/package.json $(E2E_DIR)/package-lock.json
	cd $(E2E_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

e2e-browser:
	@test -x $(CHROMIUM) || { apt-get update && apt-get install -y chromium; }

# Cargo decides itself whether anything changed.
e2e-server:
	$(CARGO) build --release --features server

# One shell: the trap stops the server (SIGTERM, a graceful shutdown) and removes the temp
# database whether the tests pass, fail or are interrupted. `--listen 127.0.0.1:0` lets the
# kernel pick a free port; the server prints the address it got, and on the empty database
# the demo store's token, which the tests read from the log.
test-e2e: pkg e2e-server e2e-browser $(E2E_STAMP)
	@set -euo pipefail; \
	tmp=$$(mktemp -d); log=$$tmp/server.log; \
	$(E2E_SERVER) serve --listen 127.0.0.1:0 --db $$tmp/e2e.db --www www --pkg pkg >$$log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null || true; wait $$pid 2>/dev/null || true; rm -rf $$tmp' EXIT; \
	url=; for _ in $$(seq 1 200); do \
	  url=$$(sed -n 's|^listening on \(http://[^ ]*\).*|\1|p' $$log | head -n1); \
	  [ -n "$$url" ] && break; \
	  kill -0 $$pid 2>/dev/null || break; \
	  sleep 0.1; \
	done; \
	if [ -z "$$url" ]; then echo "test-e2e: the server did not start:"; cat $$log; exit 1; fi; \
	echo "test-e2e: server at $$url"; \
	E2E_BASE_URL=$$url E2E_SERVER_LOG=$$log node --test --test-concurrency=1 $(E2E_DIR)/*.test.mjs
