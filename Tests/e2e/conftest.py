"""Starts the real `caresync serve` binary for the end-to-end tests, on SQLite and (when E2E_PG_URL is set) on PostgreSQL."""
import base64, hashlib, hmac, os, shutil, socket, struct, subprocess, tempfile, time, uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("CARESYNC_BIN", ROOT / ".build" / "debug" / "caresync"))
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "test-artifacts"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def totp(secret_b32, at=None, step=30, digits=6):
    """RFC 6238 TOTP, as an authenticator app computes it."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((at or time.time()) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return str(code).zfill(digits)


class Server:
    def __init__(self, backend, database_url=None, extra_env=None):
        self.backend = backend
        self.data_dir = tempfile.mkdtemp(prefix=f"caresync-e2e-{backend}-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, LOG_LEVEL="warning")
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        env.update(extra_env or {})
        self.env = env
        self.log = open(Path(self.data_dir) / "server.log", "w")
        self._start()

    def _start(self):
        self.proc = subprocess.Popen([str(BINARY), "serve", "--data-dir", self.data_dir, "--port", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"caresync serve exited: {Path(self.data_dir, 'server.log').read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/health/ready", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("caresync serve did not become ready within 60 s")

    def restart(self, down_seconds=0):
        """Stops the process (as a deploy does: SIGTERM) and starts it again on the same port and data."""
        self.proc.terminate()
        self.proc.wait(timeout=15)
        time.sleep(down_seconds)
        self._start()

    def cli(self, *args):
        return subprocess.run([str(BINARY), *args, "--data-dir", self.data_dir], env=self.env, capture_output=True, text=True, timeout=120)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def backends():
    out = ["sqlite"]
    if os.environ.get("E2E_PG_ADMIN_URL"):
        out.append("postgres")
    return out


def fresh_postgres_database():
    """A new, empty database on the test cluster named by E2E_PG_ADMIN_URL (postgres://user@host:port/postgres)."""
    admin = os.environ["E2E_PG_ADMIN_URL"]
    name = "caresync_e2e_" + uuid.uuid4().hex[:10]
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    base = admin.rsplit("/", 1)[0]
    return f"{base}/{name}?sslmode=disable"


@pytest.fixture(scope="module", params=backends())
def server(request):
    srv = Server(request.param, fresh_postgres_database() if request.param == "postgres" else None)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def sqlite_server():
    srv = Server("sqlite")
    yield srv
    srv.stop()


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]:
        opts.add_argument(flag)
    # A small phone: headless windows cannot be narrower than 500 px, device emulation can.
    opts.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 360, "height": 780, "pixelRatio": 1}})
    drv = webdriver.Chrome(service=Service(executable_path=os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")), options=opts)
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
