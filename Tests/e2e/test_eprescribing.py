"""e-Prescribing end to end against `caresync pharmacy-sim` run as its own process on loopback, with the real server
(SQLite and PostgreSQL) and Chromium on a 360-px screen: a provider prescribes and signs on the page; the NewRx goes
through the job queue to the simulator and comes back as Status; the simulator sends an RxRenewalRequest, which lands in
the provider's refill queue and is approved (RxRenewalResponse); CancelRx is answered by a CancelRxResponse; a pharmacy
the network does not know gets Error 900; a malformed inbound message gets an Error and creates nothing."""
import os
import re
import subprocess
import time

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import BINARY, Server, backends, free_port, fresh_postgres_database
from test_browser_signin import no_horizontal_scroll, sign_in_enrolling_mfa, submit

TOKEN = "e2e-clearinghouse-token"


@pytest.fixture(params=backends())
def rx_world(request):
    sim_port = free_port()
    srv = Server(request.param, fresh_postgres_database() if request.param == "postgres" else None,
                 extra_env={"CARESYNC_CLEARINGHOUSE_URL": f"http://127.0.0.1:{sim_port}/script", "CARESYNC_CLEARINGHOUSE_TOKEN": TOKEN,
                            "CARESYNC_JOBS_INTERVAL": "1"})
    sim_log = open(os.path.join(srv.data_dir, "sim.log"), "w")
    sim = subprocess.Popen([str(BINARY), "pharmacy-sim", "--port", str(sim_port), "--clinic-url", srv.url, "--token", TOKEN],
                           stdout=sim_log, stderr=subprocess.STDOUT)
    sim_url = f"http://127.0.0.1:{sim_port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if requests.get(sim_url + "/sim/messages", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        raise RuntimeError("pharmacy-sim did not start")
    yield srv, sim_url
    sim.terminate()
    sim.wait(timeout=10)
    sim_log.close()
    srv.stop()


def until(check, timeout=30, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_prescribe_sign_status_renewal_cancel_against_the_pharmacy_simulator(rx_world, browser, artifacts):
    srv, sim_url = rx_world
    drv, base = browser, srv.url

    # Dr. Patel: two-step sign-in first (required for providers).
    sign_in_enrolling_mfa(drv, base, "drpatel")

    # Prescribe for the demo patient and sign.
    drv.get(base + "/patients?q=garcia")
    submit(drv, drv.find_element(By.PARTIAL_LINK_TEXT, "Garcia"))
    chart = drv.current_url
    submit(drv, drv.find_element(By.ID, "prescribe"))
    Select(drv.find_element(By.NAME, "drugId")).select_by_value("cephalexin-500")
    drv.find_element(By.NAME, "sig").send_keys("Take 1 capsule by mouth four times a day for 7 days")
    drv.find_element(By.NAME, "quantity").send_keys("28")
    drv.find_element(By.NAME, "daysSupply").send_keys("7")
    Select(drv.find_element(By.NAME, "pharmacyNcpdpid")).select_by_value("1234567")
    Select(drv.find_element(By.NAME, "locationId")).select_by_visible_text("Main Street Clinic")
    no_horizontal_scroll(drv)
    submit(drv, drv.find_element(By.ID, "save-draft"))
    rx_url = drv.current_url.split("?")[0]
    rx_id = rx_url.rsplit("/", 1)[1]
    submit(drv, drv.find_element(By.ID, "sign"))
    assert "Signed and sent" in drv.find_element(By.ID, "signed-notice").text

    def status():
        drv.get(rx_url)
        return drv.find_element(By.ID, "rx-status").text
    until(lambda: status() == "accepted", what="the pharmacy's Status")
    drv.save_screenshot(str(artifacts / f"rx-accepted-{srv.backend}.png"))
    received = requests.get(sim_url + "/sim/messages", timeout=5).json()
    assert [m["type"] for m in received] == ["NewRx"] and received[0]["answer"] == "Status"

    # The pharmacy asks for a renewal; it reaches Dr. Patel's queue (prescriber of record) and is approved.
    renewal = requests.post(sim_url + "/sim/renewal-requests", json={"prescriberOrderNumber": rx_id}, timeout=20)
    assert renewal.status_code == 200 and "<Code>000</Code>" in renewal.text, renewal.text
    request_id = renewal.headers["X-Message-ID"]
    drv.get(base + "/refills")
    card = drv.find_element(By.CSS_SELECTOR, ".card.refill")
    assert "prescriber of record" in card.text and "From the pharmacy" in card.text
    no_horizontal_scroll(drv)
    drv.save_screenshot(str(artifacts / f"rx-refill-queue-{srv.backend}.png"))
    submit(drv, card.find_element(By.CSS_SELECTOR, "button.decide"))
    assert "approved" in drv.find_element(By.ID, "refill-done").text
    responses = until(lambda: [m for m in requests.get(sim_url + "/sim/messages", timeout=5).json() if m["type"] == "RxRenewalResponse"],
                      what="the RxRenewalResponse at the pharmacy")
    assert responses[0]["relatesTo"] == request_id

    # Cancel: CancelRx → Status; the simulator's CancelRxResponse comes back to the inbound endpoint.
    drv.get(rx_url)
    submit(drv, drv.find_element(By.ID, "cancel-rx"))
    until(lambda: status() == "cancelled", what="the CancelRxResponse")
    assert "CancelRxResponse" in drv.page_source

    # A pharmacy the network does not know: Error 900, shown on the prescription.
    drv.get(chart.split("?")[0] + "/prescribe")
    Select(drv.find_element(By.NAME, "drugId")).select_by_value("ibuprofen-800")
    drv.find_element(By.NAME, "sig").send_keys("Take 1 tablet every 8 hours with food")
    drv.find_element(By.NAME, "quantity").send_keys("21")
    drv.find_element(By.NAME, "daysSupply").send_keys("7")
    Select(drv.find_element(By.NAME, "pharmacyNcpdpid")).select_by_value("3456789")
    Select(drv.find_element(By.NAME, "locationId")).select_by_visible_text("Main Street Clinic")
    submit(drv, drv.find_element(By.ID, "save-draft"))
    bad_url = drv.current_url.split("?")[0]
    submit(drv, drv.find_element(By.ID, "sign"))
    def bad_status():
        drv.get(bad_url)
        return drv.find_element(By.ID, "rx-status").text
    until(lambda: bad_status() == "error", what="Error 900")
    assert "Error 900/1000" in drv.page_source

    # The inbound endpoint: token required; malformed XML gets an Error and creates nothing.
    assert requests.post(base + "/script/inbound", data="<Message/>", timeout=5).status_code == 401
    broken = requests.post(base + "/script/inbound", data="<Message><Header>", headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/xml"}, timeout=5)
    assert broken.status_code == 200 and re.search(r"<Code>900</Code>", broken.text) and "<DescriptionCode>500</DescriptionCode>" in broken.text
