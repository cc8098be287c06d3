# The API described (src/server/openapi.json) and fuzzed against a live server: Schemathesis
# from PyPI, in a virtual environment made here. Uses the release server test-e2e builds.
SCHEMATHESIS_VERSION := 4.32.5
API_VENV := $(or $(CARGO_TARGET_DIR),target)/schemathesis-venv
API_STAMP := $(API_VENV)/.installed-$(SCHEMATHESIS_VERSION)

TEST_TARGETS += test-api

.PHONY: test-api

# Debian's python3 makes venvs only with python3-venv (ensurepip) installed.
$(API_STAMP):
	rm -rf $(API_VENV)
	python3 -m venv $(API_VENV) || { apt-get update && apt-get install -y python3-venv && python3 -m venv $(API_VENV); }
	$(API_VENV)/bin/pip install --quiet --disable-pip-version-check schemathesis==$(SCHEMATHESIS_VERSION)
	touch $@

test-api: e2e-server $(API_STAMP)
	SERVER=$(E2E_SERVER) ST=$(API_VENV)/bin/st bash tests/api/schemathesis.sh
