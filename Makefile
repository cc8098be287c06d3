# The one entry point. `make run` and `make test` work on a fresh machine: every target
# installs what it needs, idempotently. Later pieces add their own targets in mk/*.mk and
# append to TEST_TARGETS.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

TEST_TARGETS := test-native

# Before any cargo call: the pinned Rust (rust-toolchain.toml) on a machine that can fetch none.
_ := $(shell bash mk/toolchain.sh)

.PHONY: help run test bench bench-native test-native lint

help:
	@echo "make run    - the main job (see README)"
	@echo "make test   - the whole suite"
	@echo "make bench  - benchmarks (figures for the README)"

include $(wildcard mk/*.mk)

# Runs after the includes so that they can override RUN_TARGET.
RUN_TARGET ?= run-cli

run: $(RUN_PREREQS) $(RUN_TARGET)

run-cli:
	$(CARGO) run --release --quiet -- validate --shape store tests/data/sample-requests.jsonl; \
	  status=$$?; echo "(exit $$status: 0 all valid, 1 some invalid, 2 unreadable input)" >&2

test: $(TEST_TARGETS)
	@echo "make test: all suites passed"

test-native: lint
	$(CARGO) test --all-targets
	$(CARGO) test --doc

lint:
	rustup component add clippy rustfmt >/dev/null 2>&1 || true
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) clippy --features server --all-targets -- -D warnings

bench: bench-native bench-wasm bench-server

# criterion over bench/corpus.jsonl, then the CLI end to end on 100,000 JSON Lines.
bench-native:
	$(CARGO) bench --bench validate
	$(CARGO) build --release
	python3 -c "import json,sys; rows=[json.dumps(json.loads(l)['request']) for l in open('bench/corpus.jsonl')]; sys.stdout.write(''.join(r + '\\n' for r in rows) * 50)" > $(or $(CARGO_TARGET_DIR),target)/cli-100k.jsonl
	time ($(or $(CARGO_TARGET_DIR),target)/release/customer-validation validate --today 2026-11-23 $(or $(CARGO_TARGET_DIR),target)/cli-100k.jsonl > /dev/null || true)
