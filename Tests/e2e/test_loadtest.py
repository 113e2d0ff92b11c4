"""`caresync loadtest` against the real server, on SQLite and on PostgreSQL, with `caresync pharmacy-sim` answering the
prescriptions: a short busy morning at a small scale runs every flow, judges the thresholds, keeps the run (on /ops
and in the API), cleans the synthetic cohort up, and touches no row of the demo practice's real (non-synthetic)
patients; the audit trail of the run shows only the synthetic actors. Then a server with one slow route fails the run
with exit code 2, naming that flow and only that flow."""
import json
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests

from selenium.webdriver.common.by import By

from conftest import BINARY, Server
from test_browser_signin import sign_in
from test_real_clock_walks import browser_at, fits, shot
from test_eprescribing import rx_world  # noqa: F401  (the server and pharmacy-sim, per database)

FLOWS = {"booking", "check-in", "portal", "intake", "upload", "message", "video", "chart", "prescription", "refills"}


def sql(srv, query):
    """One row of numbers or strings from the server's own database."""
    if srv.backend == "sqlite":
        with sqlite3.connect(Path(srv.data_dir) / "caresync.sqlite") as db:
            return [list(r) for r in db.execute(query).fetchall()]
    url = srv.env["DATABASE_URL"]
    out = subprocess.run(["psql", url, "-AtF", "\t", "-c", query], capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def real_rows(srv):
    """What the run must leave alone: the real patients, their appointments, and the practice's own accounts."""
    t = "true" if srv.backend == "postgres" else "1"
    f = "false" if srv.backend == "postgres" else "0"
    return {
        "patients": sql(srv, f"SELECT COUNT(*), COALESCE(SUM(version), 0) FROM patient WHERE synthetic = {f}"),
        "appointments": sql(srv, "SELECT COUNT(*), COALESCE(SUM(a.version), 0) FROM appointment a "
                                 f"JOIN patient p ON p.id = a.patient_id WHERE p.synthetic = {f}"),
        "accounts": sql(srv, f"SELECT COUNT(*), SUM(CASE WHEN active = {t} THEN 1 ELSE 0 END) FROM app_user "
                             "WHERE username NOT LIKE 'loadtest.%'"),
        "conversations": sql(srv, "SELECT COUNT(*) FROM message_thread c JOIN patient p ON p.id = c.patient_id "
                                  f"WHERE p.synthetic = {f}"),
    }


def loadtest(srv, *args, env=None):
    return subprocess.run([str(BINARY), "loadtest", "--target", srv.url, *args], env=env or srv.env,
                          capture_output=True, text=True, timeout=600)


def test_a_short_busy_morning_runs_every_flow_and_leaves_the_practice_as_it_was(rx_world, tmp_path,  # noqa: F811
                                                                              artifacts):
    srv, _ = rx_world
    before = real_rows(srv)
    seq = int(sql(srv, "SELECT COALESCE(MAX(seq), 0) FROM audit_event")[0][0])
    report = tmp_path / "report.html"
    data = ["--data-dir", srv.data_dir] if srv.backend == "sqlite" else []
    out = loadtest(srv, "--scenario", "busy-morning", "--duration", "40s", "--scale", "1", "--json",
                   "--report", str(report), *data)
    run = json.loads(out.stdout)
    assert out.returncode == 0, [(r["flow"], r["errorSamples"]) for r in run["body"]["results"] if r["errors"]]
    results = {r["flow"]: r for r in run["body"]["results"]}
    assert set(results) == FLOWS, sorted(results)
    for flow, r in results.items():
        assert r["requests"] > 0 and r["errors"] == 0, (flow, r)
        assert r["p95Ms"] < 2000, (flow, r)
    assert run["passed"] is True and run["body"]["breaches"] == []
    assert "p95 &lt; 2.00 s" in report.read_text() and "<svg" in report.read_text()
    assert "s:" in out.stderr, "live progress lines"

    # Cleaned up: every loadtest account switched off, nothing of theirs still booked.
    t = "true" if srv.backend == "postgres" else "1"
    active = sql(srv, f"SELECT COUNT(*) FROM app_user WHERE username LIKE 'loadtest.%' AND active = {t}")
    assert active[0][0] in (0, "0")
    assert sql(srv, "SELECT COUNT(*) FROM appointment a JOIN app_user u ON u.id = a.provider_id "
                    "WHERE u.username LIKE 'loadtest.%' AND a.status NOT IN ('cancelled', 'entered-in-error')"
               )[0][0] in (0, "0")
    assert real_rows(srv) == before

    # The audit trail of the run: only the synthetic actors, and no real patient.
    f = "false" if srv.backend == "postgres" else "0"
    actors = {r[0] for r in sql(srv, f"SELECT DISTINCT username FROM audit_event WHERE seq > {seq}")}
    # People: only loadtest accounts; the server's own workers (sending the synthetic prescriptions) act for them.
    others = {a for a in actors
              if not a.startswith("loadtest.") and "loadtest" not in a and not a.startswith("system:")}
    assert actors and not others, others
    touched = sql(srv, f"SELECT COUNT(*) FROM audit_event e JOIN patient p ON p.id = e.patient_id "
                       f"WHERE e.seq > {seq} AND p.synthetic = {f}")
    assert touched[0][0] in (0, "0")

    # Kept: the API and /ops show it to an operator.
    token = requests.post(srv.url + "/api/v1/auth/token", json={"username": "ops.chen", "password": "caresync-demo"},
                          timeout=10).json()["access_token"]
    kept = requests.get(srv.url + "/api/v1/operations/loadtests", headers={"Authorization": f"Bearer {token}"},
                        timeout=10).json()
    kept = kept["runs"]
    assert kept[0]["id"] == run["id"] and kept[0]["passed"] is True
    patient = requests.post(srv.url + "/api/v1/auth/token",
                            json={"username": "patient.garcia", "password": "caresync-demo"}, timeout=10).json()
    denied = requests.get(srv.url + "/api/v1/operations/loadtests",
                          headers={"Authorization": f"Bearer {patient['access_token']}"}, timeout=10)
    assert denied.status_code == 403

    # The operator reads it on /ops and opens the report, on a phone, the tablet and a desktop.
    for width in (360, 800, 1280):
        drv = browser_at(width)
        try:
            sign_in(drv, srv.url, "/login", "ops.chen")
            drv.get(srv.url + "/ops")
            assert "Load test busy-morning at scale 1" in drv.find_element(By.ID, "latest-loadtest").text
            drv.find_element(By.LINK_TEXT, "Every load test and its report").click()
            drv.find_element(By.CSS_SELECTOR, "#loadtests a").click()
            assert "Passed." in drv.find_element(By.ID, "verdict").text
            rows = drv.find_elements(By.CSS_SELECTOR, "#flows tbody tr")
            assert {r.get_attribute("data-flow") for r in rows} == FLOWS
            assert len(drv.find_elements(By.CSS_SELECTOR, ".charts svg")) == 2
            fits(drv, width, "/ops/loadtests/…")
            shot(drv, artifacts, f"loadtest-report-{srv.backend}-{width}")
        finally:
            drv.quit()


def test_a_slow_route_fails_the_run_with_exit_code_2_and_names_its_flow(tmp_path):
    """The scenario as a file of the practice's own (no pharmacy here, so no prescriptions)."""
    scenario = tmp_path / "front-desk-morning.json"
    scenario.write_text(json.dumps({
        "name": "front-desk-morning", "description": "The desk and the portal, no prescriptions", "minutes": 1,
        "providersPerLocation": 2, "patients": 20, "visitSeconds": 5, "uploadBytes": 200000,
        "rates": [{"flow": "booking", "perMinute": 12}, {"flow": "check-in", "perMinute": 12},
                  {"flow": "portal", "perMinute": 12}, {"flow": "chart", "perMinute": 30},
                  {"flow": "refills", "perMinute": 12}],
        "bursts": [{"flow": "check-in", "label": "08:00 rush", "from": 0, "length": 0.2, "multiplier": 3}]}))
    srv = Server("sqlite", None, extra_env={"CARESYNC_FAULT_SLOW": "/api/v1/refill-requests"})
    try:
        out = loadtest(srv, "--scenario", str(scenario), "--duration", "20s", "--json", "--data-dir", srv.data_dir)
        assert out.returncode == 2, out.stderr[-3000:]
        run = json.loads(out.stdout)
        breaches = run["body"]["breaches"]
        assert {b["flow"] for b in breaches} == {"refills"}, breaches
        assert breaches[0]["kind"] == "latency" and "p95 2.5" in breaches[0]["detail"], breaches
        assert run["passed"] is False and run["exitCode"] == 2 and run["scenario"] == "front-desk-morning"
        assert {r["flow"] for r in run["body"]["results"]} == {"booking", "check-in", "portal", "chart", "refills"}
    finally:
        srv.stop()


def test_a_production_target_is_refused_without_permission(tmp_path):
    env = {"CARESYNC_ENV": "production", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([str(BINARY), "loadtest", "--target", "http://127.0.0.1:9", "--data-dir", str(tmp_path),
                          "--duration", "10s"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 64 and "needs --production" in out.stderr, out.stderr
    out = subprocess.run([str(BINARY), "loadtest", "--target", "http://127.0.0.1:9", "--data-dir", str(tmp_path),
                          "--duration", "10s", "--production"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 64 and "CARESYNC_ALLOW_LOADTEST" in out.stderr, out.stderr
    assert not list(tmp_path.iterdir()), "refused before anything was created"
