# The two commands: `make demo` and `make test`. Both install what is missing first.
SHELL := /bin/bash
export PATH := $(PATH):/usr/sbin

.PHONY: deps build lint typecheck test test-unit test-int demo bench clean

deps:
	@bash deploy/ensure-deps.sh

build: deps
	@npm run --silent build

lint: deps
	@npx eslint .

typecheck: deps
	@npx tsc -p tsconfig.json

test-unit: deps
	@npx vitest run --config vitest.config.ts

test-int: build
	@MUSTER_SKIP_BUILD=1 npx vitest run --config vitest.integration.config.ts

REPORTS := .muster/test-reports

# Unit and integration tests both run even when one fails; the summary line and the exit status cover both.
test: build typecheck lint
	@rm -rf $(REPORTS) && mkdir -p $(REPORTS)
	@st=0; \
	npx vitest run --config vitest.config.ts --reporter=default --reporter=json --outputFile.json=$(REPORTS)/unit.json || st=1; \
	MUSTER_SKIP_BUILD=1 npx vitest run --config vitest.integration.config.ts --reporter=default --reporter=json --outputFile.json=$(REPORTS)/integration.json || st=1; \
	node test/helpers/summarize.mjs $(REPORTS)/unit.json $(REPORTS)/integration.json || st=1; \
	exit $$st

demo: build
	@bash deploy/examples/demo.sh

clean:
	rm -rf dist .muster
