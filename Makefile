# A table of contents over scripts/: CI (.ci/run) calls the same scripts.
.PHONY: help build test lint fmt fuzz-short demo update-golden bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: ## build bin/rootguard
	go build -trimpath -o bin/rootguard ./cmd/rootguard

test: ## the whole suite: gofmt, vet, staticcheck, go test -race -shuffle=on
	./scripts/test.sh

lint: ## gofmt, vet and staticcheck only
	./scripts/lint.sh

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

fuzz-short: ## every fuzz target for FUZZTIME (default 10s)
	./scripts/fuzz-short.sh

demo: ## scan the built-in demo organization
	go run ./cmd/rootguard scan --demo

update-golden: ## refresh golden files and generated docs (review the diff like code)
	./scripts/update-golden.sh

bench: ## Go benchmarks (collection, policy coverage, trail scanning)
	go test -run '^$$' -bench . -benchtime 1x ./internal/...
