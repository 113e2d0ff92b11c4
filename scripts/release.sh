#!/bin/bash
# Builds a release: a directory holding the binary and its metadata (release.json: version, git commit, build time),
# which `caresync version`, /health/ready and /metrics report. Usage: scripts/release.sh VERSION [OUT_DIR]
# (default releases/VERSION). The working tree must be committed: a release names exactly one commit.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:?usage: scripts/release.sh VERSION [OUT_DIR]}"
out="${2:-releases/$version}"
if [[ ! "$version" =~ ^[A-Za-z0-9._+-]{1,64}$ ]]; then echo "version: letters, digits, . _ + - only" >&2; exit 2; fi
if [ -n "$(git status --porcelain)" ]; then echo "commit your changes first: a release names one commit" >&2; exit 2; fi
commit="$(git rev-parse --short=12 HEAD)"
echo "==> building $version ($commit), release configuration"
swift build -c release --product caresync
mkdir -p "$out"
cp "$(swift build -c release --show-bin-path)/caresync" "$out/caresync"
printf '{"version":"%s","commit":"%s","builtAt":"%s"}\n' "$version" "$commit" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  > "$out/release.json"
"$out/caresync" version
echo "==> release in $out"
