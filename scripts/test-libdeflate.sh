#!/usr/bin/env bash
# Builds and tests the optional libdeflate variant (-tags libdeflate, cgo;
# needs a C compiler and libdeflate-dev), then checks that it writes the
# same alerts, byte for byte, as the default pure-Go build on the test
# archives: both trail generate presets, and the fuzz seed files gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go vet -tags libdeflate ./internal/trail/...
go test -race -tags libdeflate ./internal/trail/... ./internal/trailbench/...
go test -tags libdeflate -run 'Trail' ./internal/cli/

CGO_ENABLED=0 go build -o "$tmp/rootguard-go" ./cmd/rootguard
go build -tags libdeflate -ldflags=-linkmode=internal -o "$tmp/rootguard-libdeflate" ./cmd/rootguard
"$tmp/rootguard-libdeflate" trail bench --rounds 1 --size-mb 5 >"$tmp/bench.txt"
grep -q 'inflater libdeflate' "$tmp/bench.txt" ||
  { echo "the libdeflate build does not run the libdeflate inflater"; exit 1; }

for p in mixed small; do
  "$tmp/rootguard-go" trail generate --out "$tmp/archives/$p" --preset "$p" --size-mb 20 --seed 7 >/dev/null
done
mkdir -p "$tmp/archives/seeds"
for f in internal/trail/testdata/fuzz-seeds/*.json*; do
  gzip -c "$f" >"$tmp/archives/seeds/$(basename "$f").gz"
done
for a in "$tmp"/archives/*; do
  for b in go libdeflate; do
    # Exit 1 means root activity was found, as the archives plant it.
    "$tmp/rootguard-$b" trail scan --format jsonl "$a" >"$tmp/$b.jsonl" 2>"$tmp/$b.err" || [ $? -eq 1 ]
  done
  # The summary on stderr ends with the elapsed time, which differs.
  sed -i -E 's/ in [0-9.]+[µm]?s$//' "$tmp/go.err" "$tmp/libdeflate.err"
  if ! cmp -s "$tmp/go.jsonl" "$tmp/libdeflate.jsonl" || ! cmp -s "$tmp/go.err" "$tmp/libdeflate.err"; then
    echo "FAIL: $(basename "$a"): the builds disagree"
    diff "$tmp/go.jsonl" "$tmp/libdeflate.jsonl" | head -20
    diff "$tmp/go.err" "$tmp/libdeflate.err" | head -20
    exit 1
  fi
  echo "$(basename "$a"): $(wc -l <"$tmp/go.jsonl") alerts, identical in both builds"
done
