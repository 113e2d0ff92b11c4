"""On PostgreSQL, the production shape of the database: an owner role that migrates (`caresync migrate --app-role`)
and an app role the server runs as, which may read and write but only read and append to the audit table, so it
cannot drop or disable the append-only triggers. Through the real binary, the server's readiness, doctor and psql."""
import json
import os
import subprocess
import uuid

import pytest
import requests

from conftest import BINARY, Server

pytestmark = pytest.mark.skipif(not os.environ.get("E2E_PG_ADMIN_URL"), reason="PostgreSQL roles")

ATTACKS = [
    "UPDATE audit_event SET detail = 'rewritten'",
    "DELETE FROM audit_event",
    "TRUNCATE audit_event",
    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_event_no_update_delete ON audit_event",
    "DELETE FROM _fluent_migrations",
]


def psql(url, sql):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", sql], capture_output=True, text=True)


def caresync(*args, env, data_dir):
    return subprocess.run([str(BINARY), *args, "--data-dir", str(data_dir)], env=env, capture_output=True, text=True,
                          timeout=120)


def test_server_runs_as_an_app_role_that_cannot_rewrite_the_audit_trail(tmp_path):
    admin = os.environ["E2E_PG_ADMIN_URL"]
    tag = uuid.uuid4().hex[:8]
    owner, app, db = f"cs_owner_{tag}", f"cs_app_{tag}", f"caresync_roles_{tag}"
    for sql in [f"CREATE ROLE {owner} LOGIN", f"CREATE ROLE {app} LOGIN", f"CREATE DATABASE {db} OWNER {owner}"]:
        assert psql(admin, sql).returncode == 0
    host = admin.split("@", 1)[1].rsplit("/", 1)[0]
    owner_url = f"postgres://{owner}@{host}/{db}?sslmode=disable"
    app_url = f"postgres://{app}@{host}/{db}?sslmode=disable"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CARESYNC_")}
    base_env["LOG_LEVEL"] = "error"
    server = None
    try:
        # Before the owner migrates, the app role cannot set the database up and says what to run instead.
        early = caresync("migrate", env={**base_env, "DATABASE_URL": app_url}, data_dir=tmp_path / "early")
        assert early.returncode == 1 and "caresync migrate --app-role" in early.stderr, early.stderr

        granted = caresync("migrate", "--app-role", app, env={**base_env, "DATABASE_URL": owner_url},
                           data_dir=tmp_path / "owner")
        assert granted.returncode == 0, granted.stderr
        assert f"App role {app}" in granted.stdout and "audit_event read and append only" in granted.stdout
        refused = caresync("migrate", "--app-role", owner, env={**base_env, "DATABASE_URL": owner_url},
                           data_dir=tmp_path / "owner")
        assert refused.returncode == 1 and "different role from the owner" in refused.stderr, refused.stderr

        server = Server("postgres", app_url)
        ready = requests.get(server.url + "/health/ready", timeout=10).json()
        assert ready["status"] == "ok" and ready["checks"]["databaseRole"]["status"] == "ok", ready

        # The app role does the server's ordinary work: sign-in, a new patient, and their audit events.
        tok = requests.post(server.url + "/api/v1/auth/token",
                            json={"username": "desk.jones", "password": "caresync-demo"}, timeout=10)
        assert tok.status_code == 200, tok.text
        made = requests.post(server.url + "/api/v1/patients",
                             json={"familyName": "Role", "givenName": "Check", "birthDate": "1970-01-02", "sex": "female"},
                             headers={"Authorization": "Bearer " + tok.json()["access_token"]}, timeout=10)
        assert made.status_code == 201, made.text

        # What an attacker holding the server's database credentials tries: each refused by PostgreSQL itself.
        for attack in ATTACKS:
            tried = psql(app_url, attack)
            assert tried.returncode != 0, f"the app role could: {attack}"
            assert "permission denied" in tried.stderr or "must be owner" in tried.stderr, (attack, tried.stderr)

        verified = server.cli("audit", "verify")
        assert verified.returncode == 0 and "Audit chain OK" in verified.stdout, verified.stdout + verified.stderr
        assert "Warning" not in verified.stdout, verified.stdout

        doctor = json.loads(server.cli("doctor", "--json").stdout)
        role_check = next(c for c in doctor["checks"] if c["name"] == "database-role")
        assert role_check["status"] == "pass", role_check

        # The owner's credentials are not the server's: doctor fails them, and production will not start on them.
        as_owner = caresync("doctor", "--json", env={**base_env, "DATABASE_URL": owner_url}, data_dir=server.data_dir)
        owner_check = next(c for c in json.loads(as_owner.stdout)["checks"] if c["name"] == "database-role")
        assert owner_check["status"] == "fail" and "owns audit_event" in owner_check["detail"], owner_check
        prod = caresync("serve", "--port", "0", env={**base_env, "DATABASE_URL": owner_url, "CARESYNC_ENV": "production"},
                        data_dir=tmp_path / "prod")
        assert prod.returncode == 1 and "owns audit_event" in prod.stderr, prod.stderr
        assert "is starting" not in prod.stderr
    finally:
        if server:
            server.stop()
        psql(admin, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        psql(admin, f"DROP ROLE IF EXISTS {app}")
        psql(admin, f"DROP ROLE IF EXISTS {owner}")
