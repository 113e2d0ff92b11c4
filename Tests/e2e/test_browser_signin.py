"""A provider signs in with MFA enrolment in real Chromium on a 360-px-wide screen and opens a chart;
the patient then sees that access in the portal. Runs against the real server on SQLite and PostgreSQL."""
import subprocess
import time

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import totp

PASSWORD = "caresync-demo"


def wait(drv, cond, timeout=15):
    return WebDriverWait(drv, timeout).until(cond)


def no_horizontal_scroll(drv, at_most=360):
    """The page fits its viewport, which is no wider than `at_most` (the phone unless a test says otherwise)."""
    width = drv.execute_script("return document.documentElement.clientWidth")
    assert width <= at_most, f"viewport is {width} px wide, not {at_most} or less"
    scroll = drv.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"page scrolls sideways at {width} px: {scroll} > {width}"


def replaced(element):
    """True once the element's page is gone. Chromedriver reports that either as a stale element or,
    mid-navigation, as 'Node ... does not belong to the document'."""
    def check(_):
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True
    return check


def submit(drv, element):
    """Clicks a submit button or link and waits until the page it was on has been replaced."""
    element.click()
    wait(drv, replaced(element))


def sign_in(drv, base, path, username, password=PASSWORD):
    drv.get(base + path)
    drv.find_element(By.NAME, "username").send_keys(username)
    drv.find_element(By.NAME, "password").send_keys(password)
    submit(drv, drv.find_element(By.ID, "signin"))


def sign_in_enrolling_mfa(drv, base, username):
    """A clinician's first sign-in: password, then the required second factor set up with a code from its secret."""
    sign_in(drv, base, "/login", username)
    wait(drv, EC.url_contains("/mfa/enroll"))
    secret = drv.find_element(By.ID, "totp-secret").text
    drv.find_element(By.NAME, "code").send_keys(totp(secret))
    submit(drv, drv.find_element(By.ID, "confirm-mfa"))
    submit(drv, wait(drv, EC.presence_of_element_located((By.ID, "continue"))))
    return secret


def test_provider_enrols_mfa_opens_chart_and_patient_sees_the_access(server, browser, artifacts):
    drv, base = browser, server.url

    # Password alone does not reach the chart: the provider is sent to set up a second factor.
    sign_in(drv, base, "/login", "drpatel")
    wait(drv, EC.url_contains("/mfa/enroll"))
    drv.get(base + "/patients")
    assert "/mfa/enroll" in drv.current_url, "a half-signed-in provider must not reach patient pages"

    secret = drv.find_element(By.ID, "totp-secret").text
    link = drv.find_element(By.ID, "otpauth-uri").get_attribute("href")
    assert link.startswith("otpauth://totp/")
    # The QR code the server drew, as the phone's camera sees it on the screen, decodes to the same link.
    qr = artifacts / "mfa-enrol-qr.png"
    qr.write_bytes(drv.find_element(By.ID, "enrol-qr").screenshot_as_png)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(qr)], capture_output=True, text=True, timeout=30)
    assert decoded.stdout.strip() == link, (decoded.stdout, decoded.stderr)
    drv.find_element(By.NAME, "code").send_keys(totp(secret))
    submit(drv, drv.find_element(By.ID, "confirm-mfa"))
    codes = wait(drv, EC.presence_of_element_located((By.ID, "recovery-codes"))).find_elements(By.TAG_NAME, "li")
    assert len(codes) == 10
    submit(drv, drv.find_element(By.ID, "continue"))
    wait(drv, EC.presence_of_element_located((By.ID, "welcome")))

    # Sign out, then in again: this time the code is asked for (the next time step, since each code works once).
    submit(drv, drv.find_element(By.XPATH, "//button[text()='Sign out']"))
    wait(drv, EC.url_contains("/login"))
    sign_in(drv, base, "/login", "drpatel")
    wait(drv, EC.url_contains("/login/mfa"))
    drv.find_element(By.NAME, "code").send_keys(totp(secret, at=time.time() + 30))
    submit(drv, drv.find_element(By.ID, "verify"))
    wait(drv, EC.presence_of_element_located((By.ID, "welcome")))

    # Search and open a chart.
    drv.get(base + "/patients")
    drv.find_element(By.NAME, "q").send_keys("garcia")
    submit(drv, drv.find_element(By.ID, "search"))
    submit(drv, wait(drv, EC.presence_of_element_located((By.LINK_TEXT, "Garcia, Maria"))))
    name = wait(drv, EC.presence_of_element_located((By.ID, "patient-name")))
    assert "Garcia, Maria" in name.text
    assert "synthetic" in name.text
    no_horizontal_scroll(drv)
    drv.save_screenshot(str(artifacts / f"chart-{server.backend}.png"))

    cookie = drv.get_cookie("cs_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"

    submit(drv, drv.find_element(By.XPATH, "//button[text()='Sign out']"))
    wait(drv, EC.url_contains("/login"))

    # The patient signs in to the portal and sees who opened the record.
    sign_in(drv, base, "/portal/login", "patient.garcia")
    wait(drv, EC.presence_of_element_located((By.ID, "portal-welcome")))
    log = drv.find_element(By.ID, "access-history").text
    assert "Dr. Priya Patel, provider, viewed your details" in log, log
    no_horizontal_scroll(drv)
    drv.save_screenshot(str(artifacts / f"portal-{server.backend}.png"))

    # The portal account cannot open the staff chart pages.
    drv.get(base + "/patients")
    assert drv.current_url.endswith("/portal")


def test_lockout_shows_a_clear_message(server, browser):
    drv, base = browser, server.url
    for i in range(5):
        sign_in(drv, base, "/login", "desk.jones", password="not the password")
        if i < 4:
            assert "wrong" in drv.find_element(By.ID, "signin-error").text
    assert "locked" in drv.find_element(By.ID, "signin-error").text
    sign_in(drv, base, "/login", "desk.jones")
    assert "locked" in drv.find_element(By.ID, "signin-error").text
