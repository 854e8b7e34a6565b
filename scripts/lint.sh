#!/usr/bin/env bash
# gofmt, go vet and staticcheck (pinned in tools/go.mod), without the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
test -z "$(gofmt -l $(git ls-files '*.go'))" || { gofmt -l $(git ls-files '*.go'); exit 1; }
go vet ./...
go tool -modfile=tools/go.mod staticcheck ./...
