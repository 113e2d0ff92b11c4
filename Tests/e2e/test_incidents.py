"""Incidents as the operator works them, in Chromium on the real clock against the real binary: set up the on-call
roster, open a P1, see the page go out, be refused resolving without a note, resolve it, and find the postmortem
required. At 360, 800 and 1280 px."""
import datetime
import json

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_browser_signin import sign_in, submit
from test_real_clock_walks import browser_at, fits, shot


def test_the_operator_keeps_the_roster_opens_a_p1_and_resolves_it(sqlite_server, artifacts):
    srv = sqlite_server
    now = datetime.datetime.now()
    starts = (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    ends = (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    for n, width in enumerate((1280, 800, 360)):
        drv = browser_at(width)
        try:
            sign_in(drv, srv.url, "/login", "ops.chen")
            if n == 0:
                drv.get(srv.url + "/oncall")
                Select(drv.find_element(By.NAME, "username")).select_by_value("ops.chen")
                drv.find_element(By.NAME, "email").send_keys("alex.chen@practice.example")
                drv.find_element(By.NAME, "phone").send_keys("+1 555 010 0199")
                submit(drv, drv.find_element(By.ID, "save-contact"))
                assert "ops.chen: alex.chen@practice.example · +15550100199" in drv.find_element(By.ID, "contacts").text
                for name, value in (("starts", starts), ("ends", ends)):
                    drv.execute_script("arguments[0].value = arguments[1]", drv.find_element(By.NAME, name), value)
                Select(drv.find_element(By.NAME, "primary")).select_by_value("ops.chen")
                Select(drv.find_element(By.NAME, "secondary")).select_by_value("support.lee")
                Select(drv.find_element(By.NAME, "manager")).select_by_value("admin")
                submit(drv, drv.find_element(By.ID, "add-shift"))
                shifts = drv.find_element(By.ID, "shifts").text
                assert "primary ops.chen, secondary support.lee, manager admin" in shifts and "on call now" in shifts
            drv.get(srv.url + "/oncall")
            fits(drv, width, "/oncall")
            shot(drv, artifacts, f"oncall-{width}")

            drv.get(srv.url + "/incidents/new")
            drv.find_element(By.NAME, "title").send_keys(f"Video visits drop after a minute <b>{width}</b>")
            Select(drv.find_element(By.NAME, "severity")).select_by_value("P1")
            submit(drv, drv.find_element(By.ID, "open-incident"))
            summary = drv.find_element(By.ID, "incident-summary").text
            assert "P1: A core flow is down" in summary and "paging the primary on-call" in summary, summary
            assert "Acknowledge: 14 min left" in summary or "Acknowledge: 15 min left" in summary, summary
            assert f"<b>{width}</b>" in drv.find_element(By.TAG_NAME, "h1").text, "typed HTML shows as text"
            timeline = drv.find_element(By.ID, "timeline").text
            assert "Paged ops.chen (primary on-call)" in timeline, timeline
            fits(drv, width, "an incident")
            shot(drv, artifacts, f"incident-open-{width}")

            # Resolving needs a note: refused with the reason, nothing changed.
            Select(drv.find_element(By.NAME, "state")).select_by_value("resolved")
            submit(drv, drv.find_element(By.ID, "change-state"))
            assert "resolution note is required" in drv.find_element(By.CSS_SELECTOR, ".notice.bad").text
            assert "investigating" in drv.find_element(By.ID, "incident-summary").text
            Select(drv.find_element(By.NAME, "state")).select_by_value("resolved")
            drv.find_element(By.ID, "state-note").send_keys("The TURN server's certificate had expired; renewed it.")
            submit(drv, drv.find_element(By.ID, "change-state"))
            summary = drv.find_element(By.ID, "incident-summary").text
            assert "State: resolved" in summary and "Resolve: met" in summary, summary
            assert "Postmortem required (P1)" in drv.find_element(By.ID, "postmortem").text
            fits(drv, width, "a resolved incident")
            shot(drv, artifacts, f"incident-resolved-{width}")

            drv.get(srv.url + "/incidents?all=1")
            assert f"P1 Video visits drop after a minute <b>{width}</b>" in drv.find_element(By.TAG_NAME, "main").text
            fits(drv, width, "/incidents")
            shot(drv, artifacts, f"incidents-{width}")
        finally:
            drv.quit()

    pages = [m for m in json.loads(srv.cli("outbox", "list", "--json").stdout) if m["kind"] == "incident-page"]
    assert {m["channel"] for m in pages} == {"email", "sms"} and len(pages) == 6, pages
    listed = srv.cli("incident", "list", "--all")
    assert listed.returncode == 0 and "#3 P1 resolved" in listed.stdout, listed.stdout
    shown = srv.cli("incident", "show", "3")
    assert "postmortem: REQUIRED, not written" in shown.stdout and "state: investigating → resolved" in shown.stdout, \
        shown.stdout
