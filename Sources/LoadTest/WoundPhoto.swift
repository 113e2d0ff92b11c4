import Foundation
import AppCore

/// The upload flow's photo: a real JPEG of about the scenario's size, made by libvips (noise, so it does not compress
/// away), with an EXIF block as a phone writes it (orientation 6 and a GPS position) for the server to strip.
package enum WoundPhoto {
    package static func jpeg(bytes: Int) async throws -> [UInt8] {
        guard let vips = ExternalProgram.locate("vips") else {
            throw LoadTestRefusal("The upload flow needs libvips' vips command (Debian: libvips-tools).")
        }
        // Noise JPEG at quality 90 is about 1.9 bytes a pixel.
        let pixels = max(10_000, Double(bytes) / 1.9)
        let w = Int((pixels * 4 / 3).squareRoot()), h = Int(Double(w) * 3 / 4)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("caresync-loadtest-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.path
        for cmd in [
            [vips, "gaussnoise", "\(p)/n.v", String(w), String(h), "--mean", "128", "--sigma", "60"],
            [vips, "cast", "\(p)/n.v", "\(p)/c.v", "uchar"],
            [vips, "bandjoin", "\(p)/c.v \(p)/c.v \(p)/c.v", "\(p)/rgb.v"],
            [vips, "jpegsave", "\(p)/rgb.v", "\(p)/plain.jpg", "--Q", "90"],
        ] {
            let r = try await ExternalProgram.run(cmd)
            guard r.status == 0 else { throw LoadTestRefusal("vips failed making the load test's photo (\(cmd[1])).") }
        }
        let plain = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(p)/plain.jpg")))
        return withExif(plain)
    }

    /// The JPEG with an APP1 EXIF segment after its start marker (big-endian TIFF: orientation 6, GPS 39°58' N).
    static func withExif(_ jpeg: [UInt8]) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
        func u32(_ v: Int) -> [UInt8] { u16(v >> 16) + u16(v & 0xffff) }
        func ifd(_ entries: [(Int, Int, Int, [UInt8])]) -> [UInt8] {
            u16(entries.count) + entries.flatMap { u16($0.0) + u16($0.1) + u32($0.2) + $0.3 } + u32(0)
        }
        let ifd0 = ifd([(0x0112, 3, 1, u16(6) + u16(0)), (0x8825, 4, 1, u32(38))])
        let gps = ifd([(0x0001, 2, 2, Array("N\0\0\0".utf8)), (0x0002, 5, 3, u32(68))])
        let tiff = Array("MM\0*".utf8) + u32(8) + ifd0 + gps + [39, 1, 58, 1, 0, 1].flatMap(u32)
        let app1 = Array("Exif\0\0".utf8) + tiff
        return Array(jpeg[0..<2]) + [0xff, 0xe1] + u16(app1.count + 2) + app1 + Array(jpeg[2...])
    }
}
