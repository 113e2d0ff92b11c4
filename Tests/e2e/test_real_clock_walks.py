"""People's days walked in real Chromium on the real clock, against the real binary, at a phone (360 px), the front
office's tablet (800 px) and a desktop (1366 px). The Swift suite freezes its clock, which once hid a portal page that
failed for every patient: these tests read the time the way the server does in production.

Each page walked must fit its screen (no sideways scrolling), keep every control at least 44 × 44 px and have no
critical or serious axe-core finding."""
import datetime
import importlib.resources
import os
import re

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from test_browser_signin import sign_in, submit, wait

SIZES = {"phone": 360, "tablet": 800, "desktop": 1366}

# Controls a finger must hit: buttons, button-like links, the header's links, form fields, checkboxes and radios (by
# their label). Links inside running text are exempt (WCAG 2.5.8, inline).
TAP_TARGETS = """
const out = [];
const els = document.querySelectorAll('button, a.button, header a, header .menu-button, input:not([type=hidden]), select, textarea, label.check');
for (const el of els) {
  const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  if (s.visibility === 'hidden' || s.display === 'none' || r.width === 0 || r.height === 0) continue;
  if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label.check')) continue;
  if (el.classList.contains('nav-toggle')) continue;
  if (r.width < 44 || r.height < 44) out.push(`${el.tagName.toLowerCase()}#${el.id || ''}.${el.className} "${(el.innerText || el.value || el.name || '').trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
}
return out;
"""


def browser_at(width, language=None):
    opts = webdriver.ChromeOptions()
    if language:  # the browser's own language, as a Spanish-speaking patient's phone sends it
        opts.add_argument(f"--lang={language}")
        opts.add_experimental_option("prefs", {"intl.accept_languages": language})
    opts.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]:
        opts.add_argument(flag)
    opts.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": 900, "pixelRatio": 1}})
    drv = webdriver.Chrome(service=Service(executable_path=os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")),
                           options=opts)
    drv.set_page_load_timeout(30)
    return drv


def axe_violations(drv):
    """axe-core's critical and serious findings on the page as it is now (axe-core 4.12.1, the newest on PyPI, from
    the axe-playwright-python package: its script is injected through Selenium)."""
    global AXE
    if AXE is None:
        AXE = importlib.resources.files("axe_playwright_python").joinpath("axe.min.js").read_text()
    drv.set_script_timeout(60)
    drv.execute_script(AXE)
    return drv.execute_async_script("""
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations
  .filter(v => v.impact === 'critical' || v.impact === 'serious')
  .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(', ')}`)),
  e => done(['axe did not run: ' + e]));
""")


AXE = None


def fits(drv, width, what):
    """No sideways scrolling, no control smaller than a fingertip and no critical or serious axe-core finding."""
    client = drv.execute_script("return document.documentElement.clientWidth")
    assert client == width, f"{what}: the viewport is {client} px, not {width}"
    scroll = drv.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= client + 1, f"{what}: the page scrolls sideways at {width} px ({scroll} > {client})"
    small = drv.execute_script(TAP_TARGETS)
    assert not small, f"{what}: controls under 44 × 44 px at {width} px: {small}"
    found = axe_violations(drv)
    assert not found, f"{what} at {width} px: axe-core found {found}"


def shot(drv, artifacts, name):
    """A full-page screenshot: the window is stretched to the page's height first."""
    height = drv.execute_script("return Math.max(document.documentElement.scrollHeight, 900)")
    width = drv.execute_script("return document.documentElement.clientWidth")
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": min(height, 4000), "deviceScaleFactor": 1, "mobile": width < 800})
    drv.save_screenshot(str(artifacts / f"{name}.png"))
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 800})


def next_weekday(offset):
    d = datetime.date.today() + datetime.timedelta(days=offset)
    while d.weekday() >= 5:  # the demo providers work Monday to Friday
        d += datetime.timedelta(days=1)
    return d.isoformat()


@pytest.mark.parametrize("size", list(SIZES))
def test_patient_books_in_the_portal_and_sees_the_confirmation(sqlite_server, artifacts, size):
    """The patient's own day: sign in, book a follow-up, land on My appointments with the confirmation (this page
    failed for every patient while the suite was green), see the visit on the home page with an add-to-calendar
    file, and read who looked at the record in words."""
    width, base = SIZES[size], sqlite_server.url
    drv = browser_at(width)
    try:
        sign_in(drv, base, "/portal/login", "patient.garcia")
        wait(drv, EC.presence_of_element_located((By.ID, "portal-welcome")))
        fits(drv, width, "portal home")

        drv.get(base + "/portal/appointments")
        assert drv.find_element(By.TAG_NAME, "h1").text == "My appointments", drv.page_source[:500]
        submit(drv, drv.find_element(By.ID, "self-book"))
        Select(drv.find_element(By.NAME, "type")).select_by_index(1)
        date = drv.find_element(By.NAME, "date")
        # Each size books on its own day, so the three runs do not take each other's times.
        drv.execute_script("arguments[0].value = arguments[1]", date, next_weekday(2 + 7 * list(SIZES).index(size)))
        submit(drv, drv.find_element(By.ID, "find-slots"))
        slots = wait(drv, EC.presence_of_element_located((By.ID, "slots"))).find_elements(By.TAG_NAME, "button")
        assert slots, "free times on a weekday"
        label = slots[0].get_attribute("aria-label")
        assert " AM " in label or " PM " in label, f"times read as people read them: {label}"
        assert "UTC" not in label and not re.search(r"\d{4}-\d\d-\d\dT", label), label
        fits(drv, width, "portal booking")
        shot(drv, artifacts, f"walk-portal-book-{size}")
        submit(drv, slots[0])

        assert "/portal/appointments" in drv.current_url and "done=booked" in drv.current_url
        notice = drv.find_element(By.CLASS_NAME, "notice").text
        assert "booked" in notice, notice
        cards = drv.find_element(By.ID, "upcoming").text
        assert label.split(" · ")[0] in cards, (label, cards)
        fits(drv, width, "my appointments")
        shot(drv, artifacts, f"walk-portal-appointments-{size}")

        drv.get(base + "/portal")
        card = wait(drv, EC.presence_of_element_located((By.ID, "upcoming-visit")))
        assert "Upcoming visit" in card.text and "with" in card.text, card.text
        ics_href = card.find_element(By.PARTIAL_LINK_TEXT, "Add to my calendar").get_attribute("href")
        cookies = {c["name"]: c["value"] for c in drv.get_cookies()}
        ics = requests.get(ics_href, cookies=cookies, timeout=10)
        assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar"), ics.text[:200]
        assert "BEGIN:VEVENT" in ics.text and "Garcia" not in ics.text, "the calendar file carries no name"
        history = drv.find_element(By.ID, "access-history").text
        assert "The practice's system created your record" in history, history
        fits(drv, width, "portal home with a visit")
        shot(drv, artifacts, f"walk-portal-home-{size}")
    finally:
        drv.quit()


@pytest.mark.parametrize("size", list(SIZES))
def test_front_desk_books_by_patient_name_and_the_calendar_shows_it(sqlite_server, artifacts, size):
    """The front desk books from the calendar's booking form by typing the patient's name (never a record id)."""
    width, base = SIZES[size], sqlite_server.url
    drv = browser_at(width)
    try:
        sign_in(drv, base, "/login", "desk.jones")
        wait(drv, EC.presence_of_element_located((By.ID, "welcome")))
        fits(drv, width, "front desk home")
        drv.get(base + "/schedule/book")
        assert "record id" not in drv.page_source
        find = drv.find_element(By.ID, "find")
        find.send_keys("okafor")
        # Search as you type: the match appears without submitting.
        radio = wait(drv, EC.presence_of_element_located((By.CSS_SELECTOR, "#patient-results input[type=radio]")))
        assert "Okafor, James" in drv.find_element(By.ID, "patient-results").text
        assert radio.is_selected(), "a single match is chosen"
        Select(drv.find_element(By.NAME, "type")).select_by_visible_text("Follow-up visit (20 min)")
        day = next_weekday(3 + 7 * list(SIZES).index(size))
        drv.execute_script("arguments[0].value = arguments[1]", drv.find_element(By.NAME, "date"), day)
        fits(drv, width, "booking form")
        submit(drv, drv.find_element(By.ID, "find-slots"))
        assert "Patient: Okafor, James" in drv.page_source
        slots = wait(drv, EC.presence_of_element_located((By.ID, "slots"))).find_elements(By.TAG_NAME, "button")
        assert slots
        label = slots[0].get_attribute("aria-label")
        shot(drv, artifacts, f"walk-desk-book-{size}")
        submit(drv, slots[0])
        assert "booked=1" in drv.current_url
        assert "Okafor, James" in drv.page_source and label.split(" · ")[0] in drv.page_source
        fits(drv, width, "calendar")
        shot(drv, artifacts, f"walk-desk-calendar-{size}")

        # The day as a time grid (a phone gets the list): the visit is a block, open time is one tap from booking.
        grid = drv.find_element(By.CSS_SELECTOR, ".day-grid")
        if width >= 600:
            assert grid.is_displayed(), "the day as a time grid"
            assert "Okafor, James" in grid.text
            open_cell = grid.find_element(By.CSS_SELECTOR, "a.tg-open")
            picked = open_cell.get_attribute("aria-label")
            submit(drv, open_cell)
            chosen = drv.find_element(By.ID, "chosen-time").text
            assert "Open time picked" in chosen and picked.split(" at ")[-1] in chosen, (picked, chosen)
            fits(drv, width, "booking form from the grid")
            drv.back()
        else:
            assert not grid.is_displayed(), "a phone gets the day as a list"
        # The day sheet for the clipboard.
        submit(drv, drv.find_element(By.ID, "day-sheet"))
        assert "Okafor, James" in drv.find_element(By.CSS_SELECTOR, ".day-sheet table").text
        fits(drv, width, "day sheet")
        shot(drv, artifacts, f"walk-desk-day-sheet-{size}")

        # The week as a time grid: each day above its providers, the visit under its own day.
        drv.get(base + f"/schedule?date={day}&view=week")
        week = drv.find_element(By.CSS_SELECTOR, ".day-grid")
        if width >= 600:
            assert week.is_displayed(), "the week as a time grid"
            heads = [h.text for h in week.find_elements(By.CSS_SELECTOR, ".tg-day")]
            assert len(heads) >= 5, heads
            assert "Okafor, James" in week.text
        else:
            assert not week.is_displayed(), "a phone gets the week as a list"
        fits(drv, width, "week grid")
        shot(drv, artifacts, f"walk-desk-week-{size}")
    finally:
        drv.quit()


@pytest.mark.parametrize("size", list(SIZES))
def test_front_desk_meets_a_conflict_takes_an_alternative_moves_and_checks_in(sqlite_server, artifacts, size):
    """Another desk takes the time while this one is choosing: the form comes back with what collided and the nearest
    free times; one tap books an alternative; then the visit is moved (the form names the patient) and checked in."""
    width, base = SIZES[size], sqlite_server.url
    day = next_weekday(4 + 7 * list(SIZES).index(size))
    desk_api = {"Authorization": "Bearer " + requests.post(base + "/api/v1/auth/token", timeout=10, json={
        "username": "desk.jones", "password": "caresync-demo"}).json()["access_token"]}
    other = requests.get(base + "/api/v1/patients?q=nguyen", headers=desk_api, timeout=10).json()["items"][0]
    drv = browser_at(width)
    try:
        sign_in(drv, base, "/login", "desk.jones")
        drv.get(base + "/schedule/book?find=okafor")
        Select(drv.find_element(By.NAME, "type")).select_by_visible_text("Follow-up visit (20 min)")
        drv.execute_script("arguments[0].value = arguments[1]", drv.find_element(By.NAME, "date"), day)
        submit(drv, drv.find_element(By.ID, "find-slots"))
        slot = wait(drv, EC.presence_of_element_located((By.CSS_SELECTOR, "#slots form.slot")))
        wanted = {f: slot.find_element(By.NAME, f).get_attribute("value") for f in ("providerId", "locationId", "typeId", "start")}
        taken = requests.post(base + "/api/v1/appointments", headers=desk_api, timeout=10, json={"patientId": other["id"], **wanted})
        assert taken.status_code == 201, taken.text
        submit(drv, slot.find_element(By.TAG_NAME, "button"))

        assert drv.find_element(By.TAG_NAME, "h1").text == "Pick another time"
        assert "Okafor, James" in drv.find_element(By.ID, "booking-patient").text
        assert "The nearest free times" in drv.page_source
        fits(drv, width, "conflict with alternatives")
        shot(drv, artifacts, f"walk-desk-conflict-{size}")
        alternative = drv.find_element(By.CSS_SELECTOR, "#slots button")
        label = alternative.get_attribute("aria-label")
        submit(drv, alternative)
        assert "booked=1" in drv.current_url and "Appointment booked." in drv.page_source

        # Move it: the form names the patient; then check in from the calendar.
        card = next(c for c in drv.find_elements(By.CSS_SELECTOR, ".appt") if "Okafor, James" in c.text and label.split(" · ")[0] in c.text)
        submit(drv, card.find_element(By.LINK_TEXT, "Move"))
        assert "Okafor, James" in drv.find_element(By.ID, "booking-patient").text
        fits(drv, width, "move form")
        buttons = wait(drv, EC.presence_of_element_located((By.ID, "slots"))).find_elements(By.TAG_NAME, "button")
        target = buttons[-1]
        new_time = target.get_attribute("aria-label").split(" · ")[0]
        submit(drv, target)
        assert "moved=1" in drv.current_url and "Appointment moved." in drv.page_source
        card = next(c for c in drv.find_elements(By.CSS_SELECTOR, ".appt") if "Okafor, James" in c.text and new_time in c.text)
        submit(drv, card.find_element(By.XPATH, ".//button[text()='Check in']"))
        card = next(c for c in drv.find_elements(By.CSS_SELECTOR, ".appt") if "Okafor, James" in c.text and new_time in c.text)
        assert "checked-in" in card.text, card.text
        fits(drv, width, "calendar after check-in")
        shot(drv, artifacts, f"walk-desk-moved-checked-in-{size}")
    finally:
        drv.quit()


def test_admin_user_actions_sit_in_a_menu(sqlite_server, artifacts):
    """The admin's user list: one "Actions…" menu a row instead of four stacked buttons; deactivating takes the menu
    and then the button. The admin enrols two-step sign-in once; its session then walks all three sizes."""
    from test_browser_signin import sign_in_enrolling_mfa
    base = sqlite_server.url
    drv = browser_at(SIZES["phone"])
    try:
        sign_in_enrolling_mfa(drv, base, "admin")
        for size, width, sized in at_each_size(drv, base):
            sized.get(base + "/admin/users")
            row = next(r for r in sized.find_elements(By.CSS_SELECTOR, "#users tbody tr") if "desk.jones" in r.text)
            deactivate = row.find_element(By.XPATH, ".//button[text()='Deactivate']")
            assert not deactivate.is_displayed(), "hidden until the menu is opened"
            row.find_element(By.TAG_NAME, "summary").click()
            assert deactivate.is_displayed()
            fits(sized, width, f"users with a menu open ({size})")
            shot(sized, artifacts, f"walk-admin-users-{size}")
    finally:
        drv.quit()


def at_each_size(drv, base):
    """The signed-in session of `drv` in a browser of each size in turn (a viewport override does not survive
    chromedriver's mobile emulation on the next page load, so each size gets its own browser with the cookies)."""
    for size, width in SIZES.items():
        other = browser_at(width)
        try:
            other.get(base + "/login")
            for c in drv.get_cookies():
                other.add_cookie({k: v for k, v in c.items() if k in ("name", "value", "path", "secure", "httpOnly")})
            yield size, width, other
        finally:
            other.quit()


def test_patient_sends_intake_photo_and_message_and_the_medical_assistant_works_them(sqlite_server, artifacts,
                                                                                     tmp_path):
    """The patient's day on a phone: the diabetic foot intake, a wound photo and a message, each page fitting the
    screen. Then the medical assistant's, at each size: the header says what waits, the intake review reads as pairs
    on a phone, the answer is accepted, the message answered."""
    from test_portal_flow import jpeg_with_gps
    base = sqlite_server.url
    drv = browser_at(SIZES["phone"])
    try:
        sign_in(drv, base, "/portal/login", "patient.garcia")
        drv.get(base + "/portal/forms/diabetic-foot")
        Select(drv.find_element(By.NAME, "diabetesType")).select_by_visible_text("Type 2")
        drv.find_element(By.NAME, "lastA1c").send_keys("7.1")
        Select(drv.find_element(By.NAME, "priorUlcer")).select_by_value("no")
        Select(drv.find_element(By.NAME, "amputation")).select_by_value("no")
        Select(drv.find_element(By.NAME, "footwear")).select_by_visible_text("Athletic shoes")
        fits(drv, SIZES["phone"], "intake form")
        submit(drv, drv.find_element(By.ID, "submit-form"))
        assert "was sent to the practice" in drv.find_element(By.ID, "form-submitted").text

        drv.get(base + "/portal/photos")
        drv.find_element(By.ID, "site-9").click()  # Heel (underneath), on the foot diagram
        Select(drv.find_element(By.NAME, "side")).select_by_value("right")
        submit(drv, drv.find_element(By.ID, "add-wound"))
        photo = tmp_path / "heel.jpg"
        jpeg_with_gps(photo)
        upload = drv.find_element(By.CSS_SELECTOR, "form.tus-upload")
        upload.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(photo))
        upload.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(drv, EC.presence_of_element_located((By.ID, "upload-done")), timeout=30)
        fits(drv, SIZES["phone"], "photos after an upload")
        shot(drv, artifacts, "walk-portal-photos-phone")

        drv.get(base + "/portal/messages")
        drv.find_element(By.NAME, "subject").send_keys("Heel photo sent")
        drv.find_element(By.NAME, "body").send_keys("I sent a photo of my heel <b>today</b>.")
        submit(drv, drv.find_element(By.ID, "send-message"))
        assert "I sent a photo of my heel <b>today</b>." in drv.find_element(By.ID, "messages").text, "text, not HTML"
        fits(drv, SIZES["phone"], "messages")
        shot(drv, artifacts, "walk-portal-messages-phone")
    finally:
        drv.quit()

    drv = browser_at(SIZES["phone"])
    try:
        sign_in(drv, base, "/login", "ma.rivera")
        for size, width, sized in at_each_size(drv, base):
            sized.get(base + "/intake")
            intake_link = sized.find_element(By.CSS_SELECTOR, "header a[href='/intake']")
            assert intake_link.find_elements(By.CLASS_NAME, "count"), "the header says an intake waits"
            fits(sized, width, f"intake queue ({size})")
            submit(sized, sized.find_element(By.PARTIAL_LINK_TEXT, "Garcia"))
            assert "Type 2" in sized.page_source
            fits(sized, width, f"intake review ({size})")
            shot(sized, artifacts, f"walk-ma-intake-review-{size}")
        drv.get(base + "/intake")
        submit(drv, drv.find_element(By.PARTIAL_LINK_TEXT, "Garcia"))
        submit(drv, drv.find_element(By.ID, "accept-intake"))
        assert "accepted" in drv.find_element(By.ID, "review-done").text

        for size, width, sized in at_each_size(drv, base):
            sized.get(base + "/inbox")
            fits(sized, width, f"inbox ({size})")
            submit(sized, sized.find_element(By.LINK_TEXT, "Heel photo sent"))
            assert "I sent a photo of my heel <b>today</b>." in sized.find_element(By.TAG_NAME, "main").text
            fits(sized, width, f"message thread ({size})")
            shot(sized, artifacts, f"walk-ma-thread-{size}")
        drv.get(base + "/inbox")
        submit(drv, drv.find_element(By.LINK_TEXT, "Heel photo sent"))
        drv.find_element(By.NAME, "body").send_keys("Thank you, Dr. Patel will look at it today.")
        submit(drv, drv.find_element(By.ID, "send-reply"))
        assert "Dr. Patel will look at it today" in drv.page_source
    finally:
        drv.quit()


def test_provider_works_the_day_and_the_medical_director_sees_what_waits(sqlite_server, artifacts):
    """The provider (two-step sign-in set up once) at each size: the home page's own day and counts, My day, a chart;
    the Medical Director's home shows the approvals waiting and the pathway list."""
    from test_browser_signin import sign_in_enrolling_mfa
    base = sqlite_server.url
    drv = browser_at(SIZES["phone"])
    try:
        sign_in_enrolling_mfa(drv, base, "drpatel")
        for size, width, sized in at_each_size(drv, base):
            sized.get(base + "/")
            assert sized.find_elements(By.ID, "my-day-today"), "the provider's own day on the home page"
            fits(sized, width, f"provider home ({size})")
            shot(sized, artifacts, f"walk-provider-home-{size}")
            sized.get(base + "/schedule/my-day")
            fits(sized, width, f"my day ({size})")
            sized.get(base + "/patients?q=garcia")
            submit(sized, sized.find_element(By.PARTIAL_LINK_TEXT, "Garcia"))
            # The clinical summary first: a problem added on the phone is there at every size.
            if size == "phone":
                sized.find_element(By.CSS_SELECTOR, "#add-problem summary").click()
                form = sized.find_element(By.CSS_SELECTOR, "#add-problem form")
                form.find_element(By.NAME, "display").send_keys("Hallux valgus, right foot")
                form.find_element(By.NAME, "code").send_keys("m20.11")
                submit(sized, form.find_element(By.ID, "add-problem-submit"))
            clinical = sized.find_element(By.ID, "clinical")
            assert "M20.11 Hallux valgus, right foot" in clinical.text, clinical.text
            fits(sized, width, f"chart ({size})")
            shot(sized, artifacts, f"walk-provider-chart-{size}")
    finally:
        drv.quit()
    drv = browser_at(SIZES["phone"])
    try:
        sign_in_enrolling_mfa(drv, base, "drhughes")
        for size, width, sized in at_each_size(drv, base):
            sized.get(base + "/")
            fits(sized, width, f"medical director home ({size})")
            sized.get(base + "/pathways")
            fits(sized, width, f"pathways ({size})")
            shot(sized, artifacts, f"walk-director-pathways-{size}")
    finally:
        drv.quit()


SPANISH_PAGES = [
    ("/portal/appointments", "Mis citas"),
    ("/portal/forms", "Mis formularios"),
    ("/portal/forms/new-patient", "Registro de paciente nuevo"),
    ("/portal/check-ins", "Sus controles"),
    ("/portal/messages", "Mensajes"),
    ("/portal/photos", "Mis fotos de heridas"),
    ("/portal/refills", "Mis medicamentos"),
]


@pytest.mark.parametrize("size", list(SIZES))
def test_a_spanish_speaking_patient_reads_the_portal_in_spanish(artifacts, size):
    """A patient whose phone is set to Spanish: the sign-in page is in Spanish before anyone knows who she is; once
    signed in every portal page (menu, booking, forms, check-ins, messages, photos, refills) is in Spanish with dates
    in Spanish; the switch turns the portal to English and back, and her choice is kept on her record (the notices
    follow it). Her own server, so the shared patient's language is left alone."""
    from conftest import Server
    width = SIZES[size]
    server = Server("sqlite")
    drv = browser_at(width, language="es")
    try:
        base = server.url
        drv.get(base + "/portal/login")
        assert drv.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
        assert drv.find_element(By.TAG_NAME, "h1").text == "Acceso al portal del paciente"
        fits(drv, width, "sign-in in Spanish")
        shot(drv, artifacts, f"walk-es-signin-{size}")
        sign_in(drv, base, "/portal/login", "patient.garcia")
        welcome = wait(drv, EC.presence_of_element_located((By.ID, "portal-welcome")))
        assert welcome.text.startswith("Hola, "), welcome.text
        assert "Quién ha consultado mi expediente" in drv.page_source
        fits(drv, width, "home in Spanish")
        shot(drv, artifacts, f"walk-es-home-{size}")

        for path, heading in SPANISH_PAGES:
            drv.get(base + path)
            assert drv.find_element(By.TAG_NAME, "h1").text == heading, (path, drv.page_source[:400])
            assert drv.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es", path
            fits(drv, width, f"{path} in Spanish")
        shot(drv, artifacts, f"walk-es-refills-{size}")

        drv.get(base + "/portal/appointments/book")
        Select(drv.find_element(By.NAME, "type")).select_by_index(1)
        date = drv.find_element(By.NAME, "date")
        drv.execute_script("arguments[0].value = arguments[1]", date, next_weekday(3))
        submit(drv, drv.find_element(By.ID, "find-slots"))
        heading = drv.find_element(By.CSS_SELECTOR, "#slots").find_element(By.XPATH, "..").text
        assert "Horarios libres el " in heading and " de " in heading, heading
        label = drv.find_element(By.CSS_SELECTOR, "#slots button").get_attribute("aria-label")
        assert re.search(r"\d:\d\d [ap]\.\s?m\. ", label), f"Spanish times: {label}"
        fits(drv, width, "booking in Spanish")
        shot(drv, artifacts, f"walk-es-book-{size}")

        # The switch: English now, on this page; her record keeps it, so a new sign-in is in English too.
        submit(drv, drv.find_element(By.ID, "lang-en"))
        assert "/portal/appointments/book" in drv.current_url
        assert drv.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert drv.find_element(By.TAG_NAME, "h1").text == "Book an appointment"
        submit(drv, drv.find_element(By.ID, "lang-es"))
        assert drv.find_element(By.TAG_NAME, "h1").text == "Programar una cita"
    finally:
        drv.quit()
        server.stop()
