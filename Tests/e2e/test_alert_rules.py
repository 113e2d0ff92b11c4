"""The shipped monitoring configuration, checked with the real tools: `promtool check` and `promtool test rules` over
deploy/prometheus (every alert fires in one case and stays quiet in another), each alert's severity and runbook, and
`amtool` over deploy/alertmanager (which receiver each severity reaches)."""
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
AMTOOL = shutil.which("amtool") or "/usr/bin/amtool"
RULES = ROOT / "deploy/prometheus/caresync-rules.yml"
TESTS = ROOT / "deploy/prometheus/tests/caresync-rules.test.yml"
ALERTMANAGER = ROOT / "deploy/alertmanager/alertmanager.yml"

needs_prometheus = pytest.mark.skipif(not Path(PROMTOOL).exists(), reason="prometheus is installed by scripts/test.sh")
needs_alertmanager = pytest.mark.skipif(not Path(AMTOOL).exists(),
                                        reason="prometheus-alertmanager is installed by scripts/test.sh")


def alerts():
    return [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"] if "alert" in r]


@needs_prometheus
def test_prometheus_config_and_rules_are_valid():
    tmp = Path(tempfile.mkdtemp(prefix="caresync-prom-"))
    try:
        shutil.copy(RULES, tmp / "caresync-rules.yml")
        conf = (ROOT / "deploy/prometheus/prometheus.yml").read_text()
        (tmp / "prometheus.yml").write_text(conf.replace("/etc/prometheus/caresync-rules.yml", str(tmp / "caresync-rules.yml")))
        for args in (["check", "config", str(tmp / "prometheus.yml")], ["check", "rules", str(RULES)]):
            r = subprocess.run([PROMTOOL, *args], capture_output=True, text=True)
            assert r.returncode == 0, r.stdout + r.stderr
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@needs_prometheus
def test_every_rule_fires_when_it_should_and_stays_quiet_otherwise():
    r = subprocess.run([PROMTOOL, "test", "rules", str(TESTS)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    firing, quiet = set(), set()
    for group in yaml.safe_load(TESTS.read_text())["tests"]:
        for t in group.get("promql_expr_test", []):
            name = t["expr"].split('alertname="')[1].split('"')[0]
            (firing if t["exp_samples"] else quiet).add(name)
    names = {a["alert"] for a in alerts()}
    assert names - firing == set(), f"alerts never shown firing: {names - firing}"
    assert names - quiet == {"Watchdog"}, f"alerts never shown quiet: {names - quiet - {'Watchdog'}}"


def test_every_alert_has_a_severity_a_summary_and_a_runbook():
    found = alerts()
    assert len(found) >= 20
    for a in found:
        assert a["labels"]["severity"] in {"P0", "P1", "P2", "P3"}, a["alert"]
        assert len(a["annotations"]["summary"]) > 10 and len(a["annotations"]["runbook"]) > 30, a["alert"]
    kinds = " ".join(a["expr"] for a in found)
    for metric in ["caresync_failed_sign_ins_total", "caresync_account_lockouts_total", "caresync_mfa_failures_total",
                   "caresync_access_denials_total", "caresync_chart_reads_total", "caresync_last_backup_timestamp_seconds",
                   "caresync_last_drill_success", "caresync_audit_verification_ok", "caresync_job_queue_lag_seconds",
                   "caresync_outbox_failures_total", "caresync_eprescribing_errors_total",
                   "caresync_video_join_failures_total", "caresync_tls_certificate_expiry_seconds",
                   "caresync_data_dir_free_ratio", 'up{job="caresync-live"}', "caresync_ready"]:
        assert metric in kinds, f"no alert on {metric}"


@needs_alertmanager
@pytest.mark.parametrize("labels,receiver", [
    (["alertname=CareSyncDown", "severity=P0"], "caresync-urgent"),
    (["alertname=CareSyncEPrescribingErrors", "severity=P1"], "caresync-urgent"),
    (["alertname=CareSyncBackupStale", "severity=P2"], "caresync"),
    (["alertname=CareSyncDrillStale", "severity=P3"], "caresync"),
    (["alertname=Watchdog", "severity=P3"], "caresync-watchdog"),
])
def test_alertmanager_routes_each_severity_to_its_receiver(labels, receiver):
    check = subprocess.run([AMTOOL, "check-config", str(ALERTMANAGER)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    r = subprocess.run([AMTOOL, "config", "routes", "test", "--config.file", str(ALERTMANAGER),
                        f"--verify.receivers={receiver}", *labels], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@needs_prometheus
def test_the_grafana_dashboard_queries_parse_and_name_only_metrics_caresync_exports():
    """Each panel's query is checked by promtool (as a recording rule) and may only use metrics CareSync exports."""
    import json
    import re
    dash = json.loads((ROOT / "deploy/grafana/caresync-dashboard.json").read_text())
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    assert len(dash["panels"]) >= 12 and len(exprs) >= len(dash["panels"])
    tmp = Path(tempfile.mkdtemp(prefix="caresync-grafana-"))
    try:
        rules = {"groups": [{"name": "dashboard", "rules": [
            {"record": f"caresync:dashboard_panel_{i}", "expr": e} for i, e in enumerate(exprs)]}]}
        (tmp / "panels.yml").write_text(yaml.safe_dump(rules))
        r = subprocess.run([PROMTOOL, "check", "rules", str(tmp / "panels.yml")], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sources = "".join(p.read_text() for p in (ROOT / "Sources").rglob("*.swift"))
    for name in sorted({m for e in exprs for m in re.findall(r"caresync_[a-z_]+", e)}):
        base = re.sub(r"_(bucket|count|sum)$", "", name)
        assert f'"{base}"' in sources or f'"{name}"' in sources or base.endswith("tls_certificate_expiry_seconds"), name
