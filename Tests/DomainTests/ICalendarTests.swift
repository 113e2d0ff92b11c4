import XCTest
@testable import Domain

final class ICalendarTests: XCTestCase {
    func test_document_hasRequiredPropertiesAndCRLF() {
        let e = ICalendar.Event(
            uid: "a1@caresync", stamp: Date(timeIntervalSince1970: 0),
            start: Date(timeIntervalSince1970: 1_800_000_000),
            end: Date(timeIntervalSince1970: 1_800_001_200), summary: "Follow-up visit",
            location: "Main Street Clinic, Evansville; IN",
            cancelled: false, sequence: 2)
        let doc = ICalendar.document([e], name: "Dr Patel")
        XCTAssertTrue(doc.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"))
        XCTAssertTrue(doc.hasSuffix("END:VCALENDAR\r\n"))
        XCTAssertFalse(doc.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "bare LF")
        XCTAssertTrue(doc.contains("DTSTART:20270115T080000Z"))
        XCTAssertTrue(doc.contains("LOCATION:Main Street Clinic\\, Evansville\\; IN"))
        XCTAssertTrue(doc.contains("SEQUENCE:2"))
        XCTAssertTrue(doc.contains("STATUS:CONFIRMED"))
    }

    func test_longLines_foldAt75Octets_withoutSplittingCharacters() {
        let line = "SUMMARY:" + String(repeating: "é", count: 80)
        let folded = ICalendar.fold(line)
        for piece in folded.components(separatedBy: "\r\n") { XCTAssertLessThanOrEqual(piece.utf8.count, 75) }
        XCTAssertEqual(folded.replacingOccurrences(of: "\r\n ", with: ""), line, "unfolding gives the line back")
    }
}
