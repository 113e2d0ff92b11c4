"""The whole alerting path with the real tools: Prometheus scrapes a real CareSync and evaluates the shipped rules,
the shipped Alertmanager configuration routes what fires to CareSync's webhook, and CareSync records it and queues the
notice for the person on duty. A new installation has never taken a backup, so CareSyncBackupStale fires at once; the
Watchdog arrives too. Then every synthetic incident (`caresync incident simulate all`) runs against the same stack.
Intervals are shortened (1 s scrapes and evaluations, 1 s grouping, 2 s group intervals and resends, 3 s `for:`
durations); nothing else in the shipped files is changed."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from conftest import BINARY, ROOT, Server, free_port

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
ALERTMANAGER = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"
TOKEN = "alert-token-" + "x" * 32


def wait_port(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


TOOLS = pytest.mark.skipif(not (os.path.exists(PROMETHEUS) and os.path.exists(ALERTMANAGER)),
                           reason="prometheus and prometheus-alertmanager are installed by scripts/test.sh")
CONTROL = "control-token-" + "c" * 32


@pytest.fixture(scope="module")
def stack():
    """One CareSync (staging), Alertmanager and Prometheus with the shipped configuration, for the whole module."""
    tmp = Path(tempfile.mkdtemp(prefix="caresync-alerting-"))
    prom_port, am_port = free_port(), free_port()
    srv = Server("sqlite", None, extra_env={"CARESYNC_ALERT_TOKEN": TOKEN, "CARESYNC_ENV": "staging",
                                            "CARESYNC_ONCALL_EMAILS": "oncall@example.org",
                                            "CARESYNC_CONTROL_TOKEN": CONTROL,
                                            "CARESYNC_PROMETHEUS_URL": f"http://127.0.0.1:{prom_port}"})
    procs = []
    try:
        host = f"127.0.0.1:{srv.port}"
        (tmp / "token").write_text(TOKEN)
        am = (ROOT / "deploy/alertmanager/alertmanager.yml").read_text()
        webhook = "/api/v1/alerts/alertmanager"
        am = (am.replace(f"http://127.0.0.1:8080{webhook}", f"http://{host}{webhook}")
              .replace("/etc/prometheus/caresync-alert-token", str(tmp / "token")))
        am = re.sub(r"group_wait: \d+[sm]", "group_wait: 1s", am)
        am = re.sub(r"group_interval: \d+[sm]", "group_interval: 2s", am)
        (tmp / "alertmanager.yml").write_text(am)
        rules = (ROOT / "deploy/prometheus/caresync-rules.yml").read_text()
        (tmp / "caresync-rules.yml").write_text(re.sub(r"for: \d+m", "for: 3s", rules))
        prom = (ROOT / "deploy/prometheus/prometheus.yml").read_text()
        prom = (prom.replace("scrape_interval: 15s", "scrape_interval: 1s")
                .replace("evaluation_interval: 15s", "evaluation_interval: 1s")
                .replace("/etc/prometheus/caresync-rules.yml", str(tmp / "caresync-rules.yml"))
                .replace('"127.0.0.1:9093"', f'"127.0.0.1:{am_port}"')
                .replace('"127.0.0.1:8080"', f'"{host}"')  # the live path: straight to the one node here
                .replace('"127.0.0.1:8081", "127.0.0.1:8082"', f'"{host}"')
                .replace('"127.0.0.1:9090"', f'"127.0.0.1:{prom_port}"'))
        (tmp / "prometheus.yml").write_text(prom)
        log = open(tmp / "tools.log", "w")
        procs.append(subprocess.Popen([ALERTMANAGER, f"--config.file={tmp / 'alertmanager.yml'}",
                                       f"--storage.path={tmp / 'am'}", f"--web.listen-address=127.0.0.1:{am_port}",
                                       "--cluster.listen-address="], stdout=log, stderr=subprocess.STDOUT))
        wait_port(am_port)
        started = time.time()
        procs.append(subprocess.Popen([PROMETHEUS, f"--config.file={tmp / 'prometheus.yml'}",
                                       f"--storage.tsdb.path={tmp / 'prom'}",
                                       f"--web.listen-address=127.0.0.1:{prom_port}",
                                       # An alert evaluated before the notifier knew Alertmanager is sent again
                                       # after this (1 min by default).
                                       "--rules.alert.resend-delay=2s"],
                                      stdout=log, stderr=subprocess.STDOUT))
        ops = requests.post(srv.url + "/api/v1/auth/token", json={"username": "ops.chen", "password": "caresync-demo"},
                            timeout=10).json()["access_token"]
        yield {"srv": srv, "tmp": tmp, "ops": ops, "started": started, "prom": f"http://127.0.0.1:{prom_port}"}
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def alerts_at_caresync(stack):
    r = requests.get(stack["srv"].url + "/api/v1/alerts", headers={"Authorization": f"Bearer {stack['ops']}"},
                     timeout=10)
    assert r.status_code == 200, r.text
    return {a["alertname"]: a for a in r.json()["alerts"]}


@TOOLS
def test_an_alert_travels_from_prometheus_through_alertmanager_to_caresync_and_the_person_on_duty(stack):
    srv = stack["srv"]
    seen = {}
    deadline = time.time() + 90
    while time.time() < deadline and not {"CareSyncBackupStale", "Watchdog"} <= seen.keys():
        seen = alerts_at_caresync(stack)
        time.sleep(0.5)
    received = time.time() - stack["started"]
    assert "CareSyncBackupStale" in seen and "Watchdog" in seen, (
        seen.keys(), (stack["tmp"] / "tools.log").read_text()[-3000:])
    stale = seen["CareSyncBackupStale"]
    assert stale["status"] == "firing" and stale["severity"] == "P2" and stale["notifiedAt"], stale
    assert "caresync backup" in stale["runbook"]
    assert received < 60, f"the alert took {received:.1f} s to arrive"
    outbox = json.loads(srv.cli("outbox", "list", "--json").stdout)
    notices = [m for m in outbox if m.get("kind") == "alert"]
    assert len(notices) >= 1 and all(m["channel"] == "email" for m in notices), outbox
    print(f"fault (no backup) → alert at CareSync and notice queued: {received:.1f} s")


def simulate(srv, *args, timeout=900):
    return subprocess.run([str(BINARY), "incident", "simulate", *args, "--data-dir", srv.data_dir, "--node", srv.url],
                          env=srv.env, capture_output=True, text=True, timeout=timeout)


@TOOLS
def test_every_synthetic_incident_reaches_the_person_on_duty_and_is_kept_for_the_readiness_report(stack):
    srv = stack["srv"]
    # The stale-backup alert of the new installation is still firing: a simulation could not tell its own from it.
    refused = simulate(srv, "stale-backup", "--timeout", "10")
    assert refused.returncode == 1 and "firing already" in refused.stderr, refused.stderr
    # A wrong control token is refused by the node, and nothing is switched.
    wrong = subprocess.run([str(BINARY), "incident", "simulate", "error-burst", "--timeout", "10", "--data-dir",
                            srv.data_dir, "--node", srv.url], env=dict(srv.env, CARESYNC_CONTROL_TOKEN="w" * 40),
                           capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 1 and "control token" in wrong.stderr, wrong.stderr
    assert requests.get(srv.url + "/login", timeout=5).status_code == 200

    backup = srv.cli("backup")
    assert backup.returncode == 0, backup.stderr
    deadline = time.time() + 60
    def stale_status():
        return alerts_at_caresync(stack).get("CareSyncBackupStale", {}).get("status")
    while time.time() < deadline and stale_status() != "resolved":
        time.sleep(0.5)
    assert alerts_at_caresync(stack)["CareSyncBackupStale"]["status"] == "resolved"

    run = simulate(srv, "all", "--timeout", "150", "--json")
    tools = (stack["tmp"] / "tools.log").read_text()[-2000:]
    assert run.returncode == 0, (run.stdout[-3000:], run.stderr[-3000:], tools)
    runs = json.loads(run.stdout)
    assert [r["kind"] for r in runs] == ["error-burst", "latency", "sign-in-spike", "stale-backup", "node-down"]
    for r in runs:
        assert r["outcome"] == "passed", r
        assert 0 < r["secondsToAlert"] <= r["secondsToPage"] < 150, r
        print(f"{r['kind']:>14} → {r['alertname']}: alert {r['secondsToAlert']:.1f} s, "
              f"notice {r['secondsToPage']:.1f} s")
    # The faults are off again: pages answer, and the node is up.
    assert requests.get(srv.url + "/login", timeout=5).status_code == 200
    listed = srv.cli("incident", "simulations")
    assert listed.returncode == 0 and "Alert routing tested on" in listed.stdout and "5 kinds" in listed.stdout, listed
    kept = json.loads(srv.cli("incident", "simulations", "--json").stdout)
    assert {r["kind"] for r in kept if r["outcome"] == "passed"} == {r["kind"] for r in runs}
    outbox = json.loads(srv.cli("outbox", "list", "--json").stdout)
    # The new installation's stale backup, then one notice for each incident (the outbox keeps no subjects in its
    # listing: they are not printed).
    assert len([m for m in outbox if m.get("kind") == "alert"]) >= 1 + len(runs), outbox
    at_caresync = alerts_at_caresync(stack)
    for r in runs:
        assert at_caresync[r["alertname"]]["notifiedAt"], at_caresync[r["alertname"]]


@TOOLS
def test_the_operator_reads_the_dashboard_drawn_from_prometheus(stack, artifacts):
    """As ops.chen on the real clock, after the incidents above: /ops/dashboard draws Prometheus's history of this
    node (the error burst, the slow spell, the failed sign-ins show), the alerts and the freshness of the backup.
    At 360, 800 and 1280 px."""
    from selenium.webdriver.common.by import By
    from test_browser_signin import sign_in
    from test_real_clock_walks import browser_at, fits, shot

    srv = stack["srv"]
    baseline, height = 26 + 152, 152  # the SVG's y for 0 (top margin + plot height), and the plot's height

    def peak(drv, chart):
        """The highest point drawn in a chart, as a share of its height above zero (0 when flat or empty)."""
        ys = []
        for line in drv.find_elements(By.CSS_SELECTOR, f"#chart-{chart} polyline.line"):
            ys += [float(p.split(",")[1]) for p in line.get_attribute("points").split()]
        return max([(baseline - y) / height for y in ys], default=0)

    for width in (360, 800, 1280):
        drv = browser_at(width)
        try:
            sign_in(drv, srv.url, "/login", "ops.chen")
            drv.get(srv.url + "/ops")
            drv.find_element(By.PARTIAL_LINK_TEXT, "Dashboard").click()
            drv.find_element(By.LINK_TEXT, "15 minutes").click()
            body = drv.find_element(By.TAG_NAME, "main").text
            source = f"From Prometheus ({stack['prom']}): one node, 127.0.0.1:{srv.port}."
            assert source in body, body[:500]
            assert len(drv.find_elements(By.CSS_SELECTOR, "svg.chart")) == 7
            for chart in ["requests", "errors", "latency", "sign-ins"]:
                assert peak(drv, chart) > 0, (chart, drv.find_element(By.ID, f"chart-{chart}").text)
            legend = drv.find_element(By.ID, "chart-sign-ins").text
            assert "failed" in legend and "sign-ins" in legend, legend
            fresh = drv.find_element(By.ID, "freshness").text
            assert "Newest backup: ✓" in fresh and "min ago" in fresh, fresh
            assert "Alert routing tested on" in drv.find_element(By.ID, "alert-routing").text
            fits(drv, width, "/ops/dashboard")
            shot(drv, artifacts, f"ops-dashboard-{width}")
        finally:
            drv.quit()
