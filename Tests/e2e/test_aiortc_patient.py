"""A video visit with a participant no one on the project wrote: aiortc (a Python WebRTC stack, not a browser) joins as
the patient through the emailed link, waits, is admitted by the provider in Chromium, answers the provider's offer and
trickled candidates, sends video of its own and decodes the provider's. What the browser page does is not needed for a
visit to work: the link, the visit pass cookie, `/visits/{id}/ice` and the signaling messages are enough."""
import asyncio
import json
import threading

import pytest
import requests
import websockets
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp
from aiosmtpd.controller import Controller
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import Server, free_port
from test_browser_signin import sign_in_enrolling_mfa, submit, wait
from test_portal_flow import Inbox
from test_video_visit import book_video_visit, media_browser, stats


@pytest.fixture
def sqlite_visit_server():
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    srv = Server("sqlite", None, extra_env={"CARESYNC_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
                                             "CARESYNC_OUTBOX_INTERVAL": "1", "CARESYNC_MAIL_FROM": "clinic@example.org"})
    yield srv, inbox
    srv.stop()
    smtp.stop()


def stun_only(ice):
    """The STUN servers of `/visits/{id}/ice` (TURN relay is the browser test's subject; here both sides are local)."""
    out = []
    for s in ice.get("iceServers", []):
        urls = s["urls"] if isinstance(s["urls"], list) else [s["urls"]]
        stun = [u for u in urls if u.startswith("stun:")]
        if stun:
            out.append(RTCIceServer(urls=stun))
    return out


class AiortcPatient:
    """The patient's side in its own thread and event loop: signaling over the WebSocket with the visit pass cookie,
    ICE servers from the server, a polite answerer (it never offers), frames counted as they are decoded."""

    def __init__(self, base, visit_id, cookie):
        self.ws_url = base.replace("http://", "ws://") + f"/visits/{visit_id}/signal"
        self.ice_url = base + f"/visits/{visit_id}/ice"
        self.cookie = cookie
        self.seen = []
        self.frames = 0
        self.state = "new"
        self.done = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self.run()), daemon=True)

    async def run(self):
        try:
            await self.session()
        except Exception as e:  # reported to the test, which fails with it
            self.error = repr(e)

    async def session(self):
        pc = None
        async with websockets.connect(self.ws_url, additional_headers={"Cookie": f"cs_visit={self.cookie}"}) as ws:
            async def receive(track):
                while True:
                    await track.recv()
                    self.frames += 1

            while not self.done.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=1)
                except asyncio.TimeoutError:
                    await ws.send(json.dumps({"type": "heartbeat"}))
                    continue
                m = json.loads(raw)
                self.seen.append(m["type"])
                if m["type"] == "admitted" and pc is None:
                    ice = await asyncio.to_thread(
                        lambda: requests.get(self.ice_url, cookies={"cs_visit": self.cookie}, timeout=10))
                    assert ice.status_code == 200, ice.text
                    pc = RTCPeerConnection(RTCConfiguration(iceServers=stun_only(ice.json())))
                    pc.addTrack(VideoStreamTrack())

                    @pc.on("track")
                    def on_track(track):
                        if track.kind == "video":
                            asyncio.ensure_future(receive(track))

                    @pc.on("connectionstatechange")
                    def on_state():
                        self.state = pc.connectionState
                elif m["type"] == "offer" and pc is not None:
                    await pc.setRemoteDescription(RTCSessionDescription(m["description"]["sdp"], "offer"))
                    await pc.setLocalDescription(await pc.createAnswer())
                    await ws.send(json.dumps({"type": "answer", "description": {
                        "type": "answer", "sdp": pc.localDescription.sdp}}))
                elif m["type"] == "candidate" and pc is not None and m.get("candidate", {}).get("candidate"):
                    c = m["candidate"]
                    cand = candidate_from_sdp(c["candidate"].split(":", 1)[1])
                    cand.sdpMid, cand.sdpMLineIndex = c.get("sdpMid"), c.get("sdpMLineIndex")
                    await pc.addIceCandidate(cand)
            await ws.send(json.dumps({"type": "leave"}))
        if pc is not None:
            await pc.close()


def test_an_aiortc_patient_joins_is_admitted_and_video_flows_both_ways(sqlite_visit_server, artifacts):
    srv, inbox = sqlite_visit_server
    link = book_video_visit(srv.url, inbox)
    link = srv.url + link[link.index("/visit/join/"):]
    joined = requests.get(link, allow_redirects=False, timeout=10)
    assert joined.status_code in (302, 303), joined.text
    cookie = joined.cookies.get("cs_visit")
    visit_id = joined.headers["Location"].rstrip("/").split("/")[-1]
    assert cookie and visit_id
    early = requests.get(srv.url + f"/visits/{visit_id}/ice", cookies={"cs_visit": cookie}, timeout=10)
    assert early.status_code == 403, "no media credentials before the provider admits"

    patient = AiortcPatient(srv.url, visit_id, cookie)
    patient.thread.start()
    provider = media_browser(420)
    try:
        wait(provider, lambda _: "waiting" in patient.seen or patient.error, timeout=20)
        assert patient.error is None, patient.error
        sign_in_enrolling_mfa(provider, srv.url, "drpatel")
        provider.get(srv.url + "/visits")
        card = wait(provider, EC.presence_of_element_located((By.CSS_SELECTOR, f".waiting[data-visit='{visit_id}']")))
        submit(provider, card.find_element(By.CSS_SELECTOR, "button.admit"))

        def flowing(_):
            if patient.error:
                return True
            b = stats(provider)
            return patient.state == "connected" and patient.frames > 10 and b["state"] == "connected" \
                and b["framesDecoded"] > 10
        try:
            wait(provider, flowing, timeout=45)
        except Exception:
            raise AssertionError(f"media did not flow: aiortc {patient.state}, {patient.frames} frames, saw "
                                 f"{patient.seen[-12:]}; provider {stats(provider)}")
        assert patient.error is None, patient.error
        provider.save_screenshot(str(artifacts / "visit-provider-with-aiortc-patient.png"))
        assert "offer" in patient.seen and "admitted" in patient.seen
    finally:
        patient.done.set()
        patient.thread.join(timeout=10)
        provider.quit()
