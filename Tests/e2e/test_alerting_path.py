"""The whole alerting path with the real tools: Prometheus scrapes a real CareSync and evaluates the shipped rules,
the shipped Alertmanager configuration routes what fires to CareSync's webhook, and CareSync records it and queues the
notice for the person on duty. A new installation has never taken a backup, so CareSyncBackupStale fires at once; the
Watchdog arrives too. Intervals are shortened (1 s scrapes and evaluations, 1 s grouping, 2 s resends); nothing else is changed."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT, Server, free_port

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


@pytest.mark.skipif(not (os.path.exists(PROMETHEUS) and os.path.exists(ALERTMANAGER)),
                    reason="prometheus and prometheus-alertmanager are installed by scripts/test.sh")
def test_an_alert_travels_from_prometheus_through_alertmanager_to_caresync_and_the_person_on_duty():
    tmp = Path(tempfile.mkdtemp(prefix="caresync-alerting-"))
    srv = Server("sqlite", None, extra_env={"CARESYNC_ALERT_TOKEN": TOKEN, "CARESYNC_ONCALL_EMAILS": "oncall@example.org"})
    procs = []
    try:
        host = f"127.0.0.1:{srv.port}"
        prom_port, am_port = free_port(), free_port()
        (tmp / "token").write_text(TOKEN)
        am = (ROOT / "deploy/alertmanager/alertmanager.yml").read_text()
        am = (am.replace("http://127.0.0.1:8080/api/v1/alerts/alertmanager", f"http://{host}/api/v1/alerts/alertmanager")
              .replace("/etc/prometheus/caresync-alert-token", str(tmp / "token"))
              .replace("group_wait: 30s", "group_wait: 1s").replace("group_wait: 10s", "group_wait: 1s"))
        (tmp / "alertmanager.yml").write_text(am)
        shutil.copy(ROOT / "deploy/prometheus/caresync-rules.yml", tmp / "caresync-rules.yml")
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
        start = time.time()
        procs.append(subprocess.Popen([PROMETHEUS, f"--config.file={tmp / 'prometheus.yml'}",
                                       f"--storage.tsdb.path={tmp / 'prom'}", f"--web.listen-address=127.0.0.1:{prom_port}",
                                       # An alert evaluated before the notifier knew Alertmanager is sent again
                                       # after this (1 min by default).
                                       "--rules.alert.resend-delay=2s"],
                                      stdout=log, stderr=subprocess.STDOUT))
        ops = requests.post(srv.url + "/api/v1/auth/token", json={"username": "ops.chen", "password": "caresync-demo"},
                            timeout=10).json()["access_token"]
        seen = {}
        deadline = time.time() + 90
        while time.time() < deadline and not {"CareSyncBackupStale", "Watchdog"} <= seen.keys():
            alerts = requests.get(srv.url + "/api/v1/alerts", headers={"Authorization": f"Bearer {ops}"}, timeout=10)
            assert alerts.status_code == 200, alerts.text
            seen = {a["alertname"]: a for a in alerts.json()["alerts"]}
            time.sleep(0.5)
        received = time.time() - start
        assert "CareSyncBackupStale" in seen and "Watchdog" in seen, (seen.keys(), (tmp / "tools.log").read_text()[-3000:])
        stale = seen["CareSyncBackupStale"]
        assert stale["status"] == "firing" and stale["severity"] == "P2" and stale["notifiedAt"], stale
        assert "caresync backup" in stale["runbook"]
        assert received < 60, f"the alert took {received:.1f} s to arrive"
        outbox = json.loads(srv.cli("outbox", "list", "--json").stdout)
        notices = [m for m in outbox if m.get("kind") == "alert"]
        assert len(notices) >= 1 and all(m["channel"] == "email" for m in notices), outbox
        print(f"fault (no backup) → alert at CareSync and notice queued: {received:.1f} s")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
