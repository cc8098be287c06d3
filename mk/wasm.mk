# The npm package `customer-validation` (pkg/): two WASM builds of this crate, one package.
#   make tools       idempotent installs: wasm32 target, wasm-bindgen-cli at the Cargo.lock
#                    version, the build tools (binaryen's wasm-opt 132, esbuild, zopfli) in
#                    mk/tools, the test tools (playwright-core, typescript, Vite) in
#                    tests/node, Debian chromium for the browser tests
#   make pkg         both builds, each compiled once and only when a source changed, and
#                    pkg/index.d.ts, generated from the Rust source
#   make pack        pkg/ packed into customer-validation-<version>.tgz
#   make test-wasm   (part of `make test`) case table in Node and Chromium (wasm-bindgen-test
#                    and the built package), packed-tarball consumer test, TypeScript check,
#                    fuzz loop; the bundlers and frameworks are mk/consumers.mk
#   make bench-wasm  sizes, Node throughput vs zod + validator.js + libphonenumber-js, phone
#                    rates of host RegExp vs regex-lite vs regex vs no matching time at all
#                    (the floor build), boundary crossing, Chromium cold start (not part of
#                    `make test`)

WASM_TARGET := wasm32-unknown-unknown
WASM_TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)/$(WASM_TARGET)
# The CLI must match the `wasm-bindgen` crate in Cargo.lock exactly, or its output breaks.
WASM_BINDGEN_VERSION := $(shell awk '$$0 == "name = \"wasm-bindgen\"" { getline; gsub(/[^0-9.]/, "", $$0); print; exit }' Cargo.lock)
# What building the package needs (and so `make run`), apart from what only the tests need.
BUILD_TOOLS := mk/tools
BUILD_STAMP := $(BUILD_TOOLS)/node_modules/.installed
NODE_TOOLS := tests/node
NODE_STAMP := $(NODE_TOOLS)/node_modules/.installed
BENCH_STAMP := bench/node/node_modules/.installed
# binaryen 132 from npm: Debian's 108 rewrites wasm-bindgen's externref table wrongly.
WASM_OPT := $(BUILD_TOOLS)/node_modules/.bin/wasm-opt
ESBUILD := $(BUILD_TOOLS)/node_modules/.bin/esbuild
# The browser build: binaryen's -Oz, but without inlining functions of more than 20 bytes
# into their only caller. Big merged functions were what V8 recompiled with its optimizing
# compiler during a cold start (≈ 45 ms of background compiling on two cores, from the
# metadata decoding and the engine's start-up), and the smaller functions also gzip 3 KB
# smaller; flattening and re-deriving the control flow first takes 0.7 KB more, at the
# same speed (README, "WASM package").
WASM_OPT_WEB := -ocimfs 20 --flatten --rereloop -Oz -Oz
WASM_OPT_FEATURES := --enable-reference-types --enable-bulk-memory --enable-sign-ext \
  --enable-nontrapping-float-to-int --enable-mutable-globals --enable-multivalue
WASM_SOURCES := $(shell find src crates/regex-js/src -name '*.rs' -o -name '*.json' -path 'src/messages/*') Cargo.toml Cargo.lock crates/regex-js/Cargo.toml
PKG_WASM := pkg/web/customer_validation_bg.wasm pkg/node/customer_validation_bg.wasm
# The message catalogue's locales, which the browser build's `loadLocale` fetches from
# pkg/locales/ (English is inside every build).
LOCALE_FILES := $(filter-out %/index.json,$(wildcard src/messages/locales/*.json))
NATIVE_REPORTS := $(or $(CARGO_TARGET_DIR),target)/native-reports.json
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

TEST_TARGETS += test-wasm
RUN_PREREQS += pkg

.PHONY: tools tools-rust tools-node tools-browser pkg pack test-wasm bench-wasm cldr

tools: tools-rust tools-node tools-browser

tools-rust:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --locked \
	  || $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi
# (--locked first; without it when the registry lacks one of the CLI's locked crates.)

tools-node: $(BUILD_STAMP) $(NODE_STAMP)

$(BUILD_STAMP): $(BUILD_TOOLS)/package.json $(BUILD_TOOLS)/package-lock.json
	cd $(BUILD_TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(NODE_STAMP): $(NODE_TOOLS)/package.json $(NODE_TOOLS)/package-lock.json
	cd $(NODE_TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BENCH_STAMP): bench/node/package.json bench/node/package-lock.json
	cd bench/node && npm ci --no-audit --no-fund --loglevel=error
	touch $@

tools-browser:
	@test -x $(CHROMIUM) && test -x /usr/bin/chromedriver || { apt-get update && apt-get install -y chromium chromium-driver; }

pkg: $(PKG_WASM)

# Copies each locale's CLDR data (plural rules, digits, grouping) from the CLDR packages
# pinned in tests/node into the message catalogue; tests/node/catalogue.test.mjs checks it.
cldr: $(NODE_STAMP)
	node mk/cldr.mjs

# The tarball `npm install ./customer-validation-<version>.tgz` takes, at the repository's root.
pack: pkg
	cd pkg && npm pack --pack-destination .. --loglevel=error

# Browser build: phone engine `lite`, optimized for size.
$(WASM_TARGET_DIR)/wasm-web/customer_validation.wasm: $(WASM_SOURCES) | tools-rust
	$(CARGO) build --lib --target $(WASM_TARGET) --no-default-features --features wasm,host-idna --profile wasm-web

# Node build: phone engine `regex`, optimized for speed, plus the boundary probes.
$(WASM_TARGET_DIR)/wasm-node/customer_validation.wasm: $(WASM_SOURCES) | tools-rust
	$(CARGO) build --lib --target $(WASM_TARGET) --no-default-features \
	  --features wasm,phone-regex,boundary-probe,all-locales --profile wasm-node

# `--omit-default-module-path`: the glue's fallback `new URL("customer_validation_bg.wasm",
# import.meta.url)` would point beside the bundle, where no `.wasm` is, and webpack fails
# on a missing asset; pkg/src/browser.js always passes the URL.
# pkg/index.d.ts comes out of this build too: wasm-bindgen writes the TypeScript sections of
# src/wasm.rs and the shapes tsify derives from src/model/; the loader types that follow
# them (`InitInput` onwards) are the raw module's, not the package's, and are cut.
PKG_VERSION = $(shell node -p 'require("./pkg/package.json").version')
ESBUILD_PKG = $(ESBUILD) --bundle --format=esm --target=es2022 --minify --log-level=warning \
  --define:__CV_VERSION__='"$(PKG_VERSION)"'

pkg/web/customer_validation_bg.wasm: $(WASM_TARGET_DIR)/wasm-web/customer_validation.wasm $(LOCALE_FILES) pkg/src/browser.js pkg/src/slim.js pkg/src/loader.js pkg/core.js pkg/api.d.ts pkg/package.json | $(BUILD_STAMP)
	@test "$(PKG_VERSION)" = "$$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)" \
	  || { echo "pkg/package.json's version ($(PKG_VERSION)) differs from Cargo.toml's"; exit 1; }
	rm -rf pkg/web
	wasm-bindgen --target web --omit-default-module-path --out-dir pkg/web $<
	{ echo "// Generated by \`make pkg\` from pkg/api.d.ts and the Rust source (src/model/, src/report.rs): edit those."; \
	  sed -n '/^export type InitInput/q;p' pkg/web/customer_validation.d.ts; sed 1,4d pkg/api.d.ts; } > pkg/index.d.ts
	grep -q "export function validateStoreCustomer" pkg/index.d.ts && grep -q "export interface StoreRequest" pkg/index.d.ts
	cp pkg/index.d.ts pkg/index.d.cts
	rm pkg/web/*.d.ts
	$(ESBUILD_PKG) pkg/src/browser.js \
	  --banner:js="// Built by \`make pkg\` from pkg/src/browser.js, pkg/src/loader.js, pkg/core.js and wasm-bindgen's glue." \
	  --outfile=pkg/browser.js
	$(ESBUILD_PKG) pkg/src/slim.js \
	  --banner:js="// Built by \`make pkg\` from pkg/src/slim.js, pkg/src/loader.js, pkg/core.js and wasm-bindgen's glue." \
	  --outfile=pkg/slim.js
	cp LICENSE-MIT LICENSE-APACHE pkg/
	rm -rf pkg/locales && mkdir pkg/locales && cp $(LOCALE_FILES) pkg/locales/
	$(WASM_OPT) $(WASM_OPT_WEB) $(WASM_OPT_FEATURES) --strip-debug --strip-producers $@ -o $@
	node mk/wasm-version.mjs $@
	node mk/precompress.mjs pkg/browser.js pkg/slim.js $(addprefix pkg/locales/,$(notdir $(LOCALE_FILES))) $@

# node.cjs is node.js as CommonJS, for `require` (Node before 20.19, Jest): one file with
# the glue and core.js inside, reading the same `.wasm`.
pkg/node/customer_validation_bg.wasm: $(WASM_TARGET_DIR)/wasm-node/customer_validation.wasm pkg/node.js pkg/core.js | $(BUILD_STAMP)
	rm -rf pkg/node
	wasm-bindgen --target web --no-typescript --out-dir pkg/node $<
	$(WASM_OPT) -O3 $(WASM_OPT_FEATURES) --strip-debug --strip-producers $@ -o $@
	$(ESBUILD) pkg/node.js --bundle --format=cjs --platform=node --target=node20 --log-level=warning \
	  --banner:js="// Built by \`make pkg\` from pkg/node.js: the Node build for require()." \
	  --define:import.meta.url=__cv_module_url \
	  --inject:mk/cjs-module-url.js --outfile=pkg/node.cjs

# The native library's full report for every case-table row: what the WASM builds must equal.
$(NATIVE_REPORTS): $(WASM_SOURCES) $(wildcard tests/cases/*.json tests/cases/update/*.json) examples/native_reports.rs bench/corpus.jsonl \
  tests/data/email-corpus.json
	$(CARGO) run --quiet --example native_reports -- $@

# tests/wasm.rs under wasm-bindgen-test: the library itself compiled to wasm32 (phone
# engine `lite`), in Node and then in headless Chromium through chromedriver.
WASM_TEST_ENV := NATIVE_REPORTS=$(abspath $(NATIVE_REPORTS)) \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
WASM_TEST := $(CARGO) test --target $(WASM_TARGET) --no-default-features --features wasm,host-idna --test wasm
CHROMEDRIVER ?= /usr/bin/chromedriver

# The CLI the message parity test runs beside the two builds (tests/node/messages.test.mjs).
CV_CLI := $(or $(CARGO_TARGET_DIR),target)/debug/customer-validation
$(CV_CLI): $(WASM_SOURCES) $(wildcard src/cli/*.rs) src/main.rs
	$(CARGO) build --quiet --bin customer-validation

test-wasm: pkg $(NATIVE_REPORTS) $(CV_CLI) tools-browser $(NODE_STAMP)
# crates/regex-js (the browser build's regex engine): its own lints, then its tests against
# the real regex-lite, in Node.
	cd crates/regex-js && $(CARGO) fmt --check && $(CARGO) clippy --target $(WASM_TARGET) --all-targets -- -D warnings
	cd crates/regex-js && CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  $(CARGO) test --target $(WASM_TARGET)
	$(WASM_TEST_ENV) $(WASM_TEST)
	$(WASM_TEST_ENV) WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=$(CHROMEDRIVER) \
	  WASM_BINDGEN_TEST_WEBDRIVER_JSON=$(abspath tests/wasm/webdriver.json) $(WASM_TEST)
	NATIVE_REPORTS=$(abspath $(NATIVE_REPORTS)) CV_CLI=$(abspath $(CV_CLI)) node --test --test-concurrency=1 tests/node/*.test.mjs

# For the benchmark only: the browser build as it was before crates/regex-js, with the real
# regex-lite inside the module, so the phone rate of the host's RegExp can be compared with
# it in one run. Built from a copy of the manifest without the `[patch]` section (Cargo has
# no flag that drops a patch); the sources are symlinked, not copied.
LITE_SRC := $(or $(CARGO_TARGET_DIR),target)/lite-src
LITE_PKG := $(or $(CARGO_TARGET_DIR),target)/pkg-lite

$(LITE_PKG)/customer_validation_bg.wasm: $(WASM_SOURCES) | tools-rust $(BUILD_STAMP)
	rm -rf $(LITE_SRC) $(LITE_PKG) && mkdir -p $(LITE_SRC)
	for d in src benches tests examples; do ln -s $(abspath $$d) $(LITE_SRC)/$$d; done
	cp Cargo.lock $(LITE_SRC)/
	awk '/^\[patch\.crates-io\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip' Cargo.toml > $(LITE_SRC)/Cargo.toml
	# regex-lite at opt-level 3, as the browser build had it before crates/regex-js: 1.9× its
	# phones/s for 2.5 KB gz (the matcher is where it spends ≈ 88% of a phone check).
	printf '\n[profile.wasm-web.package.regex-lite]\nopt-level = 3\n' >> $(LITE_SRC)/Cargo.toml
	! grep -q "^regex-lite = { path" $(LITE_SRC)/Cargo.toml
	$(CARGO) build --manifest-path $(LITE_SRC)/Cargo.toml --lib --target $(WASM_TARGET) --no-default-features \
	  --features wasm --profile wasm-web --target-dir $(abspath $(LITE_SRC))/target
	wasm-bindgen --target web --omit-default-module-path --no-typescript --out-dir $(LITE_PKG) \
	  $(LITE_SRC)/target/$(WASM_TARGET)/wasm-web/customer_validation.wasm
	$(WASM_OPT) -Oz $(WASM_OPT_FEATURES) --strip-debug --strip-producers $@ -o $@

# The browser build with every regex answer remembered inside the module (crates/regex-js/
# src/floor.rs): after a warm-up, a phone check as if matching took no time, to show how far
# any regex engine could take the browser build's phone rate. Same profile and wasm-opt
# passes as the browser build; its own target directory, as `--cfg` rebuilds every crate.
FLOOR_PKG := $(or $(CARGO_TARGET_DIR),target)/pkg-floor
FLOOR_TARGET := $(or $(CARGO_TARGET_DIR),target)/floor

$(FLOOR_PKG)/customer_validation_bg.wasm: $(WASM_SOURCES) | tools-rust $(BUILD_STAMP)
	rm -rf $(FLOOR_PKG)
	RUSTFLAGS="--cfg regex_js_floor" $(CARGO) build --lib --target $(WASM_TARGET) --no-default-features \
	  --features wasm --profile wasm-web --target-dir $(FLOOR_TARGET)
	wasm-bindgen --target web --omit-default-module-path --no-typescript --out-dir $(FLOOR_PKG) \
	  $(FLOOR_TARGET)/$(WASM_TARGET)/wasm-web/customer_validation.wasm
	$(WASM_OPT) $(WASM_OPT_WEB) $(WASM_OPT_FEATURES) --strip-debug --strip-producers $@ -o $@

bench-wasm: pkg $(LITE_PKG)/customer_validation_bg.wasm $(FLOOR_PKG)/customer_validation_bg.wasm $(BENCH_STAMP) tools-browser
	node bench/node/sizes.mjs
	LITE_PKG=$(abspath $(LITE_PKG)) FLOOR_PKG=$(abspath $(FLOOR_PKG)) node bench/node/throughput.mjs
	node bench/node/cold-start.mjs
