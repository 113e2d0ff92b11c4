import Foundation
import XCTest
import App
import AppCore

/// Test images made with libvips, plus hand-built bad files.
package enum ImageFixtures {
    package static func vips(_ args: [String]) async throws {
        let out = try await ExternalProgram.run(["/usr/bin/vips"] + args)
        guard out.status == 0 else { throw PITRTestError("vips \(args.first ?? "") failed: \(out.errorText)") }
    }

    /// A noisy (so not tiny) image of `width` × `height` in the format of `ext` (jpg, png, heic).
    package static func image(width: Int, height: Int, ext: String) async throws -> Data {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("caresync-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let noise = dir.appendingPathComponent("n.v").path, rgb = dir.appendingPathComponent("rgb.v").path
        try await vips(["gaussnoise", noise, String(width), String(height), "--mean", "128", "--sigma", "40"])
        try await vips(["bandjoin", "\(noise) \(noise) \(noise)", rgb])
        let cast = dir.appendingPathComponent("c.v").path
        try await vips(["cast", rgb, cast, "uchar"])
        let out = dir.appendingPathComponent("out.\(ext)").path
        try await vips(["copy", cast, out])
        return try Data(contentsOf: URL(fileURLWithPath: out))
    }

    /// A JPEG whose EXIF says: rotate 90° (orientation 6) and taken at 39°58' N (GPS), as phones write it.
    package static func jpegWithGPS(width: Int = 64, height: Int = 32) async throws -> Data {
        let plain = try await image(width: width, height: height, ext: "jpg")
        func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func be32(_ v: Int) -> [UInt8] {
            [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        }
        // TIFF (big-endian): IFD0 {Orientation=6, GPSInfo→38}; GPS IFD {LatitudeRef "N", Latitude → 68}; three
        // rationals.
        var tiff: [UInt8] = Array("MM".utf8) + [0, 42] + be32(8)
        tiff +=
            be16(2) + be16(0x0112) + be16(3) + be32(1) + be16(6) + [0, 0] + be16(0x8825) + be16(4) + be32(1) + be32(38)
            + be32(0)
        tiff +=
            be16(2) + be16(0x0001) + be16(2) + be32(2) + Array("N".utf8) + [0, 0, 0] + be16(0x0002) + be16(5) + be32(3)
            + be32(68) + be32(0)
        tiff += be32(39) + be32(1) + be32(58) + be32(1) + be32(0) + be32(1)
        let app1: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let segment: [UInt8] = [0xFF, 0xE1] + be16(app1.count + 2) + app1
        return Data(plain.prefix(2)) + Data(segment) + Data(plain.dropFirst(2))
    }

    /// A valid PNG header claiming 20000 × 20000 pixels with almost no data: a decompression bomb's calling card.
    package static func hugePNG(side: Int = 20_000) -> Data {
        func be32(_ v: UInt32) -> [UInt8] {
            [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        }
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let t = Array(type.utf8)
            return be32(UInt32(body.count)) + t + body + be32(crc32(t + body))
        }
        let ihdr = be32(UInt32(side)) + be32(UInt32(side)) + [8, 2, 0, 0, 0]
        let idat: [UInt8] = [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]  // zlib of one zero byte
        return Data(
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", idat)
                + chunk("IEND", []))
    }

    package static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1) }
        }
        return c ^ 0xFFFF_FFFF
    }

    /// Width, height and every metadata field name libvips sees in `data`.
    package static func inspect(_ data: Data) async throws -> (width: Int, height: Int, fields: String) {
        let f = FileManager.default.temporaryDirectory.appendingPathComponent(
            "caresync-inspect-\(UUID().uuidString).jpg")
        try data.write(to: f)
        defer { try? FileManager.default.removeItem(at: f) }
        let all = try await ExternalProgram.run(["/usr/bin/vipsheader", "-a", f.path]).text
        let w =
            Int(
                try await ExternalProgram.run(["/usr/bin/vipsheader", "-f", "width", f.path]).text.trimmingCharacters(
                    in: .whitespacesAndNewlines)) ?? 0
        let h =
            Int(
                try await ExternalProgram.run(["/usr/bin/vipsheader", "-f", "height", f.path]).text.trimmingCharacters(
                    in: .whitespacesAndNewlines)) ?? 0
        return (w, h, all)
    }
}
