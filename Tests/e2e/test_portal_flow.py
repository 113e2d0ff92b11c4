"""The patient portal end to end, in real Chromium on a 360-px screen against the real binary (SQLite and PostgreSQL):
an invitation arrives by email (aiosmtpd), the new patient registers, fills the diabetic foot intake across two
sessions, uploads a wound photo whose EXIF carries GPS (gone afterwards), and writes a message; staff accept the
intake and answer. A separate test drops a tus upload mid-way and resumes it with a plain HTTP client."""
import base64
import email
import hashlib
import os
import re
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import Server, backends, free_port, fresh_postgres_database
from test_browser_signin import no_horizontal_scroll, sign_in, submit, wait

PASSWORD = "caresync-demo"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"

    def text_to(self, address, contains, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for rcpt, content in self.messages:
                if address in rcpt:
                    msg = email.message_from_bytes(content)
                    for part in msg.walk():
                        if part.get_content_type() == "text/plain":
                            body = part.get_payload(decode=True).decode()
                            if contains in body:
                                return body
            time.sleep(0.3)
        raise AssertionError(f"no message to {address} containing {contains!r}")


def jpeg_with_gps(path, width=480, height=240):
    """A JPEG made with libvips, with an EXIF block saying orientation 6 and GPS 39°58' N, as a phone writes it."""
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["vips", "gaussnoise", f"{d}/n.v", str(width), str(height), "--mean", "128", "--sigma", "40"], check=True)
        subprocess.run(["vips", "cast", f"{d}/n.v", f"{d}/c.v", "uchar"], check=True)
        subprocess.run(["vips", "bandjoin", f"{d}/c.v {d}/c.v {d}/c.v", f"{d}/rgb.v"], check=True)
        subprocess.run(["vips", "jpegsave", f"{d}/rgb.v", f"{d}/plain.jpg"], check=True)
        plain = Path(f"{d}/plain.jpg").read_bytes()

    def ifd(entries):
        out = struct.pack(">H", len(entries))
        for tag, typ, count, value in entries:
            out += struct.pack(">HHI", tag, typ, count) + value
        return out + struct.pack(">I", 0)

    ifd0 = ifd([(0x0112, 3, 1, struct.pack(">HH", 6, 0)), (0x8825, 4, 1, struct.pack(">I", 38))])
    gps = ifd([(0x0001, 2, 2, b"N\0\0\0"), (0x0002, 5, 3, struct.pack(">I", 68))])
    tiff = b"MM\0*" + struct.pack(">I", 8) + ifd0 + gps + struct.pack(">IIIIII", 39, 1, 58, 1, 0, 1)
    app1 = b"Exif\0\0" + tiff
    data = plain[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + plain[2:]
    Path(path).write_bytes(data)
    return data


def header_fields(data):
    with tempfile.NamedTemporaryFile(suffix=".jpg") as f:
        f.write(data)
        f.flush()
        return subprocess.run(["vipsheader", "-a", f.name], capture_output=True, text=True, check=True).stdout


@pytest.fixture(params=backends())
def portal_server(request):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    srv = Server(request.param, fresh_postgres_database() if request.param == "postgres" else None,
                 extra_env={"CARESYNC_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "CARESYNC_OUTBOX_INTERVAL": "1",
                            "CARESYNC_MAIL_FROM": "clinic@example.org"})
    yield srv, inbox
    srv.stop()
    smtp.stop()


def token(srv, username):
    r = requests.post(srv.url + "/api/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def test_invited_patient_registers_fills_intake_in_two_sessions_uploads_photo_and_messages(portal_server, browser, artifacts, tmp_path):
    srv, inbox = portal_server
    desk = token(srv, "desk.jones")
    address = "ruth.newcomer@example.org"
    made = requests.post(srv.url + "/api/v1/patients", headers=desk, timeout=10,
                         json={"familyName": "Newcomer", "givenName": "Ruth", "birthDate": "1958-04-12", "sex": "female", "email": address})
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    inv = requests.post(srv.url + f"/api/v1/patients/{pid}/invitations", headers=desk, json={"channel": "email", "batch": "e2e"}, timeout=10)
    assert inv.status_code == 201, inv.text

    body = inbox.text_to(address, "/portal/invite/")
    assert "Newcomer" not in body and "1958" not in body, "the invitation carries no PHI"
    link = srv.url + re.search(r"(/portal/invite/[A-Za-z0-9_-]+)", body).group(1)

    # Registration.
    browser.get(link)
    browser.find_element(By.NAME, "username").send_keys("ruth.n")
    browser.find_element(By.NAME, "password").send_keys("a long passphrase 42")
    browser.find_element(By.NAME, "passwordConfirm").send_keys("a long passphrase 42")
    browser.find_element(By.ID, "acceptTerms").click()
    no_horizontal_scroll(browser)
    submit(browser, browser.find_element(By.ID, "register"))
    assert "Hello, Ruth" in browser.find_element(By.ID, "portal-welcome").text

    # Intake, session one: some answers, saved as a draft; then signed out.
    browser.get(srv.url + "/portal/forms/diabetic-foot")
    Select(browser.find_element(By.NAME, "diabetesType")).select_by_visible_text("Type 2")
    browser.find_element(By.NAME, "lastA1c").send_keys("7.8")
    browser.find_element(By.CSS_SELECTOR, "input[value='Numbness']").click()
    submit(browser, browser.find_element(By.ID, "save-draft"))
    assert "Draft saved" in browser.find_element(By.ID, "draft-saved").text
    browser.delete_all_cookies()

    # Session two (as if on another device): the draft is there; finish and send.
    sign_in(browser, srv.url, "/portal/login", "ruth.n", "a long passphrase 42")
    browser.get(srv.url + "/portal/forms/diabetic-foot")
    assert browser.find_element(By.NAME, "lastA1c").get_attribute("value") == "7.8"
    assert browser.find_element(By.CSS_SELECTOR, "input[value='Numbness']").is_selected()
    submit(browser, browser.find_element(By.ID, "submit-form"))
    assert "please answer this" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    Select(browser.find_element(By.NAME, "priorUlcer")).select_by_value("yes")
    Select(browser.find_element(By.NAME, "amputation")).select_by_value("no")
    Select(browser.find_element(By.NAME, "footwear")).select_by_visible_text("Athletic shoes")
    submit(browser, browser.find_element(By.ID, "submit-form"))
    assert "was sent to the practice" in browser.find_element(By.ID, "form-submitted").text

    # A wound photo whose EXIF carries GPS, through the page's resumable upload.
    photo = tmp_path / "IMG_0042.jpg"
    original = jpeg_with_gps(photo)
    assert "GPSLatitude" in header_fields(original)
    browser.get(srv.url + "/portal/photos")
    browser.find_element(By.ID, "site-4").click()  # 1st metatarsal head, on the foot diagram
    Select(browser.find_element(By.NAME, "side")).select_by_value("left")
    submit(browser, browser.find_element(By.ID, "add-wound"))
    upload_form = browser.find_element(By.CSS_SELECTOR, "form.tus-upload")
    upload_form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(photo))
    upload_form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    try:
        wait(browser, EC.presence_of_element_located((By.ID, "upload-done")), timeout=30)
    except Exception:
        status = browser.find_element(By.CSS_SELECTOR, ".upload-status").text
        raise AssertionError(f"upload did not finish: {status!r} {browser.get_log('browser')}")
    thumbs = browser.find_elements(By.CSS_SELECTOR, ".photo img")
    assert len(thumbs) == 1
    wait(browser, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", thumbs[0]))
    no_horizontal_scroll(browser)
    browser.save_screenshot(str(artifacts / f"portal-photos-{srv.backend}.png"))

    # A message to the care team.
    browser.get(srv.url + "/portal/messages")
    browser.find_element(By.NAME, "subject").send_keys("Question about my toe")
    browser.find_element(By.NAME, "body").send_keys("The skin around the sore looks red. Should I come in?")
    submit(browser, browser.find_element(By.ID, "send-message"))
    assert "The skin around the sore looks red" in browser.find_element(By.ID, "messages").text

    # The stored photo: no EXIF, no GPS, orientation applied (480×240 turned upright is 240×480).
    ma = token(srv, "ma.rivera")
    wounds = requests.get(srv.url + f"/api/v1/patients/{pid}/wounds", headers=ma, timeout=10).json()
    stored_meta = wounds[0]["photos"][0]
    stored = requests.get(srv.url + f"/api/v1/photos/{stored_meta['id']}", headers=ma, timeout=10)
    assert stored.status_code == 200 and stored.headers["Cache-Control"].startswith("private, no-store")
    fields = header_fields(stored.content)
    assert "GPS" not in fields and "exif" not in fields.lower(), fields
    assert (stored_meta["width"], stored_meta["height"]) == (240, 480)
    assert stored_meta["sha256"] == hashlib.sha256(stored.content).hexdigest()

    # Staff: accept the intake, answer the message (a second browser session as the medical assistant).
    browser.delete_all_cookies()
    sign_in(browser, srv.url, "/login", "ma.rivera")
    browser.get(srv.url + "/intake")
    submit(browser, browser.find_element(By.LINK_TEXT, "Newcomer, Ruth"))
    assert "Type 2" in browser.page_source
    submit(browser, browser.find_element(By.ID, "accept-intake"))
    assert "accepted" in browser.find_element(By.ID, "review-done").text
    browser.get(srv.url + "/inbox")
    submit(browser, browser.find_element(By.LINK_TEXT, "Question about my toe"))
    browser.find_element(By.NAME, "body").send_keys("Please send a photo in good light, or come in tomorrow at 9.")
    submit(browser, browser.find_element(By.ID, "send-reply"))
    browser.save_screenshot(str(artifacts / f"staff-thread-{srv.backend}.png"))
    notice = inbox.text_to(address, "secure message")
    assert "photo" not in notice and "toe" not in notice.lower(), "the notification carries no PHI"

    # The patient sees the answer.
    browser.delete_all_cookies()
    sign_in(browser, srv.url, "/portal/login", "ruth.n", "a long passphrase 42")
    browser.get(srv.url + "/portal/messages")
    submit(browser, browser.find_element(By.LINK_TEXT, "Question about my toe"))
    assert "come in tomorrow at 9" in browser.find_element(By.ID, "messages").text
    rates = requests.get(srv.url + "/api/v1/invitations/batches", headers=desk, timeout=10).json()
    assert {"batch": "e2e", "invited": 1, "registered": 1, "rate": 1.0} in rates


def test_interrupted_tus_upload_resumes_from_the_server_offset(sqlite_server, tmp_path):
    srv = sqlite_server
    desk = token(srv, "desk.jones")
    made = requests.post(srv.url + "/api/v1/patients", headers=desk, timeout=10,
                         json={"familyName": "Resume", "givenName": "Tess", "birthDate": "1970-01-02", "sex": "female"})
    pid = made.json()["id"]
    pa = token(srv, "ma.rivera")
    wound = requests.post(srv.url + f"/api/v1/patients/{pid}/wounds", headers=pa, json={"bodySite": "heel", "side": "right"}, timeout=10).json()
    data = jpeg_with_gps(tmp_path / "big.jpg", width=1600, height=1200)
    tus = dict(pa, **{"Tus-Resumable": "1.0.0"})
    meta = "woundId " + base64.b64encode(wound["id"].encode()).decode()
    created = requests.post(srv.url + "/api/v1/uploads", headers=dict(tus, **{"Upload-Length": str(len(data)), "Upload-Metadata": meta}), timeout=10)
    assert created.status_code == 201, created.text
    url = srv.url + created.headers["Location"]
    first = len(data) // 3
    patch = dict(tus, **{"Content-Type": "application/offset+octet-stream"})
    r = requests.patch(url, headers=dict(patch, **{"Upload-Offset": "0"}), data=data[:first], timeout=10)
    assert r.status_code == 204 and r.headers["Upload-Offset"] == str(first)

    # The next chunk's connection drops half-way: the client sends fewer bytes than it announced and hangs up.
    import socket
    host, port = srv.url.replace("http://", "").split(":")
    s = socket.create_connection((host, int(port)))
    chunk = data[first:]
    head = (f"PATCH {created.headers['Location']} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {pa['Authorization']}\r\n"
            f"Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: {first}\r\n"
            f"Content-Length: {len(chunk)}\r\n\r\n").encode()
    s.sendall(head + chunk[: len(chunk) // 2])
    s.close()
    time.sleep(0.5)

    # Resume: ask where the upload stands, send the rest from there.
    h = requests.head(url, headers=tus, timeout=10)
    assert h.status_code == 200
    offset = int(h.headers["Upload-Offset"])
    assert offset == first, "nothing of the broken request was kept"
    rest = data[offset:]
    checksum = "sha1 " + base64.b64encode(hashlib.sha1(rest).digest()).decode()
    done = requests.patch(url, headers=dict(patch, **{"Upload-Offset": str(offset), "Upload-Checksum": checksum}), data=rest, timeout=30)
    assert done.status_code == 204, done.text
    photo_id = done.headers["CareSync-Photo-Id"]
    img = requests.get(srv.url + f"/api/v1/photos/{photo_id}", headers=pa, timeout=10)
    assert img.status_code == 200 and "GPS" not in header_fields(img.content)
    # The finished upload cannot be appended to or cancelled.
    again = requests.patch(url, headers=dict(patch, **{"Upload-Offset": str(len(data))}), data=b"x", timeout=10)
    assert again.status_code == 409
