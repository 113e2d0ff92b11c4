"""The served OpenAPI document validates as OpenAPI 3.1, and `caresync audit verify` on a real data dir
exits 0 on an intact chain and 1, naming the event, once a row was changed."""
import os
import sqlite3
import subprocess
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


def test_production_refuses_to_start_without_its_baseline_and_lists_every_gap(tmp_path):
    """`CARESYNC_ENV=production caresync serve` on a bare configuration (demo seeding on, plain http, no keys, no mail):
    the binary exits 1 before listening, naming each setting; an unknown environment name is refused too."""
    from conftest import BINARY
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARESYNC_")}
    run = subprocess.run([str(BINARY), "serve", "--data-dir", str(tmp_path / "prod"), "--port", "0"],
                         env={**env, "CARESYNC_ENV": "production"}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    for name in ["CARESYNC_PUBLIC_URL", "--no-demo", "CARESYNC_AUDIT_KEY", "CARESYNC_BACKUP_KEY", "CARESYNC_SMTP_URL",
                 "CARESYNC_SMS_WEBHOOK_URL"]:
        assert name in run.stderr, (name, run.stderr)
    assert "is starting" not in run.stderr, "nothing listened"
    odd = subprocess.run([str(BINARY), "serve", "--data-dir", str(tmp_path / "odd"), "--port", "0"],
                         env={**env, "CARESYNC_ENV": "prod"}, capture_output=True, text=True, timeout=120)
    assert odd.returncode == 1 and "production, staging or development" in odd.stderr, odd.stderr


def test_doctor_checks_a_running_server_from_outside_and_inside():
    """`caresync doctor --url … --json` against a fresh demo server (plain http, demo accounts, keys in the data dir):
    exit 1, with the failures named and the headers, cookies, audit guard and logs passing."""
    from conftest import Server
    server = Server("sqlite")
    try:
        doctor_on(server)
    finally:
        server.stop()


def doctor_on(sqlite_server):
    run = sqlite_server.cli("doctor", "--url", sqlite_server.url, "--json")
    assert run.returncode == 1, run.stdout + run.stderr
    import json
    report = json.loads(run.stdout)
    status = {c["name"]: c["status"] for c in report["checks"]}
    assert report["ok"] is False and report["environment"] == "development"
    for name in ("csp", "hsts", "cookies", "audit-guard", "logs"):
        assert status.get(name) == "pass", (name, report["checks"])
    for name in ("tls", "demo-accounts", "mfa", "keys", "environment"):
        assert status.get(name) == "fail", (name, report["checks"])
    assert "without two-step sign-in: " in next(c["detail"] for c in report["checks"] if c["name"] == "mfa")
    plain = sqlite_server.cli("doctor", "--url", sqlite_server.url)
    assert plain.returncode == 1 and "FAIL  demo-accounts" in plain.stdout and "check(s) failed." in plain.stdout, \
        plain.stdout


def test_cli_note_templates_are_data_the_practice_versions(sqlite_server, tmp_path):
    """The practice keeps its visit-note templates: list them, add the next version of one from a JSON file (the shape
    the API shows); a file that is not a template is refused with what is wrong, and nothing is added."""
    import json
    listed = sqlite_server.cli("note-templates", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    before = {t["code"]: t["version"] for t in json.loads(listed.stdout)}
    assert before["note-diabetic-foot"] == 1 and "note-wound-check" in before
    template = {
        "code": "note-diabetic-foot", "version": 1, "title": "Diabetic foot evaluation (2027)",
        "intro": "With the vascular screen.",
        "sections": [
            {"title": "Subjective", "fields": [{"id": "chiefComplaint", "label": "Chief complaint", "kind": "textarea",
                                                "required": True}]},
            {"title": "Objective", "fields": [{"id": "abi", "label": "Ankle-brachial index", "kind": "number",
                                               "required": False, "min": 0, "max": 2}]},
            {"title": "Assessment", "fields": [{"id": "assessment", "label": "Assessment", "kind": "textarea",
                                                "required": True}]},
            {"title": "Plan", "fields": [{"id": "plan", "label": "Plan", "kind": "textarea", "required": True}]},
        ],
    }
    path = tmp_path / "foot.json"
    path.write_text(json.dumps(template))
    added = sqlite_server.cli("note-templates", "add", str(path))
    assert added.returncode == 0, added.stdout + added.stderr
    assert "Added note-diabetic-foot version 2" in added.stdout
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**template, "code": "Foot Exam!"}))
    refused = sqlite_server.cli("note-templates", "add", str(bad))
    assert refused.returncode == 1
    assert "code must be lowercase letters" in refused.stdout + refused.stderr
    after = {t["code"]: t["version"] for t in json.loads(sqlite_server.cli("note-templates", "list", "--json").stdout)}
    assert after["note-diabetic-foot"] == 2 and "Foot Exam!" not in after
