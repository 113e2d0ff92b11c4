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

log "Swift suite on SQLite"
swift test --skip-build

pg_start
trap pg_stop EXIT
log "Swift suite on PostgreSQL"
TEST_DATABASE_URL="$PG_URL" swift test --skip-build

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
