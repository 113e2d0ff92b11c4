"""The new diabetic patient, end to end on the real clock against the real binary: the patient sends the diabetic foot
intake from a phone; the medical assistant accepts it; the provider confirms what it said (problems, the A1c), writes
the foot exam from the practice's template and signs it; the patient reads the signed visit in the portal. Every page
is walked at a phone's and a desktop's width (and the front office's tablet), fitting its screen, with screenshots."""
import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_browser_signin import sign_in, sign_in_enrolling_mfa, submit
from test_real_clock_walks import SIZES, at_each_size, browser_at, fits, shot


def test_new_diabetic_patient_intake_to_signed_foot_exam_in_the_portal(sqlite_server, artifacts):
    base = sqlite_server.url
    a1c_day = (datetime.date.today() - datetime.timedelta(days=40)).isoformat()

    # The patient, on a phone: the diabetic foot intake.
    drv = browser_at(SIZES["phone"])
    try:
        sign_in(drv, base, "/portal/login", "patient.garcia")
        drv.get(base + "/portal/forms/diabetic-foot")
        Select(drv.find_element(By.NAME, "diabetesType")).select_by_visible_text("Type 2")
        drv.find_element(By.NAME, "lastA1c").send_keys("8.2")
        date = drv.find_element(By.NAME, "lastA1cDate")
        drv.execute_script("arguments[0].value = arguments[1]", date, a1c_day)
        drv.find_element(By.NAME, "neuropathy__0").click()  # Numbness
        Select(drv.find_element(By.NAME, "priorUlcer")).select_by_value("no")
        Select(drv.find_element(By.NAME, "amputation")).select_by_value("no")
        Select(drv.find_element(By.NAME, "footwear")).select_by_visible_text("Athletic shoes")
        submit(drv, drv.find_element(By.ID, "submit-form"))
        assert "was sent to the practice" in drv.find_element(By.ID, "form-submitted").text
    finally:
        drv.quit()

    # The medical assistant accepts it: its answers wait in the chart for the provider.
    drv = browser_at(SIZES["desktop"])
    try:
        sign_in(drv, base, "/login", "ma.rivera")
        drv.get(base + "/intake")
        submit(drv, drv.find_element(By.PARTIAL_LINK_TEXT, "Garcia"))
        submit(drv, drv.find_element(By.ID, "accept-intake"))
        assert "accepted" in drv.find_element(By.ID, "review-done").text
    finally:
        drv.quit()

    # The provider, on a phone: confirms the problems and the A1c, writes the foot exam, saves, signs.
    drv = browser_at(SIZES["phone"])
    try:
        sign_in_enrolling_mfa(drv, base, "drpatel")
        drv.get(base + "/patients?q=garcia")
        submit(drv, drv.find_element(By.PARTIAL_LINK_TEXT, "Garcia"))
        chart = drv.current_url.split("#")[0]
        problems = drv.find_element(By.ID, "clinical-problems")
        assert "Type 2 diabetes" in problems.text and "to confirm (from intake)" in problems.text, problems.text
        waiting = drv.find_element(By.ID, "vitals-to-confirm")
        assert "A1c 8.2 %" in waiting.text and a1c_day in waiting.text, waiting.text
        fits(drv, SIZES["phone"], "chart with intake entries to confirm")
        shot(drv, artifacts, "diabetic-chart-to-confirm-phone")
        while drv.find_elements(By.CSS_SELECTOR, "#clinical-problems button[name=verification]"):
            submit(drv, drv.find_element(By.CSS_SELECTOR, "#clinical-problems button[name=verification]"))
        submit(drv, drv.find_element(By.CSS_SELECTOR, "#vitals-to-confirm button[value=final]"))
        assert not drv.find_elements(By.ID, "vitals-to-confirm")
        assert "A1c 8.2 %" in drv.find_element(By.ID, "vitals-latest").text
        assert "to confirm" not in drv.find_element(By.ID, "clinical-problems").text

        drv.find_element(By.CSS_SELECTOR, "#start-note summary").click()
        Select(drv.find_element(By.NAME, "templateCode")).select_by_visible_text("New diabetic foot evaluation")
        Select(drv.find_element(By.NAME, "appointmentId")).select_by_index(0)  # no appointment: today
        submit(drv, drv.find_element(By.ID, "start-note-submit"))
        assert "New diabetic foot evaluation" in drv.find_element(By.TAG_NAME, "h1").text
        note = drv.current_url.split("?")[0]
        drv.find_element(By.NAME, "chiefComplaint").send_keys("New patient with type 2 diabetes; numb toes on the "
                                                              "left. <b>No</b> wounds.")
        drv.find_element(By.NAME, "monofilamentLeft__1").click()  # Hallux not felt
        drv.find_element(By.NAME, "monofilamentLeft__6").click()  # 5th metatarsal head not felt
        drv.find_element(By.NAME, "monofilamentRight__0").click()  # all felt
        for field, value in [("pulseDPLeft", "Palpable"), ("pulseDPRight", "Palpable"),
                             ("pulsePTLeft", "Diminished"), ("pulsePTRight", "Palpable")]:
            Select(drv.find_element(By.NAME, field)).select_by_visible_text(value)
        Select(drv.find_element(By.NAME, "ulcerHistory")).select_by_value("no")
        fits(drv, SIZES["phone"], "foot exam note, draft")
        submit(drv, drv.find_element(By.ID, "save-note"))
        assert "Draft saved." in drv.find_element(By.ID, "note-notice").text
        suggestion = drv.find_element(By.ID, "risk-suggestion").text
        assert "category 2 - moderate" in suggestion, suggestion
        # Signing without the assessment is refused, and nothing typed is lost.
        submit(drv, drv.find_element(By.ID, "sign-note"))
        assert "IWGDF risk category: please answer this." in drv.page_source
        assert drv.find_element(By.ID, "note-status").text == "draft"
        Select(drv.find_element(By.NAME, "riskCategory")).select_by_index(3)  # 2 - moderate
        drv.find_element(By.NAME, "assessment").send_keys("Loss of protective sensation, left foot; diminished "
                                                          "posterior tibial pulse, left. IWGDF 2.")
        drv.find_element(By.NAME, "plan").send_keys("Diabetic shoes with insoles; daily foot checks; recheck in 3 "
                                                    "months.")
        Select(drv.find_element(By.NAME, "followUp")).select_by_visible_text("3 months")
        shot(drv, artifacts, "diabetic-note-form-phone")
        submit(drv, drv.find_element(By.ID, "sign-note"))
        assert "Note signed" in drv.find_element(By.ID, "note-notice").text
        assert drv.find_element(By.ID, "note-status").text == "signed"
        assert not drv.find_elements(By.ID, "note-form"), "a signed note is no longer a form"
        body = drv.find_element(By.ID, "note-body").text
        assert "Hallux, 5th metatarsal head" in body and "<b>No</b> wounds." in body, body
        for size, width, sized in at_each_size(drv, base):
            sized.get(note)
            assert "Electronically signed by" in sized.find_element(By.ID, "note-signature").text
            fits(sized, width, f"signed note ({size})")
            shot(sized, artifacts, f"diabetic-note-signed-{size}")
            sized.get(chart)
            visits = sized.find_element(By.ID, "visits")
            assert "New diabetic foot evaluation" in visits.text and "signed by" in visits.text, visits.text
            fits(sized, width, f"chart with the signed visit ({size})")
            shot(sized, artifacts, f"diabetic-chart-after-{size}")
    finally:
        drv.quit()

    # The patient reads the signed visit and the confirmed summary, at a phone's and a desktop's width.
    drv = browser_at(SIZES["phone"])
    try:
        sign_in(drv, base, "/portal/login", "patient.garcia")
        for size, width, sized in at_each_size(drv, base):
            sized.get(base + "/portal")
            summary = sized.find_element(By.ID, "health-summary").text
            assert "Type 2 diabetes" in summary and "8.2 %" in summary, summary
            submit(sized, sized.find_element(By.ID, "go-notes"))
            fits(sized, width, f"portal visits ({size})")
            submit(sized, sized.find_element(By.PARTIAL_LINK_TEXT, "New diabetic foot evaluation"))
            text = sized.find_element(By.TAG_NAME, "main").text
            assert "Diabetic shoes with insoles" in text and "Signed by" in text, text
            fits(sized, width, f"portal signed note ({size})")
            shot(sized, artifacts, f"diabetic-portal-note-{size}")
    finally:
        drv.quit()
