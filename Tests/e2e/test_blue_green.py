"""Blue-green deploys behind real nginx (deploy/nginx/caresync-proxy.conf as shipped), on SQLite and on PostgreSQL:
two releases of the real binary (each a directory with its own release.json), `caresync deploy` and `caresync rollback`
driven as an operator would, while a load loop keeps reading and writing through the proxy over keep-alive
connections, a patient's signaling socket stays open and a tus upload is half done. Nothing may fail: no 5xx, no
connection error, no acknowledged write lost; the socket reconnects to the new slot; the upload resumes and completes.
Then what must never go live: a release with a contract migration, a release whose smoke check fails, and a release
with an injected fault, which the watch rolls back by itself."""
import base64
import datetime
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
from websockets.sync.client import connect

from conftest import BINARY, ROOT, backends, free_port, fresh_postgres_database
from test_portal_flow import jpeg_with_gps

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "caresync-demo"


class Installation:
    """A staging set-up: a releases folder, a deploy directory, nginx on a loopback port, one database."""

    def __init__(self, backend):
        self.backend = backend
        self.tmp = Path(tempfile.mkdtemp(prefix=f"caresync-bg-{backend}-"))
        for d in ("releases", "deploy", "data", "nginx"):
            (self.tmp / d).mkdir()
        self.env = dict(os.environ, LOG_LEVEL="warning", CARESYNC_BCRYPT_COST="4",
                        CARESYNC_DATA_DIR=str(self.tmp / "data"), CARESYNC_DEPLOY_DIR=str(self.tmp / "deploy"))
        self.env.pop("DATABASE_URL", None)
        if backend == "postgres":
            self.env["DATABASE_URL"] = fresh_postgres_database()
        self.proxy_port, blue, green = free_port(), free_port(), free_port()
        self.proxy = f"http://127.0.0.1:{self.proxy_port}"
        n = self.tmp / "nginx"
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (n / d).mkdir()
            os.chmod(n / d, 0o777)
        upstream = self.tmp / "deploy" / "upstream.conf"
        upstream.write_text(f"server 127.0.0.1:{blue} max_fails=0;\n")  # nothing listens yet: 502 until the deploy
        (n / "nginx.conf").write_text(f"""
worker_processes 1;
pid {n}/nginx.pid;
error_log {n}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {n}/body;
    proxy_temp_path {n}/proxy;
    fastcgi_temp_path {n}/fastcgi;
    uwsgi_temp_path {n}/uwsgi;
    scgi_temp_path {n}/scgi;
    upstream caresync {{ include {upstream}; keepalive 32; }}
    map $http_upgrade $connection_upgrade {{ default upgrade; '' ''; }}
    server {{
        listen 127.0.0.1:{self.proxy_port};
        include {ROOT / "deploy/nginx/caresync-proxy.conf"};
    }}
}}
""")
        self.nginx = [NGINX, "-p", str(n), "-c", str(n / "nginx.conf")]
        subprocess.run(self.nginx, check=True, capture_output=True)
        (self.tmp / "deploy" / "deploy.json").write_text(json.dumps({
            "bluePort": blue, "greenPort": green, "upstreamFile": str(upstream),
            "proxyReload": self.nginx + ["-s", "reload"], "proxyURL": self.proxy,
            "releasesDir": str(self.tmp / "releases"), "serveArguments": [],  # the demo practice on first start
            "rollback": {"sampleSeconds": 1, "windowSeconds": 10, "smokeEverySeconds": 20},
        }))

    def release(self, version, env=None):
        d = self.tmp / "releases" / version
        d.mkdir()
        try:
            os.link(BINARY, d / "caresync")
        except OSError:
            shutil.copy2(BINARY, d / "caresync")
        (d / "release.json").write_text(json.dumps({"version": version, "commit": "e2e" + version.replace(".", ""),
                                                    "builtAt": "2026-11-29T10:00:00Z"}))
        if env:
            (d / "release.env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        return str(d)

    def caresync(self, *args, timeout=240):
        return subprocess.run([str(BINARY), *args], env=self.env, capture_output=True, text=True, timeout=timeout)

    def deploy(self, *args):
        r = self.caresync("deploy", *args, "--json", "--by", "e2e-operator")
        assert r.stdout.strip(), r.stderr
        return r.returncode, json.loads(r.stdout)

    def live(self):
        """What the proxy answers from: (slot, version)."""
        ready = requests.get(self.proxy + "/health/ready", headers={"Connection": "close"}, timeout=10).json()
        return ready["slot"], ready["version"]["version"]

    def state(self):
        return json.loads((self.tmp / "deploy" / "state.json").read_text())

    def stop(self):
        try:
            for slot in ("blue", "green"):
                pid = (self.state().get(slot) or {}).get("pid")
                if pid:
                    try:
                        os.kill(pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
        finally:
            subprocess.run(self.nginx + ["-s", "stop"], capture_output=True)
            time.sleep(1)
            shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="module", params=backends())
def staging(request):
    if not os.path.exists(NGINX):
        pytest.skip("nginx is installed by scripts/test.sh")
    inst = Installation(request.param)
    yield inst
    inst.stop()


def token(base, username, password=PASSWORD):
    r = requests.post(base + "/api/v1/auth/token", json={"username": username, "password": password}, timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def closed_before_answering(e):
    """nginx's graceful reload closes idle keep-alive connections; a request sent on one at that very moment gets no
    answer at all. The request was never read, so a browser sends it again on a new connection (and so does this)."""
    return isinstance(e, requests.ConnectionError) and ("RemoteDisconnected" in str(e) or "reset" in str(e).lower())


class Load:
    """Keep-alive readers and a writer through the proxy; every failure is kept with what it was."""

    def __init__(self, base, headers):
        self.base, self.headers = base, headers
        self.stop = threading.Event()
        self.failures, self.written, self.retried = [], [], []
        self.reads = 0
        self.threads = [threading.Thread(target=self.reader, daemon=True) for _ in range(2)]
        self.threads.append(threading.Thread(target=self.writer, daemon=True))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)

    def reader(self):
        s = requests.Session()
        while not self.stop.is_set():
            for path in ("/api/v1/patients?q=garcia", "/api/v1/appointment-types", "/api/v1/me"):
                for attempt in (1, 2):
                    try:
                        r = s.get(self.base + path, headers=self.headers, timeout=15)
                        if r.status_code != 200:
                            self.failures.append(f"GET {path}: {r.status_code} {r.text[:200]}")
                        self.reads += 1
                        break
                    except requests.RequestException as e:
                        if attempt == 1 and closed_before_answering(e):
                            self.retried.append(f"GET {path}")
                            continue
                        self.failures.append(f"GET {path}: {type(e).__name__}: {e}")

    def writer(self):
        s = requests.Session()
        n = 0
        while not self.stop.is_set():
            n += 1
            body = {"familyName": f"Loadwriter{n:04d}", "givenName": "Deploy", "birthDate": "1980-01-01", "sex": "female"}
            for attempt in (1, 2):
                try:
                    r = s.post(self.base + "/api/v1/patients", headers=self.headers, json=body, timeout=15)
                    if r.status_code == 201:
                        self.written.append(r.json()["id"])
                    else:
                        self.failures.append(f"POST /api/v1/patients: {r.status_code} {r.text[:200]}")
                    break
                except requests.RequestException as e:
                    if attempt == 1 and closed_before_answering(e):
                        # Sent again only if it did not land (it cannot have: nginx never read it; checked anyway).
                        found = requests.get(self.base + f"/api/v1/patients?q={body['familyName']}",
                                             headers=self.headers, timeout=15).json()["items"]
                        if found:
                            self.written.append(found[0]["id"])
                            break
                        self.retried.append("POST /api/v1/patients")
                        continue
                    self.failures.append(f"POST /api/v1/patients: {type(e).__name__}: {e}")
            time.sleep(0.05)


class PatientSocket:
    """A patient's signaling socket through the proxy, reconnecting as the visit page does."""

    def __init__(self, url, headers):
        self.url, self.headers = url, headers
        self.stop = threading.Event()
        self.connects, self.errors, self.messages = 0, [], []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        failures_in_a_row = 0
        while not self.stop.is_set():
            try:
                with connect(self.url, additional_headers=self.headers, open_timeout=10) as ws:
                    self.connects += 1
                    failures_in_a_row = 0
                    while not self.stop.is_set():
                        try:
                            self.messages.append(json.loads(ws.recv(timeout=0.5)))
                        except TimeoutError:
                            ws.send(json.dumps({"type": "heartbeat"}))
            except Exception as e:  # closed by the drained slot (1001): reconnect, as the page does
                if "1001" not in str(e) and "1000" not in str(e):
                    failures_in_a_row += 1
                    if failures_in_a_row > 3:
                        self.errors.append(f"{type(e).__name__}: {e}")
                time.sleep(0.2)


def video_visit(base):
    """The demo patient's video appointment tomorrow with its visit; returns the visit id."""
    desk = token(base, "desk.jones")
    types = requests.get(base + "/api/v1/appointment-types", headers=desk, timeout=10).json()
    video = next(t for t in types if t["code"] == "VIDEO")
    patient = requests.get(base + "/api/v1/patients?q=garcia", headers=desk, timeout=10).json()["items"][0]
    day = datetime.date.today() + datetime.timedelta(days=1)
    slots = requests.get(base + f"/api/v1/slots?type={video['id']}&from={day}&to={day + datetime.timedelta(days=6)}",
                         headers=desk, timeout=10).json()
    booked = requests.post(base + "/api/v1/appointments", headers=desk, timeout=10, json={
        "patientId": patient["id"], "providerId": slots[0]["providerId"], "locationId": slots[0]["locationId"],
        "typeId": video["id"], "start": slots[0]["start"]})
    assert booked.status_code == 201, booked.text
    visit = requests.post(base + f"/api/v1/appointments/{booked.json()['id']}/visit", headers=desk, timeout=10)
    assert visit.status_code == 200, visit.text
    return visit.json()["id"]


def test_blue_green_blue_under_load_fails_nothing(staging, tmp_path):
    s = staging
    v1, v2 = s.release("1.0.0"), s.release("1.1.0")
    rc, first = s.deploy("--release", v1)
    assert rc == 0 and first["outcome"] == "live", first
    assert [c["name"] for c in first["smoke"]] == ["sign-in", "chart read", "slot search", "portal page",
                                                   "signaling socket"]
    assert all(c["ok"] for c in first["smoke"]), first["smoke"]
    assert s.live() == ("blue", "1.0.0")
    smoke_account = next(line for line in s.caresync("users", "list").stdout.splitlines() if "smoke.check" in line)
    assert "inactive" in smoke_account, "the smoke account is switched off once the deploy is over"

    desk = token(s.proxy, "desk.jones")
    ma = token(s.proxy, "ma.rivera")
    visit = video_visit(s.proxy)
    sock = PatientSocket(s.proxy.replace("http://", "ws://") + f"/visits/{visit}/signal", token(s.proxy, "patient.garcia"))
    # A wound photo upload, a third sent before the switch.
    pid = requests.get(s.proxy + "/api/v1/patients?q=garcia", headers=desk, timeout=10).json()["items"][0]["id"]
    wound = requests.post(s.proxy + f"/api/v1/patients/{pid}/wounds", headers=ma, timeout=10,
                          json={"bodySite": "heel", "side": "left"}).json()
    data = jpeg_with_gps(tmp_path / "wound.jpg", width=1600, height=1200)
    tus = dict(ma, **{"Tus-Resumable": "1.0.0"})
    created = requests.post(s.proxy + "/api/v1/uploads", timeout=10, headers=dict(tus, **{
        "Upload-Length": str(len(data)), "Upload-Metadata": "woundId " + base64.b64encode(wound["id"].encode()).decode()}))
    assert created.status_code == 201, created.text
    upload = s.proxy + created.headers["Location"]
    patch = dict(tus, **{"Content-Type": "application/offset+octet-stream"})

    def send(upto):
        offset = int(requests.head(upload, headers=tus, timeout=10).headers["Upload-Offset"])
        r = requests.patch(upload, headers=dict(patch, **{"Upload-Offset": str(offset)}), data=data[offset:upto], timeout=30)
        assert r.status_code == 204, r.text
        return r

    send(len(data) // 3)
    time.sleep(1)
    assert sock.connects == 1 and any(m.get("type") == "waiting" for m in sock.messages), sock.messages

    with Load(s.proxy, desk) as load:
        time.sleep(2)
        rc, there = s.deploy("--release", v2)
        assert rc == 0 and there["outcome"] == "live", there
        assert s.live() == ("green", "1.1.0")
        send(2 * len(data) // 3)  # the upload goes on, now on green
        time.sleep(2)
        r = s.caresync("rollback", "--json", "--by", "e2e-operator")
        assert r.returncode == 0, r.stdout + r.stderr
        back = json.loads(r.stdout)
        assert back["outcome"] == "live" and back["steps"][0]["detail"] == "1.0.0 was still warm", back
        assert s.live() == ("blue", "1.0.0")
        time.sleep(2)
    done = send(len(data))
    sock.stop.set()
    sock.thread.join(timeout=10)

    assert load.failures == [], load.failures[:10]
    assert len(load.retried) <= 3, f"keep-alive closes at the reload, sent again as a browser would: {load.retried}"
    assert load.reads > 50 and len(load.written) > 10, (load.reads, len(load.written))
    for pid in load.written:  # every acknowledged write is there
        assert requests.get(s.proxy + f"/api/v1/patients/{pid}", headers=desk, timeout=10).status_code == 200
    assert sock.errors == [] and sock.connects >= 3, (sock.connects, sock.errors)
    photo = done.headers["CareSync-Photo-Id"]
    assert requests.get(s.proxy + f"/api/v1/photos/{photo}", headers=ma, timeout=10).status_code == 200
    assert there["switchMs"] < 10_000 and back["rollbackMs"] < 10_000, (there["switchMs"], back["rollbackMs"])

    listed = json.loads(s.caresync("releases", "list", "--json").stdout)
    assert {(x["version"], x["status"]) for x in listed} == {("1.0.0", "live"), ("1.1.0", "warm")}, listed
    history = json.loads(s.caresync("deployments", "--json").stdout)
    assert [(h["kind"], h["outcome"], h["actor"]) for h in history[:3]] == [
        ("rollback", "live", "e2e-operator"), ("deploy", "live", "e2e-operator"), ("deploy", "live", "e2e-operator")]


def test_a_contract_migration_is_refused_before_anything_switches(staging):
    s = staging
    rc, o = staging.deploy("--release", s.release("1.2.0-contract", {"CARESYNC_TEST_CONTRACT_MIGRATION": "1"}))
    assert rc == 2 and o["outcome"] == "refused", o
    failed = next(c for c in o["steps"] if not c["ok"])
    assert failed["name"] == "migrations are additive" and "contract migration" in failed["detail"], failed
    assert "start green" not in [c["name"] for c in o["steps"]], "nothing was started"
    assert s.live() == ("blue", "1.0.0")


def test_a_release_whose_smoke_check_fails_never_goes_live(staging):
    s = staging
    rc, o = s.deploy("--release", s.release("1.2.0-broken", {"CARESYNC_FAULT": "/api/v1/slots"}))
    assert rc == 2 and o["outcome"] == "refused", o
    assert next(c for c in o["smoke"] if not c["ok"])["name"] == "slot search", o["smoke"]
    assert s.live() == ("blue", "1.0.0")
    assert s.state().get("green") is None, "the refused slot was stopped"


def test_an_injected_fault_is_rolled_back_by_the_watch(staging):
    s = staging
    faulty = s.release("1.3.0-faulty", {"CARESYNC_FAULT": "/api/v1/appointments"})
    desk = token(s.proxy, "desk.jones")
    stop, seen = threading.Event(), []

    def traffic():  # the front desk's calendar, as on a busy morning
        today = datetime.date.today()
        while not stop.is_set():
            try:
                r = requests.get(s.proxy + f"/api/v1/appointments?from={today}&to={today + datetime.timedelta(days=1)}",
                                 headers=desk, timeout=10)
                seen.append(r.status_code)
            except requests.RequestException:
                pass
            time.sleep(0.1)

    t = threading.Thread(target=traffic, daemon=True)
    t.start()
    try:
        rc, o = s.deploy("--release", faulty, "--watch", "2")
    finally:
        stop.set()
        t.join(timeout=10)
    assert rc == 3 and o["outcome"] == "rolled-back", o
    assert o["trigger"].startswith("automatic: 5xx answers"), o["trigger"]
    assert 500 in seen, "the fault was live for a moment"
    assert s.live() == ("blue", "1.0.0")
    history = json.loads(s.caresync("deployments", "--json").stdout)
    assert history[0]["outcome"] == "rolled-back" and history[0]["trigger"] == o["trigger"]
    assert history[0]["rollbackMs"] < 10_000


def test_a_rehearsal_goes_there_and_back_and_keeps_its_times(staging):
    s = staging
    rc, o = s.deploy("--rehearse", "--release", str(s.tmp / "releases" / "1.1.0"))
    assert rc == 0 and o["kind"] == "rehearsal" and o["outcome"] == "live", o
    assert o["switchMs"] < 10_000 and o["rollbackMs"] < 10_000, o
    assert [c["name"] for c in o["steps"]][-3:] == ["back: resume blue", "back: switch to blue", "back: drain green"]
    assert s.live() == ("blue", "1.0.0")


def test_a_slot_past_its_keep_warm_time_stops_and_a_rollback_starts_it_again(staging):
    s = staging
    rc, o = s.deploy("--release", str(s.tmp / "releases" / "1.1.0"), "--keep-warm", "0.05")
    assert rc == 0 and s.live() == ("green", "1.1.0"), o
    blue = s.state()["blue"]["pid"]
    deadline = time.time() + 30
    while time.time() < deadline:  # three seconds warm, then it stops by itself
        try:
            os.kill(blue, 0)
            time.sleep(0.5)
        except ProcessLookupError:
            break
    else:
        pytest.fail("the drained blue slot did not stop after its keep-warm time")
    listed = {x["version"]: x["status"] for x in json.loads(s.caresync("releases", "list", "--json").stdout)}
    assert listed["1.0.0"] == "installed" and listed["1.1.0"] == "live", listed
    r = s.caresync("rollback", "--json", "--by", "e2e-operator")
    back = json.loads(r.stdout)
    assert r.returncode == 0 and back["steps"][0]["detail"] == "1.0.0 had stopped: started again", back
    assert back["rollbackMs"] < 60_000
    assert s.live() == ("blue", "1.0.0")


def test_a_switch_the_proxy_does_not_confirm_is_put_back(staging):
    s = staging
    conf_file = s.tmp / "deploy" / "deploy.json"
    conf = json.loads(conf_file.read_text())
    # The check asks an address where no proxy answers: the switch cannot be confirmed within its 10 s.
    conf_file.write_text(json.dumps(dict(conf, proxyURL=f"http://127.0.0.1:{free_port()}")))
    try:
        rc, o = s.deploy("--release", str(s.tmp / "releases" / "1.1.0"))
    finally:
        conf_file.write_text(json.dumps(conf))
    assert rc == 1 and o["outcome"] == "failed", o
    names = [(c["name"], c["ok"]) for c in o["steps"]]
    assert ("switch to green", False) in names and names[-1][0] == "switch back to blue", names
    assert s.live() == ("blue", "1.0.0"), "nginx serves the live slot again"
    assert "127.0.0.1:" + str(conf["bluePort"]) in (s.tmp / "deploy" / "upstream.conf").read_text()


def test_the_operator_reads_the_history_and_the_medical_director_prints_the_plan(staging, artifacts):
    """As ops.chen, on the real clock, through the proxy: /ops shows what is live and every deploy, rollback and
    refusal with its trigger; /ops/rollback-plan carries this installation's criteria. At 360, 800 and 1280 px."""
    from selenium.webdriver.common.by import By
    from test_browser_signin import sign_in
    from test_real_clock_walks import browser_at, fits, shot

    s = staging
    plan = s.caresync("rollback", "--plan")
    assert plan.returncode == 0 and "within 10 s" in plan.stdout and "Decision tree:" in plan.stdout, plan.stdout
    for width in (360, 800, 1280):
        drv = browser_at(width)
        try:
            sign_in(drv, s.proxy, "/login", "ops.chen")
            drv.get(s.proxy + "/ops")
            alerts = drv.find_element(By.ID, "alerts-firing").text
            assert "No alert is firing" in alerts and "No alert has arrived yet" in alerts, alerts
            live = drv.find_element(By.ID, "live-release").text
            assert "Live: 1.0.0 (blue slot)" in live, live
            table = drv.find_element(By.ID, "deployments").text
            assert "rolled back by itself" in table and "Trigger: automatic: 5xx answers" in table, table
            assert "refused (nothing switched)" in table and "contract migration" in table, table
            assert "Latest rehearsal" in live, live
            fits(drv, width, "/ops")
            shot(drv, artifacts, f"ops-deployments-{s.backend}-{width}")
            drv.find_element(By.LINK_TEXT, "Rollback plan (trigger criteria, who decides, commands)").click()
            plan = drv.find_element(By.ID, "rollback-plan").text
            assert "from this installation's deploy configuration" in plan, plan
            assert "within 10 s" in plan and "caresync rollback" in plan and "Medical Director" in plan, plan
            fits(drv, width, "/ops/rollback-plan")
            shot(drv, artifacts, f"ops-rollback-plan-{s.backend}-{width}")
        finally:
            drv.quit()
