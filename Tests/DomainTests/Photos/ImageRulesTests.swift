import XCTest
@testable import Domain

final class ImageRulesTests: XCTestCase {
    func test_formats_areRecognisedByContent() {
        XCTAssertEqual(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), .jpeg)
        XCTAssertEqual(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), .png)
        XCTAssertEqual(ImageFormat.sniff([0, 0, 0, 0x1C] + Array("ftypheic".utf8)), .heic)
        XCTAssertEqual(ImageFormat.sniff([0, 0, 0, 0x1C] + Array("ftypmif1".utf8)), .heic)
        XCTAssertNil(ImageFormat.sniff([0, 0, 0, 0x1C] + Array("ftypisom".utf8)), "an MP4 is not a photo")
        XCTAssertNil(ImageFormat.sniff(Array("%PDF-1.7".utf8)))
        XCTAssertNil(ImageFormat.sniff([]))
        XCTAssertEqual(ImageFormat.describeOther(Array("%PDF-1.7".utf8)), "a PDF document")
        XCTAssertEqual(ImageFormat.describeOther([]), "an empty file")
        XCTAssertEqual(
            ImageFormat.describeOther([0, 0, 0, 0x1C] + Array("ftypisom".utf8)), "a video or another ISO media file")
    }

    func test_truncatedFiles_areSpottedByTheirEnd() {
        XCTAssertTrue(ImageFormat.jpeg.looksComplete(tail: [1, 2, 0xFF, 0xD9]))
        XCTAssertTrue(ImageFormat.jpeg.looksComplete(tail: [1, 0xFF, 0xD9, 0, 0]), "zero padding after EOI is fine")
        XCTAssertFalse(ImageFormat.jpeg.looksComplete(tail: [0xFF, 0xD9, 7]))
        XCTAssertTrue(ImageFormat.png.looksComplete(tail: [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]))
        XCTAssertFalse(ImageFormat.png.looksComplete(tail: [0x49, 0x45, 0x4E, 0x44]))
    }

    func test_pixelLimits_refuseDecompressionBombs() {
        let l = ImageLimits()
        XCTAssertNil(l.check(width: 4032, height: 3024))
        XCTAssertEqual(
            l.check(width: 20_000, height: 20_000),
            "The image is 20000 × 20000 pixels; photos may be at most 12000 pixels on a side and 50 megapixels.")
        XCTAssertNotNil(l.check(width: 8000, height: 8000), "64 MP is over the pixel limit")
        XCTAssertNotNil(l.check(width: 0, height: 10))
    }

    func test_woundAndMeasurementRules() {
        XCTAssertEqual(WoundRules.check(bodySite: "heel", side: "left"), [])
        XCTAssertEqual(WoundRules.check(bodySite: " ", side: "up").map(\.field), ["bodySite", "side"])
        XCTAssertNil(WoundRules.checkMeasurement("length", 12.5))
        XCTAssertNil(WoundRules.checkMeasurement("length", nil))
        XCTAssertEqual(WoundRules.checkMeasurement("depth", 501)?.message, "Depth must be between 0 and 500 mm.")
        XCTAssertEqual(WoundRules.checkMeasurement("width", 1.25)?.message, "Width takes at most one decimal (0.1 mm).")
    }

    func test_tusHeaders() {
        XCTAssertEqual(Tus.parseMetadata("woundId MTIz,empty"), ["woundId": "123", "empty": ""])
        XCTAssertEqual(Tus.parseMetadata(nil), [:])
        XCTAssertNil(Tus.parseMetadata("woundId not-base64!"))
        XCTAssertNil(Tus.parseMetadata("a MQ==,a Mg=="), "duplicate keys")
        XCTAssertEqual(Tus.parseChecksum("sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=")?.algorithm, "sha1")
        XCTAssertNil(Tus.parseChecksum("sha1"))
    }
}
