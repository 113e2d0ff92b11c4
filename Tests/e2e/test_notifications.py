"""Booking confirmations leave the real server through a real SMTP server (aiosmtpd) and an SMS webhook,
both on loopback: the email carries an .ics invitation and, like the SMS, says only date, time and place."""
import datetime
import email
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
from aiosmtpd.controller import Controller

from conftest import Server, free_port


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def relays():
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    texts = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            texts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    hook = HTTPServer(("127.0.0.1", free_port()), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    yield inbox, texts, smtp.port, hook.server_address[1]
    smtp.stop()
    hook.shutdown()


def test_confirmation_goes_out_by_smtp_with_ics_and_by_sms(relays):
    inbox, texts, smtp_port, hook_port = relays
    srv = Server("sqlite", extra_env={"CARESYNC_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
                                      "CARESYNC_SMS_WEBHOOK_URL": f"http://127.0.0.1:{hook_port}/sms",
                                      "CARESYNC_MAIL_FROM": "clinic@example.org", "CARESYNC_OUTBOX_INTERVAL": "1"})
    try:
        tok = requests.post(srv.url + "/api/v1/auth/token", json={"username": "desk.jones", "password": "caresync-demo"}, timeout=10).json()
        h = {"Authorization": "Bearer " + tok["access_token"]}
        patient = requests.get(srv.url + "/api/v1/patients?q=nguyen", headers=h, timeout=10).json()["items"][0]
        ftype = next(t for t in requests.get(srv.url + "/api/v1/appointment-types", headers=h, timeout=10).json() if t["code"] == "FU")
        day = datetime.date.today() + datetime.timedelta(days=3)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        slots = requests.get(srv.url + f"/api/v1/slots?type={ftype['id']}&from={day.isoformat()}", headers=h, timeout=10).json()
        assert slots, "the demo practice has free times on a weekday"
        s = slots[0]
        r = requests.post(srv.url + "/api/v1/appointments", headers=h, timeout=10,
                          json={"patientId": patient["id"], "providerId": s["providerId"], "locationId": s["locationId"], "typeId": ftype["id"], "start": s["start"]})
        assert r.status_code == 201, r.text

        deadline = time.time() + 20
        while time.time() < deadline and not (inbox.messages and texts):
            time.sleep(0.2)
        assert inbox.messages, "no email arrived"
        rcpts, raw = inbox.messages[0]
        assert rcpts == [patient["email"]]
        msg = email.message_from_bytes(raw)
        assert msg["Subject"] == "Your appointment is booked"
        parts = {p.get_content_type(): p for p in msg.walk() if not p.is_multipart()}
        body = parts["text/plain"].get_payload(decode=True).decode()
        ics = parts["text/calendar"].get_payload(decode=True).decode()
        assert "METHOD:REQUEST" in ics and "BEGIN:VEVENT" in ics and "\r\n" in ics
        assert patient["familyName"] not in body and "Follow-up" not in body and "Dr." not in body
        assert texts[0]["to"] == patient["phone"]
        assert texts[0]["body"] == body

        listed = srv.cli("outbox", "list", "--json")
        rows = json.loads(listed.stdout)
        assert {r["status"] for r in rows if r["kind"] == "confirmation"} == {"sent"}
    finally:
        srv.stop()
