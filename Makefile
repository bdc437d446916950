# The project's one test command is `make test`.
GO ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ACTIONLINT := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
BENCHSTAT := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
FUZZTIME ?= 10s
BENCHCOUNT ?= 6

.PHONY: all generate check-generate lint lanes test cover bench fuzz

all: test

## generate: regenerate gen/ from api/bsg-2fa.yaml
generate:
	$(GO) generate ./...

## check-generate: fail if gen/ differs from what the working tree's api/bsg-2fa.yaml generates.
## It generates into a scratch copy (go.mod, the spec and gen/'s hand-written files) and
## compares; neither git nor the working tree is touched, so uncommitted edits are fine.
check-generate:
	@set -e; tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
		mkdir -p "$$tmp/api" "$$tmp/gen"; \
		cp go.mod go.sum tools.go "$$tmp/"; cp api/bsg-2fa.yaml "$$tmp/api/"; \
		for f in gen/*; do \
			grep -q '^// Code generated .* DO NOT EDIT\.$$' "$$f" || cp "$$f" "$$tmp/gen/"; \
		done; \
		(cd "$$tmp" && GOWORK=off GOFLAGS=-mod=readonly $(GO) generate ./gen); \
		if ! diff -r -u gen "$$tmp/gen" > "$$tmp/drift"; then \
			echo "generated code is out of date: gen/ differs from what api/bsg-2fa.yaml generates;"; \
			echo "run 'make generate'. First lines of the difference (gen/ vs. regenerated):"; \
			head -n 40 "$$tmp/drift"; exit 1; \
		fi; \
		echo "gen/ matches api/bsg-2fa.yaml"

## lint: gofmt, go vet, staticcheck, actionlint, package lanes
lint: lanes
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(ACTIONLINT) .github/workflows/*.yml

## lint-spec: Redocly CLI (recommended rules) and Spectral (spectral:oas) on the spec, pinned and
## run through npx (Node.js >= 20.19, the npm registry); fails on any error and on any warning
## not listed in api/README.md
.PHONY: lint-spec
REDOCLY_CLI := @redocly/cli@2.77.0
SPECTRAL_CLI := @stoplight/spectral-cli@6.16.3
lint-spec:
	@api/lint-spec.sh $(REDOCLY_CLI) $(SPECTRAL_CLI)

## lanes: gen imports nothing hand-written; wrapper never imports sandbox, cmd or kin-openapi;
## sandbox never imports wrapper, not even in its tests; verify's lanes (verify-lanes);
## report imports wrapper, never sandbox; internal/money and internal/phone, which the lanes
## share, import only the standard library
MODULE := $(shell $(GO) list -m)
lanes:
	@bad="$$($(GO) list -deps ./gen | grep '^$(MODULE)/' | grep -v '^$(MODULE)/gen$$')"; \
		if [ -n "$$bad" ]; then echo "gen imports hand-written code: $$bad"; exit 1; fi
	@bad="$$($(GO) list -deps ./wrapper | grep -E '^$(MODULE)/(sandbox|cmd)|getkin/kin-openapi')"; \
		if [ -n "$$bad" ]; then echo "wrapper imports what it must not: $$bad"; exit 1; fi
	@bad="$$($(GO) list -test -deps ./sandbox | grep '^$(MODULE)/wrapper')"; \
		if [ -n "$$bad" ]; then echo "sandbox imports wrapper: $$bad"; exit 1; fi
	@$(MAKE) --no-print-directory verify-lanes
	@# report imports wrapper (and internal/), never sandbox, cmd or verify; its tests may use the sandbox
	@bad="$$($(GO) list -deps ./report | grep '^$(MODULE)/' | grep -Ev '^$(MODULE)/(report|wrapper|gen|internal/.*)$$')"; \
		if [ -n "$$bad" ]; then echo "report imports what it must not: $$bad"; exit 1; fi
	@bad="$$($(GO) list -deps ./wrapper | grep '^$(MODULE)/report')"; \
		if [ -n "$$bad" ]; then echo "wrapper imports report: $$bad"; exit 1; fi
	@bad="$$($(GO) list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./internal/money ./internal/phone | grep -Ev '^$(MODULE)/internal/(money|phone)$$')"; \
		if [ -n "$$bad" ]; then echo "internal/money or internal/phone imports more than the standard library: $$bad"; exit 1; fi
	@echo "lanes ok"

## verify-lanes: verify builds on wrapper, never on sandbox, cmd or report (its tests may use the
## sandbox); Redis only in verify/redisstore (and the tests' internal/redistest); phonenumbers
## only in verify; wrapper has neither
IMPORTS = $(GO) list -f '{{.ImportPath}}: {{join .Imports " "}}' ./...
.PHONY: verify-lanes
verify-lanes:
	@$(GO) list -deps ./verify | grep -qx '$(MODULE)/wrapper' || { echo "verify does not build on wrapper"; exit 1; }
	@bad="$$($(GO) list -deps ./verify ./verify/redisstore | grep -E '^$(MODULE)/(sandbox|cmd|report|internal/redistest)|getkin/kin-openapi')"; \
		if [ -n "$$bad" ]; then echo "verify imports what it must not: $$bad"; exit 1; fi
	@bad="$$($(GO) list -deps ./verify | grep 'github.com/redis/go-redis')"; \
		if [ -n "$$bad" ]; then echo "verify imports Redis (only verify/redisstore may): $$bad"; exit 1; fi
	@bad="$$($(IMPORTS) | grep 'github.com/redis/go-redis' | grep -vE '^$(MODULE)/(verify/redisstore|internal/redistest):')"; \
		if [ -n "$$bad" ]; then echo "Redis outside verify/redisstore: $$bad"; exit 1; fi
	@bad="$$($(IMPORTS) | grep 'github.com/nyaruka/phonenumbers' | grep -v '^$(MODULE)/verify:')"; \
		if [ -n "$$bad" ]; then echo "phonenumbers outside verify: $$bad"; exit 1; fi
	@bad="$$($(IMPORTS) | grep '$(MODULE)/internal/redistest' | grep -v '^$(MODULE)/internal/redistest:')"; \
		if [ -n "$$bad" ]; then echo "internal/redistest is for tests only: $$bad"; exit 1; fi
	@bad="$$($(GO) list -deps ./wrapper | grep -E 'github.com/redis/go-redis|nyaruka/phonenumbers')"; \
		if [ -n "$$bad" ]; then echo "wrapper imports what it must not: $$bad"; exit 1; fi

## test: the whole check, as CI runs it
test: check-generate lint
	$(GO) test -race -count=1 ./...
	@# report's heap bound at 1,000,000 sessions runs without the race detector (see report/heap_test.go)
	$(GO) test -count=1 -run '^TestHeapBound' ./report

## cover: test coverage per package and in total
cover:
	$(GO) test -count=1 -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -n 1

## bench: benchmarks with -benchmem, several counts, summarised by benchstat (see BENCHMARKS.md)
bench:
	@echo "machine: $$($(GO) version), nproc $$(nproc), $$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
	@echo "load before: $$(uptime)"
	$(GO) test -run='^$$' -bench=. -benchmem -count=$(BENCHCOUNT) -timeout=30m ./... > bench.txt || { cat bench.txt; exit 1; }
	@echo "load after: $$(uptime)"
	$(GO) run $(BENCHSTAT) bench.txt
	@echo; echo "ratios against the hand-written floor (impl=raw), same run:"
	$(GO) run $(BENCHSTAT) -col /impl -filter '/impl:(raw OR gen OR wrapper)' bench.txt
	@echo; echo "verify: Start+Check over the bare wrapper calls (impl=wrapper), same run:"
	$(GO) run $(BENCHSTAT) -col /impl -filter '.name:VerifyStartCheck' bench.txt
	@echo; echo "sandbox flows (flows/s), same run:"
	$(GO) run $(BENCHSTAT) -filter '.name:(SandboxFlows OR SendVerifyFlowParallel OR SendVerifyFlowInProcess OR LoopbackFloorParallel)' bench.txt

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) $$pkg; \
		done; \
	done
