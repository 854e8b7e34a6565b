#!/usr/bin/env bash
# Compares `rootguard trail scan` (the pure-Go build and the -tags libdeflate
# build) with DuckDB (the @duckdb/node-api npm package, read_json with 2
# threads) and jq (two pipelines in parallel) on one archive made by
# `trail generate`, in one run. Each tool answers the same question, "which
# records are root activity", over every .json.gz file; the tools alternate,
# ROUNDS times (default 3), and the medians of wall time, CPU time
# (user+system) and peak RSS are printed with the ratios and machine facts.
#
#   scripts/trail-compare.sh [SIZE_MB] [PRESET]     (default: 300 small; ROUNDS=3)
#
# Needs Go, a C compiler and libdeflate-dev (apt-get install libdeflate-dev),
# node and npm (DuckDB is installed into a temporary folder, never into the
# repository), jq, GNU time (/usr/bin/time) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-300}
preset=${2:-small}
rounds=${ROUNDS:-3}
duckdb_version=1.5.6-r.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ROOTGUARD_GO and ROOTGUARD_LIBDEFLATE may name binaries built already.
if [ -n "${ROOTGUARD_GO:-}" ]; then cp "$ROOTGUARD_GO" "$tmp/rootguard-go"; else CGO_ENABLED=0 go build -o "$tmp/rootguard-go" ./cmd/rootguard; fi
if [ -n "${ROOTGUARD_LIBDEFLATE:-}" ]; then cp "$ROOTGUARD_LIBDEFLATE" "$tmp/rootguard-libdeflate"; else go build -tags libdeflate -ldflags=-linkmode=internal -o "$tmp/rootguard-libdeflate" ./cmd/rootguard; fi
"$tmp/rootguard-go" trail generate --out "$tmp/archive" --preset "$preset" --accounts 20 --days 14 --size-mb "$size" --seed 2025 >"$tmp/generate.txt"
(cd "$tmp" && npm install --silent --no-audit --no-fund --prefix "$tmp/node" "@duckdb/node-api@$duckdb_version" >/dev/null)
cat >"$tmp/node/duckdb.mjs" <<'JS'
import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await inst.connect();
const rows = await con.runAndReadAll(`SELECT count(*) AS n FROM (
  SELECT unnest(Records) AS r FROM read_json('${process.argv[2]}/**/*.json.gz', columns={Records: 'JSON[]'}, maximum_object_size=268435456)
) WHERE json_extract_string(r, '$.userIdentity.type') = 'Root'`);
console.log(rows.getRowObjectsJson()[0].n);
JS
cat >"$tmp/jq.sh" <<'SH'
find "$1" -name '*.json.gz' -print0 |
  xargs -0 -P2 -n 32 sh -c 'zcat "$@" | jq -c ".Records[] | select(.userIdentity.type == \"Root\") | .eventID"' _ | wc -l
SH

declare -A cmd=(
  [rootguard-go]="$tmp/rootguard-go trail scan --format jsonl $tmp/archive"
  [rootguard-libdeflate]="$tmp/rootguard-libdeflate trail scan --format jsonl $tmp/archive"
  [duckdb]="node $tmp/node/duckdb.mjs $tmp/archive"
  [jq]="sh $tmp/jq.sh $tmp/archive"
)
tools=(rootguard-go rootguard-libdeflate duckdb jq)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$rounds"); do
  for t in "${tools[@]}"; do
    # trail scan exits 1 when it found root activity: that is expected here.
    /usr/bin/time -f "$t %e %U %S %M" -o "$tmp/time" ${cmd[$t]} >"$tmp/$t.out" 2>"$tmp/$t.err" || [ $? -eq 1 ]
    grep "^$t " "$tmp/time" >>"$tmp/times" # GNU time also notes a non-zero exit there
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cmp -s "$tmp/rootguard-go.out" "$tmp/rootguard-libdeflate.out" && same=yes || same=NO

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GB RAM", $2/1e6}' /proc/meminfo), $(uname -sr)"
echo "load average (1/5/15 min): $load_before before, $load_after after"
echo "tools: $(go version | cut -d' ' -f3), DuckDB @duckdb/node-api $duckdb_version (node $(node --version)), $(jq --version)"
echo "archive: trail generate --preset $preset --size-mb $size --seed 2025: $(head -1 "$tmp/generate.txt" | sed 's/^wrote //')"
echo "answers: rootguard $(wc -l <"$tmp/rootguard-go.out") alerts (libdeflate build byte-identical: $same), DuckDB $(cat "$tmp/duckdb.out") root records, jq $(tr -d ' ' <"$tmp/jq.out") root records"
python3 - "$tmp/times" "$rounds" <<'PY'
import statistics as st, sys
runs = {}
for line in open(sys.argv[1]):
    t, wall, user, system, rss = line.split()
    runs.setdefault(t, []).append((float(wall), float(user) + float(system), int(rss) / 1000))
med = {t: [st.median(x[i] for x in v) for i in range(3)] for t, v in runs.items()}
print(f"median of {sys.argv[2]} rounds:")
print(f"{'tool':22} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12}")
for t, (w, c, m) in med.items():
    print(f"{t:22} {w:8.2f} {c:8.2f} {m:12.1f}")
for base in ("rootguard-go", "rootguard-libdeflate"):
    for other in ("duckdb", "jq"):
        print(f"{other}/{base}: {med[other][0] / med[base][0]:.1f}x wall, {med[other][1] / med[base][1]:.1f}x CPU")
print(f"rootguard-go/rootguard-libdeflate: {med['rootguard-go'][0] / med['rootguard-libdeflate'][0]:.2f}x wall, "
      f"{med['rootguard-go'][1] / med['rootguard-libdeflate'][1]:.2f}x CPU")
PY
