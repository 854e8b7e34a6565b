#!/usr/bin/env bash
# Paired trail bench of two revisions on one corpus, in one run: builds
# rootguard at BASE (a git revision) and at the working tree, then
# alternates them, one `trail bench --rounds 1` each, ROUNDS times, so both
# see the same machine load. Prints each pair and the medians: detection
# throughput as a share of decompress-only (CPU time), its ratio new/base
# per pair, and peak RSS.
#
#   scripts/bench-compare.sh BASE CORPUS_DIR     (ROUNDS=15 by default; needs python3)
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: scripts/bench-compare.sh BASE CORPUS_DIR}
corpus=${2:?usage: scripts/bench-compare.sh BASE CORPUS_DIR}
rounds=${ROUNDS:-15}
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/base-src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

git worktree add --detach -q "$tmp/base-src" "$base"
(cd "$tmp/base-src" && go build -trimpath -o "$tmp/base" ./cmd/rootguard)
go build -trimpath -o "$tmp/new" ./cmd/rootguard

for _ in $(seq "$rounds"); do
  for b in base new; do
    printf '%s ' "$b"
    "$tmp/$b" trail bench --rounds 1 --json "$corpus" 2>/dev/null | tr -d '\n'
    echo
  done
done | python3 -c '
import json, statistics as st, sys
runs = {"base": [], "new": []}
for line in sys.stdin:
    name, _, doc = line.partition(" ")
    r = json.loads(doc)
    r = r[0] if isinstance(r, list) else r  # an array since trail bench measures several inflaters
    b = r["best"]
    runs[name].append((b["decompress_cpu_ns"] / b["detect_cpu_ns"], r["peak_rss_bytes"] / 1e6))
for name, v in runs.items():
    print(f"{name}: detection/decompress-only (CPU) median {st.median(x[0] for x in v):.3f}, peak RSS median {st.median(x[1] for x in v):.1f} MB")
pairs = [n[0] / b[0] for b, n in zip(runs["base"], runs["new"])]
print(f"throughput new/base per pair: median {st.median(pairs):.3f} (min {min(pairs):.3f}, max {max(pairs):.3f}, {len(pairs)} pairs)")
rss = [b[1] / n[1] for b, n in zip(runs["base"], runs["new"])]
print(f"peak RSS base/new per pair: median {st.median(rss):.3f}")
'
