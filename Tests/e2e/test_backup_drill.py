"""The operator's recovery path through the real binary: a backup taken while the server runs, `caresync drill`
restoring it into scratch and verifying it over HTTP, the result on the /ops page in Chromium. SQLite and PostgreSQL."""
import json
from pathlib import Path

from selenium.webdriver.common.by import By

from test_browser_signin import no_horizontal_scroll, sign_in


def test_backup_then_drill_passes_and_is_reported(server, browser, artifacts):
    backup = server.cli("backup", "--kind", "daily", "--keep", "3", "--json")
    assert backup.returncode == 0, backup.stderr
    manifest = json.loads(backup.stdout)
    assert manifest["rowCounts"]["patient"] >= 1 and manifest["auditHead"]["seq"] > 0

    drill = server.cli("drill", "--json")
    assert drill.returncode == 0, drill.stdout + drill.stderr
    result = json.loads(drill.stdout)
    assert result["ok"] is True
    assert result["backupId"] == manifest["id"]
    assert [c["name"] for c in result["checks"]] == ["restore", "start CareSync", "row counts", "blob hashes", "audit head",
                                                     "audit chain", "sign-in", "chart read"]
    assert result["rtoSeconds"] > 0 and result["rpoSeconds"] >= 0

    listed = server.cli("drill", "list")
    assert listed.returncode == 0 and "passed" in listed.stdout and manifest["id"] in listed.stdout

    sign_in(browser, server.url, "/login", "ops.chen")
    browser.get(server.url + "/ops")
    latest = browser.find_element(By.ID, "latest-drill").text
    assert "Latest drill: passed" in latest and "RTO" in latest and "RPO" in latest
    assert manifest["id"] in browser.find_element(By.ID, "backups").text
    no_horizontal_scroll(browser)
    browser.save_screenshot(str(artifacts / f"ops-drill-{server.backend}.png"))


def test_drill_of_a_damaged_backup_exits_1_and_says_why(server):
    made = server.cli("backup", "--json")
    assert made.returncode == 0, made.stderr
    backup_dir = Path(server.data_dir) / "backups" / json.loads(made.stdout)["id"]
    part = backup_dir / "database.enc"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF
    part.write_bytes(bytes(data))

    drill = server.cli("drill", "--backup", str(backup_dir))
    assert drill.returncode == 1
    assert "FAIL restore" in drill.stdout and "Drill FAILED" in drill.stdout
    assert "FAILED" in server.cli("drill", "list").stdout
