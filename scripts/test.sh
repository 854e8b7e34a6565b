#!/usr/bin/env bash
# The whole test suite: formatting, vet, staticcheck, then every test with
# the race detector and shuffled order. CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './tools/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go tool -modfile=tools/go.mod staticcheck ./...

echo "== go test"
go test -race -shuffle=on -count=1 -timeout 30m "$@" ./...
