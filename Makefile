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

## check-generate: regenerate and fail if anything under gen/ changed
check-generate: generate
	@if [ -n "$$(git status --porcelain -- gen api)" ]; then \
		echo "generated code is out of date; run 'make generate' and commit:"; \
		git status --porcelain -- gen api; git --no-pager diff --stat -- gen api; exit 1; \
	fi

## lint: gofmt, go vet, staticcheck, actionlint, package lanes
lint: lanes
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(ACTIONLINT) .github/workflows/*.yml

## lanes: gen imports nothing hand-written; wrapper never imports sandbox, cmd or kin-openapi;
## sandbox never imports wrapper, not even in its tests; report imports wrapper, never sandbox
MODULE := $(shell $(GO) list -m)
lanes:
	@bad="$$($(GO) list -deps ./gen | grep '^$(MODULE)/' | grep -v '^$(MODULE)/gen$$')"; \
		if [ -n "$$bad" ]; then echo "gen imports hand-written code: $$bad"; exit 1; fi
	@bad="$$($(GO) list -deps ./wrapper | grep -E '^$(MODULE)/(sandbox|cmd)|getkin/kin-openapi')"; \
		if [ -n "$$bad" ]; then echo "wrapper imports what it must not: $$bad"; exit 1; fi
	@bad="$$($(GO) list -test -deps ./sandbox | grep '^$(MODULE)/wrapper')"; \
		if [ -n "$$bad" ]; then echo "sandbox imports wrapper: $$bad"; exit 1; fi
	@# report imports wrapper (and internal/), never sandbox, cmd or verify; its tests may use the sandbox
	@bad="$$($(GO) list -deps ./report | grep '^$(MODULE)/' | grep -Ev '^$(MODULE)/(report|wrapper|gen|internal/.*)$$')"; \
		if [ -n "$$bad" ]; then echo "report imports what it must not: $$bad"; exit 1; fi
	@bad="$$($(GO) list -deps ./wrapper | grep '^$(MODULE)/report')"; \
		if [ -n "$$bad" ]; then echo "wrapper imports report: $$bad"; exit 1; fi
	@echo "lanes ok"

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
