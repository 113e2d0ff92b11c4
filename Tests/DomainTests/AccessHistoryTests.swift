import Domain
import XCTest

final class AccessHistoryTests: XCTestCase {
    func test_eventsBecomeOneLinePerPersonAndDay_inWords() {
        let chicago = TimeZone(identifier: "America/Chicago")!
        let t0 = Date(timeIntervalSince1970: 1_795_000_000)  // a morning in Chicago
        let events = [
            AccessHistory.Event(at: t0, username: "drpatel", role: "provider", action: .read, category: .demographics),
            AccessHistory.Event(
                at: t0.addingTimeInterval(60), username: "drpatel", role: "provider", action: .read,
                category: .contact),
            AccessHistory.Event(
                at: t0.addingTimeInterval(120), username: "drpatel", role: "provider", action: .read, category: .contact
            ),
            AccessHistory.Event(
                at: t0.addingTimeInterval(180), username: "desk", role: "front-desk", action: .query,
                category: .appointments),
            AccessHistory.Event(
                at: t0.addingTimeInterval(86400), username: "desk", role: "front-desk", action: .signIn,
                category: .account),
            AccessHistory.Event(
                at: t0.addingTimeInterval(86400 + 5), username: "desk", role: "front-desk", action: .update,
                category: .contact),
        ]
        let days = AccessHistory.days(events, zone: chicago, names: ["drpatel": "Dr. Priya Patel"], roles: { $0 })
        XCTAssertEqual(days.count, 2)
        XCTAssertEqual(
            days[0].lines.map(\.what), [["updated your contact details"]], "newest day first; sign-ins left out")
        XCTAssertEqual(days[1].lines.count, 2)
        XCTAssertEqual(days[1].lines[0].who, "Dr. Priya Patel")
        XCTAssertEqual(
            AccessHistory.sentence(days[1].lines[0].what), "viewed your details and viewed your contact details")
        XCTAssertEqual(days[1].lines[0].last, t0.addingTimeInterval(120))
        XCTAssertEqual(days[1].lines[1].what, ["saw your appointments in the schedule"])
    }
}
