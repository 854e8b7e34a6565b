#!/usr/bin/env bash
# Runs every fuzz target briefly (FUZZTIME, default 10s each). Seeds come from
# testdata and f.Add; a nightly job can run them longer.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
grep -rl --include='*_test.go' '^func Fuzz' internal | sort | while read -r f; do
  pkg=./$(dirname "$f")
  for target in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    echo "== $pkg $target ($fuzztime)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
