"""A video visit end to end with two real headless Chromium browsers using fake camera and microphone: the front desk
books a video appointment and sends the join link (aiosmtpd receives it; no PHI in the URL); the patient opens it,
passes the device check and waits (no media credentials yet); the provider, on another browser, admits from the waiting
room; both peer connections reach `connected` and both sides decode video frames (getStats). The link cannot be used
twice. The same again with the patient and the provider on two different CareSync nodes sharing one PostgreSQL."""
import datetime
import os
import re
import time

import pytest
import requests
from aiosmtpd.controller import Controller
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import Server, backends, free_port, fresh_postgres_database, totp
from test_browser_signin import sign_in, submit, wait
from test_portal_flow import Inbox

PASSWORD = "caresync-demo"


def media_browser(width=360):
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"]:
        opts.add_argument(flag)
    opts.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": 780, "pixelRatio": 1}})
    drv = webdriver.Chrome(service=Service(executable_path=os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")), options=opts)
    drv.set_page_load_timeout(30)
    drv.set_script_timeout(20)
    return drv


def token(base, username, password=PASSWORD, otp=None):
    body = {"username": username, "password": password}
    if otp:
        body["otp"] = otp
    r = requests.post(base + "/api/v1/auth/token", json=body, timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def book_video_visit(base, inbox):
    """Front desk: a video appointment for the demo patient with Dr. Patel, and the join link by email."""
    desk = token(base, "desk.jones")
    types = requests.get(base + "/api/v1/appointment-types", headers=desk, timeout=10).json()
    video = next(t for t in types if t["code"] == "VIDEO")
    patients = requests.get(base + "/api/v1/patients?q=garcia", headers=desk, timeout=10).json()
    patient = patients["items"][0]
    day = datetime.date.today() + datetime.timedelta(days=1)
    slots = requests.get(base + f"/api/v1/slots?type={video['id']}&from={day.isoformat()}&to={(day + datetime.timedelta(days=6)).isoformat()}",
                         headers=desk, timeout=10).json()
    slot = slots[0]
    booked = requests.post(base + "/api/v1/appointments", headers=desk, timeout=10,
                           json={"patientId": patient["id"], "providerId": slot["providerId"], "locationId": slot["locationId"],
                                 "typeId": video["id"], "start": slot["start"]})
    assert booked.status_code == 201, booked.text
    appt = booked.json()["id"]
    sent = requests.post(base + f"/api/v1/appointments/{appt}/visit-link", headers=desk, json={"channel": "email"}, timeout=10)
    assert sent.status_code == 201, sent.text
    body = inbox.text_to("maria.garcia@example.org", "/visit/join/")
    link = re.search(r"(https?://\S+/visit/join/[A-Za-z0-9_-]+)", body).group(1)
    assert "garcia" not in link.lower() and "Garcia" not in body, "no PHI in the link or the message"
    return link


def provider_signs_in(drv, base):
    sign_in(drv, base, "/login", "drpatel")
    wait(drv, EC.url_contains("/mfa/enroll"))
    secret = drv.find_element(By.ID, "totp-secret").text
    drv.find_element(By.NAME, "code").send_keys(totp(secret))
    submit(drv, drv.find_element(By.ID, "confirm-mfa"))
    submit(drv, wait(drv, EC.presence_of_element_located((By.ID, "continue"))))


def stats(drv):
    return drv.execute_async_script("const done = arguments[arguments.length - 1]; (window.visitStats ? window.visitStats() : Promise.resolve({state: 'none', framesDecoded: 0})).then(done, e => done({state: 'error ' + e, framesDecoded: 0}));")


def run_visit(patient_base, provider_base, link_base, inbox, artifacts, label, expect_relay=False):
    link = book_video_visit(link_base, inbox)
    link = patient_base + link[link.index("/visit/join/"):]
    patient, provider = media_browser(), media_browser(420)
    try:
        # The patient: link → device check → waiting room; no credentials before admission.
        patient.get(link)
        wait(patient, lambda d: d.find_element(By.ID, "device-check").get_attribute("data-done") == "ok", timeout=20)
        wait(patient, lambda d: "waiting room" in d.find_element(By.ID, "visit-status").text, timeout=20)
        visit_id = patient.find_element(By.ID, "visit").get_attribute("data-visit")
        early = patient.execute_async_script(
            "const done = arguments[arguments.length - 1]; fetch('/visits/' + arguments[0] + '/ice').then(r => done(r.status), () => done(0));", visit_id)
        assert early == 403, "no media credentials before the provider admits"
        reuse = requests.get(link, allow_redirects=False, timeout=10)
        assert reuse.status_code == 410, "the link works once"
        patient.save_screenshot(str(artifacts / f"visit-waiting-{label}.png"))

        # The provider admits from the waiting room.
        provider_signs_in(provider, provider_base)
        provider.get(provider_base + "/visits")
        card = wait(provider, EC.presence_of_element_located((By.CSS_SELECTOR, f".waiting[data-visit='{visit_id}']")))
        assert "Garcia, Maria" in card.text
        submit(provider, card.find_element(By.CSS_SELECTOR, "button.admit"))

        # Both peer connections connect and decode video.
        def both_flowing(_):
            a, b = stats(patient), stats(provider)
            return a["state"] == "connected" and b["state"] == "connected" and a["framesDecoded"] > 10 and b["framesDecoded"] > 10 and (a, b)
        try:
            a, b = wait(patient, both_flowing, timeout=45)
        except Exception:
            raise AssertionError(f"media did not flow: patient {stats(patient)} provider {stats(provider)}; "
                                 f"patient log {patient.get_log('browser')[-5:]}, provider log {provider.get_log('browser')[-5:]}")
        if expect_relay:
            assert a["relay"] and b["relay"], f"relay-only: both sides use the TURN relay ({a}, {b})"
        patient.save_screenshot(str(artifacts / f"visit-patient-{label}.png"))
        provider.save_screenshot(str(artifacts / f"visit-provider-{label}.png"))

        # The provider ends the visit with a note; the record shows the timeline.
        provider.find_element(By.NAME, "note").send_keys("Post-op day 14: incision healed, no signs of infection.")
        submit(provider, provider.find_element(By.ID, "end-visit"))
        summary = provider.find_element(By.ID, "visit-summary").text
        assert "outcome connected" in summary, summary
        events = [e.text for e in provider.find_elements(By.CSS_SELECTOR, ".visit-event")]
        for kind in ["patient joined", "patient device-check", "provider admitted", "patient credentials", "provider credentials", "patient connected", "provider connected"]:
            assert any(kind in e for e in events), (kind, events)
        wait(patient, lambda d: "ended" in d.find_element(By.ID, "visit-status").text, timeout=15)
        return visit_id
    finally:
        patient.quit()
        provider.quit()


@pytest.fixture(params=backends())
def visit_server(request):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    srv = Server(request.param, fresh_postgres_database() if request.param == "postgres" else None,
                 extra_env={"CARESYNC_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "CARESYNC_OUTBOX_INTERVAL": "1", "CARESYNC_MAIL_FROM": "clinic@example.org"})
    yield srv, inbox
    srv.stop()
    smtp.stop()


def test_two_browsers_join_admit_connect_and_decode_video(visit_server, artifacts):
    srv, inbox = visit_server
    run_visit(srv.url, srv.url, srv.url, inbox, artifacts, srv.backend)


@pytest.mark.skipif(not os.environ.get("E2E_PG_ADMIN_URL"), reason="two nodes need PostgreSQL")
def test_patient_and_provider_on_two_nodes_sharing_postgres(artifacts):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    db = fresh_postgres_database()
    env = {"CARESYNC_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "CARESYNC_OUTBOX_INTERVAL": "1", "CARESYNC_MAIL_FROM": "clinic@example.org"}
    node_a = Server("postgres", db, extra_env=env)
    node_b = Server("postgres", db, extra_env=dict(env, CARESYNC_OUTBOX_INTERVAL="0"))
    try:
        run_visit(node_a.url, node_b.url, node_a.url, inbox, artifacts, "two-nodes")
    finally:
        node_a.stop()
        node_b.stop()
        smtp.stop()


@pytest.mark.skipif(not os.path.exists("/usr/bin/turnserver"), reason="coturn is installed by scripts/test.sh")
def test_relay_only_through_coturn_with_minted_credentials(artifacts):
    """CARESYNC_FORCE_RELAY: neither browser sees the other's address; media flows through coturn with per-visit credentials."""
    import subprocess
    turn_port, secret = free_port(), "e2e-turn-secret"
    relay_base = 52000 + (turn_port % 200) * 10
    turn = subprocess.Popen(["/usr/bin/turnserver", "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={turn_port}",
                             "--use-auth-secret", f"--static-auth-secret={secret}", "--realm=caresync.test", "--fingerprint", "--no-tls", "--no-dtls",
                             "--no-cli", "--allow-loopback-peers", f"--min-port={relay_base}", f"--max-port={relay_base + 9}", "--log-file=stdout"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    srv = Server("sqlite", None, extra_env={"CARESYNC_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "CARESYNC_OUTBOX_INTERVAL": "1",
                                            "CARESYNC_MAIL_FROM": "clinic@example.org", "CARESYNC_TURN_URLS": f"turn:127.0.0.1:{turn_port}?transport=udp",
                                            "CARESYNC_TURN_SECRET": secret, "CARESYNC_FORCE_RELAY": "1"})
    try:
        check = srv.cli("turn-check")
        assert check.returncode == 0 and "TURN OK" in check.stdout, check.stdout + check.stderr
        run_visit(srv.url, srv.url, srv.url, inbox, artifacts, "relay", expect_relay=True)
    finally:
        srv.stop()
        smtp.stop()
        turn.terminate()
