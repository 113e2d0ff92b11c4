import Foundation
import Crypto
import Domain
import AppCore

/// Turns an uploaded file into a photo fit to keep: recognised by content (JPEG, PNG, HEIC), refused before decoding
/// when too large in bytes or pixels, decoded strictly (a truncated file fails), orientation applied to the pixels,
/// re-encoded as JPEG with no metadata (EXIF, GPS, XMP, IPTC and embedded thumbnails are gone), plus a thumbnail.
/// Uses libvips' command-line tools (Debian: libvips-tools), which read HEIC through libheif.
package enum ImagePipeline {
    package struct Processed: Sendable {
        package let photo: Data
        package let thumbnail: Data
        package let width: Int
        package let height: Int
        package let sha256: String
    }

    package static let longestSide = 4096
    package static let thumbnailSide = 320

    /// A refusal with the message the uploader sees.
    package struct Refused: Error, CustomStringConvertible {
        package let description: String; package init(_ s: String) { description = s }
    }

    package static func process(_ file: URL, limits: ImageLimits = ImageLimits()) async throws -> Processed {
        let (size, head, tail) = try edges(file, tail: 64)
        guard size > 0 else { throw Refused("The file is empty.") }
        guard size <= limits.maxBytes else {
            throw Refused(
                "The file is \(size / 1_048_576) MB; photos may be at most \(limits.maxBytes / 1_048_576) MB.")
        }
        guard let format = ImageFormat.sniff(head) else {
            throw Refused(
                "This file is \(ImageFormat.describeOther(head)), not a photo. Upload a JPEG, PNG or HEIC picture.")
        }
        guard format.looksComplete(tail: tail) else {
            throw Refused("The \(format.rawValue.uppercased()) file is incomplete (truncated). Try the upload again.")
        }

        // Header only: the pixel count is known before anything is decoded.
        let width = try await header(file, "width"), height = try await header(file, "height")
        if let problem = limits.check(width: width, height: height) { throw Refused(problem) }

        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "caresync-image-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let decoded = work.appendingPathComponent("decoded.v").path
        let loader = ["jpeg": "jpegload", "png": "pngload", "heic": "heifload"][format.rawValue]!
        try await vips(
            [loader, file.path, decoded, "--fail-on", "truncated"],
            failure: "The \(format.rawValue.uppercased()) file is damaged and cannot be read.")
        let photo = work.appendingPathComponent("photo.jpg").path
        let thumb = work.appendingPathComponent("thumb.jpg").path
        // `thumbnail` applies the EXIF orientation to the pixels; `strip` writes no metadata at all.
        try await vips(
            ["thumbnail", decoded, photo + "[Q=85,strip,optimize_coding]", String(longestSide), "--size", "down"],
            failure: "The photo could not be converted.")
        try await vips(
            ["thumbnail", decoded, thumb + "[Q=80,strip,optimize_coding]", String(thumbnailSide)],
            failure: "The thumbnail could not be made.")
        let photoData = try Data(contentsOf: URL(fileURLWithPath: photo))
        let thumbData = try Data(contentsOf: URL(fileURLWithPath: thumb))
        return await Processed(
            photo: photoData, thumbnail: thumbData, width: try header(URL(fileURLWithPath: photo), "width"),
            height: try header(URL(fileURLWithPath: photo), "height"), sha256: SHA256.hash(data: photoData).hexString)
    }

    /// A file's size, first 64 bytes and last `tail` bytes: enough to tell what it is and whether it is whole.
    package static func edges(_ file: URL, tail: Int) throws -> (size: Int, head: [UInt8], tail: [UInt8]) {
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        guard size > 0 else { return (0, [], []) }
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        let head = [UInt8](try handle.read(upToCount: 64) ?? Data())
        try handle.seek(toOffset: UInt64(max(0, size - tail)))
        return (size, head, [UInt8](try handle.readToEnd() ?? Data()))
    }

    package static func header(_ file: URL, _ field: String) async throws -> Int {
        let out = try await ExternalProgram.run([tool("vipsheader"), "-f", field, file.path], environment: env)
        guard out.status == 0, let v = Int(out.text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Refused("The file cannot be read as an image: it is damaged or not really a photo.")
        }
        return v
    }

    package static func vips(_ args: [String], failure: String) async throws {
        let out = try await ExternalProgram.run([tool("vips")] + args, environment: env)
        guard out.status == 0 else { throw Refused(failure) }
    }

    /// The format-specific loader is chosen from the sniffed bytes (never libvips' own guess), and the intermediate is
    /// our own .v file, so VIPS_BLOCK_UNTRUSTED (which also blocks .v) is not set. One thread: photos are small.
    package static let env = ["VIPS_CONCURRENCY": "1"]

    package static func tool(_ name: String) throws -> String {
        if let path = ExternalProgram.locate(name) { return path }
        throw Refused("The image tools are not installed on the server (apt-get install libvips-tools).")
    }
}
