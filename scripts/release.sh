#!/usr/bin/env bash
# Reproducible release builds: the same commit, version and
# SOURCE_DATE_EPOCH give byte-identical archives on any machine.
#
#   scripts/release.sh [VERSION [REVISION]]
#
# VERSION defaults to `git describe --tags --always --dirty`, REVISION to
# `git rev-parse HEAD`, the build date to SOURCE_DATE_EPOCH (default: the
# commit's time). RELEASE_TARGETS (default: linux, darwin and windows on
# amd64 and arm64) lists GOOS/GOARCH pairs; DIST (default dist) is where
# the archives, their SBOMs and SHA256SUMS go. See docs/releasing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
revision=${2:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
targets=${RELEASE_TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}
dist=${DIST:-dist}
export SOURCE_DATE_EPOCH=$epoch TZ=UTC LC_ALL=C
date=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

pkg=github.com/rootguard/rootguard/internal/version
ldflags="-s -w -buildid= -X $pkg.Version=$version -X $pkg.Commit=$revision -X $pkg.Date=$date"
build() { # GOOS GOARCH OUT
	CGO_ENABLED=0 GOOS=$1 GOARCH=$2 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$3" ./cmd/rootguard
}

rm -rf "$dist"
mkdir -p "$dist/build"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Shell completions come from a binary for this machine.
build "$(go env GOHOSTOS)" "$(go env GOHOSTARCH)" "$work/rootguard-host"
mkdir -p "$work/completions"
for sh in bash zsh fish powershell; do
	"$work/rootguard-host" completion "$sh" > "$work/completions/rootguard.$sh"
done

for target in $targets; do
	os=${target%/*} arch=${target#*/}
	name=rootguard_${version}_${os}_${arch}
	stage=$work/$name
	mkdir -p "$stage"
	exe=rootguard
	[ "$os" = windows ] && exe=rootguard.exe
	build "$os" "$arch" "$stage/$exe"
	cp README.md "$stage/"
	[ -f LICENSE ] && cp LICENSE "$stage/"
	cp -r "$work/completions" "$stage/"
	# The container image (Dockerfile) copies the binary from here.
	mkdir -p "$dist/build/${os}_$arch"
	cp "$stage/$exe" "$dist/build/${os}_$arch/"

	# Deterministic archives: fixed mtimes, sorted names, no owners.
	find "$stage" -exec touch -h -d "@$epoch" {} +
	chmod -R u=rwX,go=rX "$stage"
	if [ "$os" = windows ]; then
		(cd "$work" && find "$name" -print | sort | zip -q -X -D "$OLDPWD/$dist/$name.zip" -@)
	else
		tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
			--format=gnu -cf - "$name" | gzip -n -9 > "$dist/$name.tar.gz"
	fi

	# CycloneDX SBOM of what this target's binary is built from.
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go tool -modfile=tools/go.mod cyclonedx-gomod app \
		-json -std -noserial -notimestamp -main cmd/rootguard -output "$dist/$name.cdx.json" . 2>/dev/null
done

(cd "$dist" && shopt -s nullglob && sha256sum -- *.tar.gz *.zip *.cdx.json | sort -k2 > SHA256SUMS)
echo "release $version ($revision, $date):"
cat "$dist/SHA256SUMS"
