"""Front desk books a follow-up from the chart with the slot picker in Chromium on a 360-px screen,
then sees it on the calendar with both locations; the patient sees it in the portal."""
import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from test_browser_signin import no_horizontal_scroll, sign_in, submit, wait


def next_weekday():
    d = datetime.date.today() + datetime.timedelta(days=2)
    while d.weekday() >= 5:  # Dr. Patel works Monday to Friday
        d += datetime.timedelta(days=1)
    return d.isoformat()


def test_desk_books_from_the_chart_and_the_calendar_shows_it(server, browser, artifacts):
    drv, base = browser, server.url
    day = next_weekday()
    sign_in(drv, base, "/login", "desk.jones")
    wait(drv, EC.presence_of_element_located((By.ID, "welcome")))

    drv.get(base + "/patients?q=okafor")
    submit(drv, wait(drv, EC.presence_of_element_located((By.LINK_TEXT, "Okafor, James"))))
    submit(drv, drv.find_element(By.ID, "book-for-patient"))

    Select(drv.find_element(By.NAME, "type")).select_by_visible_text("Follow-up visit (20 min)")
    Select(drv.find_element(By.NAME, "provider")).select_by_visible_text("Dr. Priya Patel")
    date = drv.find_element(By.NAME, "date")
    drv.execute_script("arguments[0].value = arguments[1]", date, day)
    submit(drv, drv.find_element(By.ID, "find-slots"))
    slots = wait(drv, EC.presence_of_element_located((By.ID, "slots"))).find_elements(By.TAG_NAME, "button")
    assert slots, "Dr. Patel has free times on a weekday"
    # Times are grouped by place: take Dr. Patel's first at Main Street.
    slot = next(b for b in slots if "Main Street Clinic" in b.get_attribute("aria-label"))
    label = slot.get_attribute("aria-label")
    assert "Dr. Priya Patel" in label and "Main Street Clinic" in label
    no_horizontal_scroll(drv)
    drv.save_screenshot(str(artifacts / f"slot-picker-{server.backend}.png"))
    submit(drv, slot)

    assert "booked=1" in drv.current_url
    assert drv.find_element(By.CSS_SELECTOR, "section[data-location='MAIN']")
    assert drv.find_element(By.CSS_SELECTOR, "section[data-location='LAKE']")
    main = drv.find_element(By.CSS_SELECTOR, "section[data-location='MAIN']").text
    assert "Okafor, James" in main and label.split(" · ")[0] in main
    no_horizontal_scroll(drv)
    drv.save_screenshot(str(artifacts / f"calendar-{server.backend}.png"))


def test_desk_takes_a_time_before_choosing_the_patient_and_sees_what_to_fix(server, browser, artifacts):
    """On the real clock: a time taken before a patient is chosen brings the form back with the patient field
    marked and the free times still offered (not an error page); finding the patient then books it. Walked at the
    phone, the front-office tablet and a desktop."""
    drv, base = browser, server.url
    day = next_weekday()
    sign_in(drv, base, "/login", "desk.jones")
    wait(drv, EC.presence_of_element_located((By.ID, "welcome")))

    drv.get(base + "/schedule/book")
    Select(drv.find_element(By.NAME, "type")).select_by_visible_text("Follow-up visit (20 min)")
    Select(drv.find_element(By.NAME, "provider")).select_by_visible_text("Dr. Priya Patel")
    drv.execute_script("arguments[0].value = arguments[1]", drv.find_element(By.NAME, "date"), day)
    submit(drv, drv.find_element(By.ID, "find-slots"))
    slots = wait(drv, EC.presence_of_element_located((By.ID, "slots"))).find_elements(By.TAG_NAME, "button")
    assert slots, "Dr. Patel has free times on a weekday"
    submit(drv, slots[-1])

    summary = wait(drv, EC.presence_of_element_located((By.CSS_SELECTOR, "[role=alert]"))).text
    assert "Please correct the marked fields" in summary and "Patient is required." in summary, summary
    picker = drv.find_element(By.CSS_SELECTOR, ".field.picker")
    assert "invalid" in picker.get_attribute("class")
    assert drv.find_elements(By.CSS_SELECTOR, "#slots button"), "the free times are still offered"
    for width, height, name in [(360, 780, "phone"), (800, 1280, "tablet"), (1366, 768, "desktop")]:
        drv.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 1000})
        no_horizontal_scroll(drv, at_most=width)
        drv.save_screenshot(str(artifacts / f"book-missing-patient-{name}-{server.backend}.png"))
    drv.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True})

    find = drv.find_element(By.NAME, "find")
    find.clear()
    find.send_keys("Nguyen")
    # The search-as-you-type list appears above the button and moves it: let it settle before the tap (a tap while
    # it lands can hit the list instead).
    wait(drv, EC.presence_of_element_located((By.CSS_SELECTOR, "#patient-results input[type=radio]")))
    submit(drv, drv.find_element(By.ID, "find-slots"))
    assert "Nguyen" in wait(drv, EC.presence_of_element_located((By.ID, "booking-patient"))).text
    slots = wait(drv, EC.presence_of_element_located((By.ID, "slots"))).find_elements(By.TAG_NAME, "button")
    submit(drv, slots[-1])
    assert "booked=1" in drv.current_url
