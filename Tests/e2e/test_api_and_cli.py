"""The served OpenAPI document validates as OpenAPI 3.1, and `caresync audit verify` on a real data dir
exits 0 on an intact chain and 1, naming the event, once a row was changed."""
import sqlite3
from pathlib import Path

import requests
from openapi_spec_validator import validate


def test_openapi_document_is_valid_31(sqlite_server):
    doc = requests.get(sqlite_server.url + "/api/openapi.json", timeout=10).json()
    assert doc["openapi"] == "3.1.0"
    validate(doc)
    assert "/api/v1/patients/{id}" in doc["paths"]


def test_problem_details_name_the_field(sqlite_server):
    tok = requests.post(sqlite_server.url + "/api/v1/auth/token", json={"username": "ma.rivera", "password": "caresync-demo"}, timeout=10)
    assert tok.status_code == 200
    h = {"Authorization": "Bearer " + tok.json()["access_token"]}
    r = requests.post(sqlite_server.url + "/api/v1/patients", json={"familyName": "Test", "givenName": "E2E", "birthDate": "1999-02-29", "sex": "other"},
                      headers=h, timeout=10)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "birthDate"


def test_cli_audit_verify_detects_a_changed_row(sqlite_server):
    ok = sqlite_server.cli("audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Audit chain OK" in ok.stdout

    db = sqlite3.connect(Path(sqlite_server.data_dir) / "caresync.sqlite")
    db.execute("DROP TRIGGER audit_event_no_update")
    db.execute("UPDATE audit_event SET detail = 'tampered' WHERE seq = 3")
    db.commit()
    db.close()

    bad = sqlite_server.cli("audit", "verify", "--json")
    assert bad.returncode == 1
    assert '"firstBadSeq":3' in bad.stdout
    text = sqlite_server.cli("audit", "verify")
    assert text.returncode == 1 and "BROKEN at event #3" in text.stdout
