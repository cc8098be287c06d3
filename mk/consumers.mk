# The packed npm package as front-end developers consume it (tests/consumers/): from the
# `npm pack` tarball, each in a fresh temporary project, each checking verdicts on rows of
# the case table.
#   make test-consumers   (part of `make test`) Node 20 ESM and CommonJS, Jest (CommonJS),
#                         TypeScript (bundler, node16); esbuild, Vite, webpack 5 and Rollup
#                         bundles, a module Web Worker, a strict CSP and the slim entry in
#                         Chromium; Next.js (Turbopack and webpack) built, started and used
#                         in Chromium.

CONSUMERS_DIR := tests/consumers
CONSUMERS_STAMP := $(CONSUMERS_DIR)/node_modules/.installed

TEST_TARGETS += test-consumers

.PHONY: test-consumers

$(CONSUMERS_STAMP): $(CONSUMERS_DIR)/package.json $(CONSUMERS_DIR)/package-lock.json
	cd $(CONSUMERS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The stamps of mk/wasm.mk's tools by name: that file is read after this one.
test-consumers: pkg tools-browser mk/tools/node_modules/.installed tests/node/node_modules/.installed $(CONSUMERS_STAMP)
	node --test --test-concurrency=1 $(CONSUMERS_DIR)/*.test.mjs
