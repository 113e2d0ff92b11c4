"""Schemathesis against the served OpenAPI document of the real binary, as the front desk and as a medical assistant:
generated requests to every operation, and no server error, no status, content type or body the document does not
describe. Its own server (module scope), since generated requests change data."""
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from conftest import ARTIFACTS

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def token(base, username):
    r = requests.post(base + "/api/v1/auth/token", json={"username": username, "password": "caresync-demo"}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@pytest.mark.parametrize("username", ["desk.jones", "ma.rivera"])
def test_every_operation_answers_only_as_documented(sqlite_server, username):
    base = sqlite_server.url
    report = ARTIFACTS / f"schemathesis-{username}.txt"
    run = subprocess.run(
        [str(SCHEMATHESIS), "run", base + "/api/openapi.json", "-H", f"Authorization: Bearer {token(base, username)}",
         # Revoking its own token would turn every later request into a 401; tus chunks are octet streams.
         "--exclude-path", "/api/v1/auth/revoke",
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                     "response_schema_conformance",
         "--max-examples", "10", "--seed", "20261129", "--workers", "2", "--no-color"],
        capture_output=True, text=True, timeout=900)
    ARTIFACTS.mkdir(exist_ok=True)
    report.write_text(run.stdout + run.stderr)
    summary = run.stdout[run.stdout.find("SUMMARY"):] if "SUMMARY" in run.stdout else run.stdout[-3000:]
    assert "Failures:" not in summary, run.stdout[-6000:]
    assert "Test cases:" in summary and "generated" in summary, summary
