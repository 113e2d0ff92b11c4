import XCTest
@testable import Domain

final class CarePathwayRulesTests: XCTestCase {
    let indy = TimeZone(identifier: "America/Indiana/Indianapolis")!
    let t = StandardPathways.bunionectomy

    func test_standardTemplate_isWellFormed() {
        XCTAssertEqual(t.structureErrors(), [])
        XCTAssertEqual(
            t.steps.map(\.key), ["day1-check-in", "day3-check-in", "day3-photo", "day10-photo", "day14-follow-up"])
    }

    func test_fireTime_isTheLocalTime_acrossTheSpringDSTChange() {
        // Surgery Friday 12 March 2027; clocks go forward on Sunday 14 March.
        let day = LocalDay("2027-03-12")!
        let f = ISO8601DateFormatter()
        XCTAssertEqual(
            f.string(from: PathwayRules.fireTime(procedureDay: day, step: t.step("day1-check-in")!, zone: indy)!),
            "2027-03-13T14:00:00Z", "09:00 EST")
        XCTAssertEqual(
            f.string(from: PathwayRules.fireTime(procedureDay: day, step: t.step("day3-check-in")!, zone: indy)!),
            "2027-03-15T13:00:00Z", "09:00 EDT")
        var gap = t.step("day1-check-in")!
        gap.day = 2
        gap.at = "02:30"  // does not exist on 14 March: moves to the first minute after the gap
        XCTAssertEqual(
            f.string(from: PathwayRules.fireTime(procedureDay: day, step: gap, zone: indy)!), "2027-03-14T07:00:00Z")
    }

    func test_redFlags_feverIncreasingPainAndYesAnswers() {
        let s = t.step("day3-check-in")!
        XCTAssertEqual(
            PathwayRules.redFlags(s, answers: ["pain": "3", "redness": "no", "drainage": "no"], previous: nil), [])
        XCTAssertEqual(
            PathwayRules.redFlags(
                s, answers: ["pain": "5", "temperature": "38,0", "redness": "yes", "drainage": "no"],
                previous: ["pain": "4"]),
            ["Fever", "Increasing pain", "Spreading redness"])
        XCTAssertEqual(
            PathwayRules.redFlags(
                s, answers: ["pain": "4", "temperature": "37.9", "redness": "no", "drainage": "yes"],
                previous: ["pain": "4"]),
            ["Drainage"], "same pain is not increasing; 37.9 is not fever")
        XCTAssertEqual(PathwayRules.missedFlags(t.step("day3-photo")!), ["Photo not received"])
        XCTAssertEqual(PathwayRules.missedFlags(s), [])
    }

    func test_structureErrors_nameWhatIsWrong() {
        var bad = t
        bad.code = "Bad Code"
        bad.steps[0].at = "9am"
        bad.steps[1].key = "day1-check-in"
        bad.steps[2].redFlags = [.init("Photo", .notReceived)]
        bad.steps[2].escalateAfterHours = nil
        bad.steps[0].redFlags.append(.init("Fever", .atLeast, question: "nope", value: "38"))
        bad.steps[0].channels = ["email"]
        let errors = bad.structureErrors()
        XCTAssertTrue(errors.contains("code must be lowercase letters, digits and '-'"), "\(errors)")
        XCTAssertTrue(errors.contains("step day1-check-in: at must be a local time HH:MM"), "\(errors)")
        XCTAssertTrue(errors.contains("step key day1-check-in is used twice"), "\(errors)")
        XCTAssertTrue(
            errors.contains("step day3-photo: red flag Photo: 'not received' needs escalateAfterHours"), "\(errors)")
        XCTAssertTrue(errors.contains("step day1-check-in: red flag Fever names no question of this step"), "\(errors)")
        XCTAssertTrue(
            errors.contains(
                "step day1-check-in: channels must include portal (email and SMS only say something is waiting)"),
            "\(errors)")
    }

    func test_notificationText_carriesNoClinicalDetail() {
        for s in t.steps {
            let text = PathwayRules.notificationText(s, practice: "Demo Podiatry")
            for word in ["bunion", "surgery", "wound", "incision", "foot", "pain", "Day"] {
                XCTAssertFalse(text.contains(word), "\(s.key): \(text)")
            }
        }
    }

    func test_pickOffers_earliestOnePerDay() {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let slots = [
            base, base.addingTimeInterval(900), base.addingTimeInterval(86400), base.addingTimeInterval(86400 + 900),
            base.addingTimeInterval(3 * 86400), base.addingTimeInterval(4 * 86400),
        ]
        XCTAssertEqual(
            PathwayRules.pickOffers(slots.reversed(), start: { $0 }, zone: indy),
            [base, base.addingTimeInterval(86400), base.addingTimeInterval(3 * 86400)])
    }
}
