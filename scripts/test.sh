#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need (PostgreSQL, Chromium and chromedriver,
# the Python test clients), runs the Swift suite on SQLite and again on PostgreSQL, then the end-to-end
# tests (real browser sign-in with MFA, OpenAPI validation, the audit CLI) against the real server binary.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
start=$(date +%s)

ensure_build_deps
apt_ensure postgresql postgresql-client chromium chromium-driver python3-venv coturn zbar-tools nginx openssl \
  prometheus prometheus-alertmanager

log "formatting (swift format lint --strict, the committed .swift-format)"
swift format lint --strict --recursive --parallel Sources Tests Package.swift

log "building (debug, with tests)"
swift build --build-tests

pg_start
trap pg_stop EXIT
# The two suites side by side (each mostly waits on one core): the test bundle is run directly, as `swift test` would,
# because SwiftPM lets one `swift test` at a time use .build. Each suite's output is printed whole when both are done.
log "Swift suites on SQLite and on PostgreSQL, side by side"
bundle="$(swift build --show-bin-path)/caresyncPackageTests.xctest"
logs=$(mktemp -d)
( "$bundle" > "$logs/sqlite.log" 2>&1; echo $? > "$logs/sqlite.rc" ) &
TEST_DATABASE_URL="$PG_URL" "$bundle" > "$logs/postgresql.log" 2>&1; echo $? > "$logs/postgresql.rc"
wait
for db in sqlite postgresql; do
  log "Swift suite on $db: exit $(cat "$logs/$db.rc")"
  cat "$logs/$db.log"
done
[ "$(cat "$logs/sqlite.rc")" = 0 ] && [ "$(cat "$logs/postgresql.rc")" = 0 ] || { log "a Swift suite failed"; exit 1; }

log "Python test clients"
VENV=.venv-test
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check -r Tests/e2e/requirements.txt
# axe-core 4.12.1, the newest on PyPI, comes inside this package; only its axe.min.js is used (injected through
# Selenium), so Playwright, its dependency, is not installed.
"$VENV/bin/pip" install -q --disable-pip-version-check --no-deps axe-playwright-python==0.1.8

log "end-to-end tests (real server, Chromium, SQLite and PostgreSQL)"
E2E_PG_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres" E2E_ARTIFACTS="$PWD/test-artifacts" \
  "$VENV/bin/python" -m pytest -q Tests/e2e

log "all tests passed in $(( $(date +%s) - start )) s; screenshots in test-artifacts/"
