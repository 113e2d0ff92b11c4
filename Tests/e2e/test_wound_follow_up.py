"""A wound-imaging follow-up on the real clock against the real binary: the patient marks where the wound is on the
foot diagram and sends two photos from a phone; the provider measures them, reads the size chart, puts the two
photos side by side and writes the wound check note, which shows that day's photos. At a phone's, the front office
tablet's and a desktop's width, fitting each screen, with screenshots."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from test_browser_signin import sign_in, sign_in_enrolling_mfa, submit, wait
from test_portal_flow import jpeg_with_gps
from test_real_clock_walks import SIZES, at_each_size, browser_at, fits, shot


def test_patient_marks_the_wound_on_the_diagram_and_the_provider_follows_its_size(sqlite_server, artifacts, tmp_path):
    base = sqlite_server.url
    drv = browser_at(SIZES["phone"])
    try:
        sign_in(drv, base, "/portal/login", "patient.garcia")
        drv.get(base + "/portal/photos")
        assert drv.find_element(By.CSS_SELECTOR, "svg.foot"), "the foot diagram"
        fits(drv, SIZES["phone"], "portal photos with the site picker")
        shot(drv, artifacts, "wound-site-picker-phone")
        # No site chosen: a clear message, nothing added.
        submit(drv, drv.find_element(By.ID, "add-wound"))
        assert "Say where the wound is" in drv.page_source
        drv.find_element(By.ID, "site-9").click()  # Heel (underneath)
        Select(drv.find_element(By.NAME, "side")).select_by_value("left")
        submit(drv, drv.find_element(By.ID, "add-wound"))
        assert "Heel (underneath) (left)" in drv.page_source
        for n in range(2):
            photo = tmp_path / f"heel{n}.jpg"
            jpeg_with_gps(photo)
            upload = drv.find_elements(By.CSS_SELECTOR, "form.tus-upload")[-1]
            upload.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(photo))
            upload.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            wait(drv, EC.presence_of_element_located((By.ID, "upload-done")), timeout=30)
            drv.get(base + "/portal/photos")
    finally:
        drv.quit()

    drv = browser_at(SIZES["desktop"])
    try:
        sign_in_enrolling_mfa(drv, base, "drpatel")
        drv.get(base + "/patients?q=garcia")
        submit(drv, drv.find_element(By.PARTIAL_LINK_TEXT, "Garcia"))
        chart = drv.current_url.split("#")[0]
        wounds = chart + "/wounds"
        drv.get(wounds)
        card = [c for c in drv.find_elements(By.CSS_SELECTOR, "div.card[id^=wound-]")
                if "Heel (underneath)" in c.text][0]
        card_id = card.get_attribute("id")
        for n, (length, width) in enumerate([("18", "11"), ("12", "9")]):
            form = drv.find_element(By.ID, card_id).find_elements(By.CSS_SELECTOR, "form.measure")[n]
            form.find_element(By.NAME, "lengthMm").send_keys(length)
            form.find_element(By.NAME, "widthMm").send_keys(width)
            submit(drv, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        card = drv.find_element(By.ID, card_id)
        assert card.find_element(By.CSS_SELECTOR, "svg.trend"), "the size chart"
        assert "Area 45 % smaller than on" in card.text, card.text
        for size, width, sized in at_each_size(drv, base):
            sized.get(wounds)
            fits(sized, width, f"wound timeline ({size})")
            shot(sized, artifacts, f"wound-timeline-{size}")
            submit(sized, sized.find_element(By.ID, card_id).find_element(By.CSS_SELECTOR, "form.compare-form button"))
            assert "Area 45 % smaller on" in sized.find_element(By.ID, "compare-change").text
            fits(sized, width, f"photo comparison ({size})")
            shot(sized, artifacts, f"wound-compare-{size}")

        # The wound check note shows the photos from the visit's day.
        drv.get(chart)
        drv.find_element(By.CSS_SELECTOR, "#start-note summary").click()
        Select(drv.find_element(By.NAME, "templateCode")).select_by_visible_text("Wound check")
        Select(drv.find_element(By.NAME, "appointmentId")).select_by_index(0)
        submit(drv, drv.find_element(By.ID, "start-note-submit"))
        photos = drv.find_element(By.ID, "note-photos")
        assert "12 × 9 mm" in photos.text, photos.text
        note = drv.current_url.split("?")[0]
        for size, width, sized in at_each_size(drv, base):
            sized.get(note)
            fits(sized, width, f"wound check note ({size})")
            shot(sized, artifacts, f"wound-note-{size}")
    finally:
        drv.quit()
