#!/usr/bin/env bash
# Runs CareSync on its embedded default: SQLite and a blob store in ./caresync-data, demo practice seeded
# on first start. Extra arguments go to `caresync serve` (for example --port 9000 or --data-dir /srv/caresync).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_build_deps
log "building caresync (the first build takes several minutes)"
swift build --product caresync
exec .build/debug/caresync serve "$@"
