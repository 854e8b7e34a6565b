#!/usr/bin/env bash
# Regenerate every golden file and generated doc: run each package's tests
# with every -update* flag its tests define (-update, -update-catalogue,
# -update-cli-reference, ...), and only where one is defined, so a package
# without such a flag is skipped instead of failing and a new generated doc
# joins by defining its flag. Review the diff like code.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
for dir in $(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.Dir}}{{end}}' ./...); do
  # flag.Bool("update…", …) and flag.BoolVar(&v, "update…", …) in the tests.
  flags=$(grep -ohE 'flag\.Bool(Var)?\(([^,]*, *)?"update[A-Za-z0-9_-]*"' "$dir"/*_test.go 2>/dev/null |
    grep -oE '"update[A-Za-z0-9_-]*"' | tr -d '"' | sort -u || true)
  [ -n "$flags" ] || continue
  args=()
  for f in $flags; do args+=("-$f"); done
  pkg="./${dir#"$PWD"/}"
  echo "== $pkg ${args[*]}"
  go test -count=1 "$pkg" -args "${args[@]}" || status=1
done
exit $status
