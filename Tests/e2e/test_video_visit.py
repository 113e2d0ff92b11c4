"""A video visit end to end with two real headless Chromium browsers using fake camera and microphone: the front desk
books a video appointment and sends the join link (aiosmtpd receives it; no PHI in the URL); the patient opens it,
passes the device check and waits (no media credentials yet); the provider, on another browser, admits from the waiting
room; both peer connections reach `connected` and both sides decode video frames (getStats). The link cannot be used
twice. The same again with the patient and the provider on two different CareSync nodes sharing one PostgreSQL, and
relay-only through coturn; and a visit that survives a server restart, an ICE restart and a switch to audio only."""
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

from conftest import Server, backends, free_port, fresh_postgres_database
from test_browser_signin import sign_in_enrolling_mfa, submit, wait
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


def stats(drv):
    return drv.execute_async_script("const done = arguments[arguments.length - 1]; (window.visitStats ? window.visitStats() : Promise.resolve({state: 'none', framesDecoded: 0})).then(done, e => done({state: 'error ' + e, framesDecoded: 0}));")


def connect_visit(patient_base, provider_base, link_base, inbox, artifacts, label):
    """Booked, link mailed, patient waiting (no credentials yet, link used once), provider admits, both decode video.
    Returns the two browsers, the visit id and both sides' stats."""
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
        sign_in_enrolling_mfa(provider, provider_base, "drpatel")
        provider.get(provider_base + "/visits")
        card = wait(provider, EC.presence_of_element_located((By.CSS_SELECTOR, f".waiting[data-visit='{visit_id}']")))
        assert "Garcia, Maria" in card.text
        submit(provider, card.find_element(By.CSS_SELECTOR, "button.admit"))
        a, b = both_flowing(patient, provider)
        return patient, provider, visit_id, a, b
    except Exception:
        patient.quit()
        provider.quit()
        raise


def both_flowing(patient, provider, more_than=(10, 10), timeout=45):
    """Both peer connections connected and both sides decoding more video frames than given."""
    def ok(_):
        a, b = stats(patient), stats(provider)
        return a["state"] == "connected" and b["state"] == "connected" and a["framesDecoded"] > more_than[0] and b["framesDecoded"] > more_than[1] and (a, b)
    try:
        return wait(patient, ok, timeout=timeout)
    except Exception:
        raise AssertionError(f"media did not flow: patient {stats(patient)} provider {stats(provider)}; "
                             f"patient log {patient.get_log('browser')[-5:]}, provider log {provider.get_log('browser')[-5:]}")


def end_visit(patient, provider, expected_events):
    """The provider ends the visit with a note; the record shows the timeline; the patient's page says it ended."""
    provider.find_element(By.NAME, "note").send_keys("Post-op day 14: incision healed, no signs of infection.")
    submit(provider, provider.find_element(By.ID, "end-visit"))
    summary = provider.find_element(By.ID, "visit-summary").text
    assert "outcome connected" in summary, summary
    events = [e.text for e in provider.find_elements(By.CSS_SELECTOR, ".visit-event")]
    for kind in expected_events:
        assert any(kind in e for e in events), (kind, events)
    wait(patient, lambda d: "ended" in d.find_element(By.ID, "visit-status").text, timeout=15)
    return events


TIMELINE = ["patient joined", "patient device-check", "provider admitted", "patient credentials", "provider credentials", "patient connected", "provider connected"]


def run_visit(patient_base, provider_base, link_base, inbox, artifacts, label, expect_relay=False):
    patient, provider, visit_id, a, b = connect_visit(patient_base, provider_base, link_base, inbox, artifacts, label)
    try:
        if expect_relay:
            assert a["relay"] and b["relay"], f"relay-only: both sides use the TURN relay ({a}, {b})"
        patient.save_screenshot(str(artifacts / f"visit-patient-{label}.png"))
        provider.save_screenshot(str(artifacts / f"visit-provider-{label}.png"))
        end_visit(patient, provider, TIMELINE)
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


def test_server_restart_ice_restart_and_audio_only_keep_the_visit(artifacts):
    """During a connected visit: the server restarts under both browsers (a deploy): both signaling sockets reconnect
    and the media, peer to peer, never stops; the provider presses "Fix the video" (ICE restart): new ICE credentials
    on both sides, still connected and decoding; the patient switches to audio only: the provider stops receiving
    video while audio keeps flowing. Every step is on the visit record, including events raised while the server was
    away."""
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    srv = Server("sqlite", None, extra_env={"CARESYNC_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "CARESYNC_OUTBOX_INTERVAL": "1",
                                            "CARESYNC_MAIL_FROM": "clinic@example.org"})
    try:
        patient, provider, visit_id, a, b = connect_visit(srv.url, srv.url, srv.url, inbox, artifacts, "restart")
        try:
            # 1. The server goes away for two seconds and comes back.
            srv.restart(down_seconds=2)
            wait(patient, lambda d: stats(d)["signal"] == "open" and stats(provider)["signal"] == "open", timeout=30)
            a, b = both_flowing(patient, provider, more_than=(a["framesDecoded"] + 30, b["framesDecoded"] + 30))

            # 2. "Fix the video": an ICE restart negotiated over the signaling channel.
            provider.find_element(By.ID, "ice-restart").click()
            try:
                wait(provider, lambda d: stats(d)["ufrag"] != b["ufrag"] and stats(patient)["ufrag"] != a["ufrag"],
                     timeout=45)
            except Exception:
                raise AssertionError(f"no new ICE credentials: patient {stats(patient)} provider {stats(provider)}; "
                                     f"patient log {patient.get_log('browser')[-5:]}, "
                                     f"provider log {provider.get_log('browser')[-5:]}")
            a, b = both_flowing(patient, provider, more_than=(a["framesDecoded"] + 30, b["framesDecoded"] + 30))

            # 3. Audio only (the patient's camera off): video stops arriving at the provider, audio does not.
            patient.find_element(By.ID, "audio-only").click()
            wait(patient, lambda d: "Audio only" in d.find_element(By.ID, "visit-status").text, timeout=10)
            time.sleep(2)
            b1 = stats(provider)
            time.sleep(3)
            b2 = stats(provider)
            assert b2["framesDecoded"] - b1["framesDecoded"] <= 2, f"no video after audio only: {b1} → {b2}"
            assert b2["audioPackets"] - b1["audioPackets"] > 50, f"audio keeps flowing: {b1} → {b2}"
            assert b2["state"] == "connected"
            assert "audio only" in provider.find_element(By.ID, "visit-status").text, "the provider is told"
            provider.save_screenshot(str(artifacts / "visit-provider-audio-only.png"))

            events = end_visit(patient, provider, TIMELINE + ["patient reconnecting", "provider reconnecting", "provider ice-restart", "patient audio-only"])
            assert sum("joined" in e for e in events) >= 4, f"both joined again after the restart: {events}"
        finally:
            patient.quit()
            provider.quit()
    finally:
        srv.stop()
        smtp.stop()


def test_reloading_either_side_mid_visit_brings_the_video_back(visit_server, artifacts):
    """A reload (or a tab the phone killed, or a switch of network) in a running visit: the page comes back into the
    same visit without a new admission, and both sides decode video again within 10 s — first the patient reloads,
    then the provider."""
    srv, inbox = visit_server
    label = f"reload-{srv.backend}"
    patient, provider, visit_id, a, b = connect_visit(srv.url, srv.url, srv.url, inbox, artifacts, label)
    try:
        for side, drv in (("patient", patient), ("provider", provider)):
            drv.refresh()
            wait(drv, lambda d: d.find_element(By.ID, "visit").get_attribute("data-visit") == visit_id, timeout=15)
            loaded = time.time()
            both_flowing(patient, provider, more_than=(10, 10), timeout=30)
            took = time.time() - loaded
            assert took < 10, f"after the {side} reloaded, video flowed again only after {took:.1f} s"
            drv.save_screenshot(str(artifacts / f"visit-{label}-{side}-back.png"))
        end_visit(patient, provider, TIMELINE + ["ice-restart"])
    finally:
        patient.quit()
        provider.quit()
