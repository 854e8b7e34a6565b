#!/usr/bin/env bash
# Checks that scripts/release.sh is reproducible: two runs into different
# directories give byte-identical archives and SBOMs, the checksums verify,
# and the binary reports the version and revision it was given.
set -euo pipefail
cd "$(dirname "$0")/.."
export RELEASE_TARGETS=${RELEASE_TARGETS:-linux/amd64}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

DIST=$tmp/a scripts/release.sh v0.0.0-check 0123456789abcdef > /dev/null
DIST=$tmp/b scripts/release.sh v0.0.0-check 0123456789abcdef > /dev/null
for d in a b; do (cd "$tmp/$d" && sha256sum --quiet -c SHA256SUMS); done
cmp "$tmp/a/SHA256SUMS" "$tmp/b/SHA256SUMS"
n=0
for f in "$tmp"/a/*.tar.gz "$tmp"/a/*.zip "$tmp"/a/*.cdx.json; do
	[ -e "$f" ] || continue
	cmp "$f" "$tmp/b/${f##*/}"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "release-check: no archive made" >&2; exit 1; }

# The archive holds the binary, README and completions; the binary knows its version.
host="$(go env GOHOSTOS)_$(go env GOHOSTARCH)"
if [ -e "$tmp/a/rootguard_v0.0.0-check_$host.tar.gz" ]; then
	tar -tzf "$tmp/a/rootguard_v0.0.0-check_$host.tar.gz" | sort > "$tmp/list"
	for want in rootguard README.md completions/rootguard.bash completions/rootguard.zsh completions/rootguard.fish completions/rootguard.powershell; do
		grep -qx "rootguard_v0.0.0-check_$host/$want" "$tmp/list" || { echo "release-check: $want not in the archive" >&2; exit 1; }
	done
	out=$("$tmp/a/build/$host/rootguard" version)
	grep -qx "rootguard v0.0.0-check" <<< "$out" && grep -qx "commit 0123456789abcdef" <<< "$out" ||
		{ echo "release-check: version printed $out" >&2; exit 1; }
fi
grep -q '"bomFormat": *"CycloneDX"' "$tmp/a/"*.cdx.json
echo "release-check: $n files byte-identical across two builds, checksums verify"
