"""The shipped nginx example (deploy/nginx/caresync.conf) in front of the real binary: `nginx -t` accepts it, TLS 1.2
and 1.3 only, plain http redirects to https, CareSync's headers come through, and the certificate's expiry is read
for /health/ready and the caresync_tls_certificate_expiry_seconds metric."""
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT, Server, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is installed by scripts/test.sh")
def test_the_nginx_example_terminates_tls_in_front_of_caresync():
    tmp = Path(tempfile.mkdtemp(prefix="caresync-nginx-"))
    cert, key = tmp / "fullchain.pem", tmp / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "60", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    https_port, http_port, check_port = free_port(), free_port(), free_port()
    srv = Server("sqlite", None, extra_env={"CARESYNC_PUBLIC_URL": f"https://127.0.0.1:{https_port}",
                                            "CARESYNC_TLS_CERT_FILE": str(cert)})
    conf = (ROOT / "deploy/nginx/caresync.conf").read_text()
    conf = (conf.replace("listen [::]:80;\n", "").replace("listen [::]:443 ssl http2;\n", "")
            .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
            .replace("/etc/letsencrypt/live/portal.example.org/fullchain.pem", str(cert))
            .replace("/etc/letsencrypt/live/portal.example.org/privkey.pem", str(key))
            .replace("/var/www/letsencrypt", str(tmp / "acme"))
            .replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{check_port};")
            .replace("/etc/nginx/caresync-proxy.conf", str(ROOT / "deploy/nginx/caresync-proxy.conf"))
            .replace("/var/lib/caresync-deploy/upstream.conf", str(tmp / "upstream.conf")))
    (tmp / "caresync.conf").write_text(conf)
    # What `caresync deploy` writes: the live slot.
    (tmp / "upstream.conf").write_text(f"server 127.0.0.1:{srv.port} max_fails=0;\n")
    for d in ("acme", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / d).mkdir()
        os.chmod(tmp / d, 0o777)
    (tmp / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/caresync.conf;
}}
""")
    check = subprocess.run([NGINX, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        base = f"https://127.0.0.1:{https_port}"
        ready = requests.get(base + "/health/ready", verify=str(cert), timeout=10)
        assert ready.status_code == 200, ready.text
        tls_check = ready.json()["checks"]["tlsCertificate"]
        assert tls_check["status"] == "ok", tls_check
        assert ready.headers["Strict-Transport-Security"].startswith("max-age="), "HSTS over TLS"
        assert "base-uri 'none'" in ready.headers["Content-Security-Policy"]
        metrics = requests.get(base + "/metrics", verify=str(cert), timeout=10).text
        seconds = float(re.search(r"^caresync_tls_certificate_expiry_seconds (\S+)$", metrics, re.M).group(1))
        assert 59 * 86400 < seconds <= 60 * 86400, seconds
        plain = requests.get(f"http://127.0.0.1:{http_port}/login", allow_redirects=False, timeout=10)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://"), plain.headers
        # The deploy's control routes do not exist through the proxy; nginx does not name its version.
        control = requests.post(base + "/_slot/drain", json={"stopAfterSeconds": 0}, verify=str(cert), timeout=10)
        assert control.status_code == 404 and control.headers["Server"] == "nginx", control.headers
        assert requests.get(base + "/health/ready", verify=str(cert), timeout=10).status_code == 200

        # Only TLS 1.2 and 1.3.
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
        with socket.create_connection(("127.0.0.1", https_port)) as s, ctx.wrap_socket(s, server_hostname="localhost"):
            pass
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
        old.set_ciphers("DEFAULT@SECLEVEL=0")
        old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_1
        with pytest.raises((ssl.SSLError, OSError)):
            with socket.create_connection(("127.0.0.1", https_port)) as s, old.wrap_socket(s):
                pass
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        srv.stop()
