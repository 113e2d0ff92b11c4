"""A care pathway end to end, in real Chromium on a 360-px screen against the real binary (SQLite and PostgreSQL),
with the server's own job worker: the Medical Director reads the bunionectomy pathway as patients will receive it and
approves it (after setting up two-step sign-in); a medical assistant records the surgery on the chart, four days ago;
the worker sends the check-ins and the photo prompt that are already due; the patient answers the day-3 check-in with
a fever and reads the approved advice; the care team sees the urgent task and the chart banner; `caresync jobs` shows
the queue."""
import datetime
import time
from zoneinfo import ZoneInfo

import pytest
import requests
from aiosmtpd.controller import Controller
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import Server, backends, free_port, fresh_postgres_database
from test_browser_signin import no_horizontal_scroll, sign_in, sign_in_enrolling_mfa, submit
from test_portal_flow import Inbox


@pytest.fixture(params=backends())
def pathway_server(request):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    srv = Server(request.param, fresh_postgres_database() if request.param == "postgres" else None,
                 extra_env={"CARESYNC_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "CARESYNC_OUTBOX_INTERVAL": "1",
                            "CARESYNC_JOBS_INTERVAL": "1", "CARESYNC_MAIL_FROM": "clinic@example.org"})
    yield srv, inbox
    srv.stop()
    smtp.stop()


def test_director_approves_surgery_enrols_checkins_arrive_red_flag_reaches_the_team(pathway_server, browser, artifacts):
    srv, inbox = pathway_server
    drv, base = browser, srv.url

    # The Medical Director: two-step sign-in first, then the pathway exactly as patients will get it.
    sign_in_enrolling_mfa(drv, base, "drhughes")
    drv.get(base + "/pathways")
    assert "draft" in drv.find_element(By.CSS_SELECTOR, ".status").text
    submit(drv, drv.find_element(By.CSS_SELECTOR, "a.template-link"))
    assert "has a short check-in for you. Sign in to the patient portal to answer it." in drv.find_element(By.ID, "step-day1-check-in").text
    assert "call 911" in drv.find_element(By.ID, "red-flag-advice").text
    no_horizontal_scroll(drv)
    drv.save_screenshot(str(artifacts / f"pathway-approval-{srv.backend}.png"))
    drv.find_element(By.NAME, "note").send_keys("Reviewed for tone and escalation")
    submit(drv, drv.find_element(By.ID, "approve"))
    assert "now enrols patients" in drv.find_element(By.ID, "approved-notice").text
    assert drv.find_element(By.ID, "template-status").text == "approved"

    # The medical assistant records the surgery on the chart: four days ago at Main Street, Dr. Patel.
    drv.delete_all_cookies()
    sign_in(drv, base, "/login", "ma.rivera")
    drv.get(base + "/patients?q=garcia")
    submit(drv, drv.find_element(By.PARTIAL_LINK_TEXT, "Garcia"))
    chart_url = drv.current_url
    today = datetime.datetime.now(ZoneInfo("America/Indiana/Indianapolis")).date()
    surgery = (today - datetime.timedelta(days=4)).isoformat()
    form = drv.find_element(By.ID, "procedure-form")
    form.find_element(By.NAME, "code").send_keys("28296")
    form.find_element(By.NAME, "name").send_keys("Austin bunionectomy, left")
    drv.execute_script("arguments[0].value = arguments[1]", form.find_element(By.NAME, "performedOn"), surgery)
    Select(form.find_element(By.NAME, "locationId")).select_by_visible_text("Main Street Clinic")
    Select(form.find_element(By.NAME, "providerId")).select_by_visible_text("Dr. Priya Patel")
    submit(drv, drv.find_element(By.ID, "record-procedure"))
    assert "enrolled in its care pathway" in drv.find_element(By.ID, "chart-notice").text

    # The server's worker sends the steps already due (day 1 and day 3 check-ins, the day-3 photo prompt).
    deadline = time.time() + 30
    while time.time() < deadline:
        drv.get(chart_url)
        rows = drv.find_elements(By.CSS_SELECTOR, "#care-pathway tr.step-row")
        states = {r.get_attribute("data-step"): r.text for r in rows}
        if all("open" in states.get(k, "") for k in ["day1-check-in", "day3-check-in", "day3-photo"]):
            break
        time.sleep(1)
    else:
        raise AssertionError(f"steps did not open: {states}")
    assert "scheduled" in states["day10-photo"] and "scheduled" in states["day14-follow-up"]
    notice = inbox.text_to("maria.garcia@example.org", "check-in")
    assert "bunion" not in notice.lower() and "garcia" not in notice.lower() and "surgery" not in notice.lower(), "the notice carries no PHI"

    # The patient answers the day-3 check-in with a fever and reads the approved advice.
    drv.delete_all_cookies()
    sign_in(drv, base, "/portal/login", "patient.garcia")
    drv.get(base + "/portal/check-ins")
    assert len(drv.find_elements(By.CSS_SELECTOR, "a.open-task")) == 3
    submit(drv, drv.find_element(By.LINK_TEXT, "Day 3 check-in"))
    drv.find_element(By.NAME, "pain").send_keys("5")
    drv.find_element(By.NAME, "temperature").send_keys("38.6")
    Select(drv.find_element(By.NAME, "redness")).select_by_value("no")
    Select(drv.find_element(By.NAME, "drainage")).select_by_value("no")
    no_horizontal_scroll(drv)
    submit(drv, drv.find_element(By.ID, "send-answers"))
    advice = drv.find_element(By.ID, "red-flag-advice").text
    assert "a member of your care team will call you today" in advice
    drv.save_screenshot(str(artifacts / f"pathway-red-flag-patient-{srv.backend}.png"))

    # The care team: an urgent task, the banner and the answers on the chart.
    drv.delete_all_cookies()
    sign_in(drv, base, "/login", "ma.rivera")
    drv.get(base + "/tasks")
    task = drv.find_element(By.CSS_SELECTOR, ".task.urgent")
    assert "Day 3 check-in: Fever" in task.text
    drv.get(chart_url)
    assert "Day 3 check-in: Fever" in drv.find_element(By.ID, "red-flag-banner").text
    assert "Your temperature in °C, if you measured it: 38.6" in drv.find_element(By.ID, "care-pathway").text
    no_horizontal_scroll(drv)
    drv.save_screenshot(str(artifacts / f"pathway-chart-banner-{srv.backend}.png"))

    # The queue, as the operator sees it: the three steps done, the rest waiting.
    out = srv.cli("jobs", "list")
    assert out.returncode == 0, out.stderr
    summary = out.stdout.strip().splitlines()[-1]
    assert summary.startswith("Jobs: "), out.stdout
    counts = dict((v, int(k)) for k, v in (p.split(" ") for p in summary[len("Jobs: "):].rstrip(".").split(", ")))
    assert counts["done"] >= 3 and counts["failed"] == 0, summary
    assert counts["pending"] >= 2 + 3, summary   # day 10, day 14 and three escalations
    ops = requests.post(base + "/api/v1/auth/token", json={"username": "ops.chen", "password": "caresync-demo"}, timeout=10).json()["access_token"]
    listed = requests.get(base + "/api/v1/jobs", headers={"Authorization": "Bearer " + ops}, timeout=10).json()
    assert listed["counts"]["done"] == counts["done"]
    assert all("garcia" not in str(j["payload"]).lower() for j in listed["jobs"]), "job payloads carry ids only"
