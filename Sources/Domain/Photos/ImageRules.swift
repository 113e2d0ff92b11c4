import Foundation

/// What an uploaded file is, judged by its first bytes (never by its name), and the limits a photo must meet.
public enum ImageFormat: String, Sendable, Equatable {
    case jpeg, png, heic

    /// The format from the leading bytes, or nil.
    public static func sniff(_ head: [UInt8]) -> ImageFormat? {
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        if head.count >= 8, head[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        // ISO BMFF: [size]["ftyp"][major brand] with a HEIF brand.
        if head.count >= 12, head[4..<8].elementsEqual(Array("ftyp".utf8)) {
            let brand = String(decoding: head[8..<12], as: UTF8.self)
            if ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"].contains(brand) { return .heic }
        }
        return nil
    }

    /// A plain-language name for a file that is not an accepted image, for the refusal message.
    public static func describeOther(_ head: [UInt8]) -> String {
        if head.isEmpty { return "an empty file" }
        if head.starts(with: Array("%PDF".utf8)) { return "a PDF document" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "a ZIP or Office document" }
        if head.starts(with: Array("GIF8".utf8)) { return "a GIF image" }
        if head.count >= 12, head[4..<8].elementsEqual(Array("ftyp".utf8)) {
            return "a video or another ISO media file"
        }
        return "not an image CareSync accepts"
    }

    /// The file's last bytes show it is complete (JPEG: the end-of-image marker; PNG: the IEND chunk).
    /// HEIC has no end marker; its decoder refuses a truncated file.
    public func looksComplete(tail: [UInt8]) -> Bool {
        var t = tail[...]
        while let last = t.last, last == 0 { t = t.dropLast() }  // some cameras pad with zeros
        switch self {
        case .jpeg: return t.count >= 2 && t[t.endIndex - 2] == 0xFF && t[t.endIndex - 1] == 0xD9
        case .png: return t.count >= 8 && t.suffix(8).elementsEqual([0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
        case .heic: return true
        }
    }
}

/// Limits that refuse decompression bombs before any pixel is decoded.
public struct ImageLimits: Sendable {
    public var maxBytes: Int = 25 * 1024 * 1024
    public var maxSide: Int = 12_000
    public var maxPixels: Int = 50_000_000
    public init() {}

    public func check(width: Int, height: Int) -> String? {
        guard width > 0, height > 0 else { return "The image has no pixels." }
        if width > maxSide || height > maxSide || width * height > maxPixels {
            return
                "The image is \(width) × \(height) pixels; photos may be at most \(maxSide) pixels on a side and "
                + "\(maxPixels / 1_000_000) megapixels."
        }
        return nil
    }
}

/// Where a wound is.
public enum WoundRules {
    public static let sides = ["left", "right", "both", "n/a"]

    public static func check(bodySite: String?, side: String?) -> [FieldError] {
        var errors: [FieldError] = []
        let site = Text.clean(bodySite) ?? ""
        if site.isEmpty {
            errors.append(FieldError("bodySite", "Say where the wound is, e.g. plantar first metatarsal head."))
        } else if site.count > 120 {
            errors.append(FieldError("bodySite", "Body site must be at most 120 characters."))
        }
        if !sides.contains(side ?? "") { errors.append(FieldError("side", "Side must be left, right, both or n/a.")) }
        return errors
    }

    /// Length, width and depth in millimetres: each optional, but if given, 0–500 with at most one decimal.
    public static func checkMeasurement(_ name: String, _ value: Double?) -> FieldError? {
        guard let v = value else { return nil }
        if !v.isFinite || v < 0 || v > 500 {
            return FieldError(name, "\(name.capitalized) must be between 0 and 500 mm.")
        }
        if (v * 10).rounded() != v * 10 {
            return FieldError(name, "\(name.capitalized) takes at most one decimal (0.1 mm).")
        }
        return nil
    }
}

/// tus 1.0.0 header rules (the server side).
public enum Tus {
    public static let version = "1.0.0"
    public static let extensions = "creation,checksum,termination,expiration"

    /// `Upload-Metadata`: comma-separated `key base64value` pairs (value optional). Nil when malformed.
    public static func parseMetadata(_ header: String?) -> [String: String]? {
        guard let header, !header.trimmingCharacters(in: .whitespaces).isEmpty else { return [:] }
        var out: [String: String] = [:]
        for pair in header.split(separator: ",") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            guard let key = parts.first, parts.count <= 2, !key.isEmpty, out[String(key)] == nil else { return nil }
            if parts.count == 2 {
                guard let data = Data(base64Encoded: String(parts[1])) else { return nil }
                out[String(key)] = String(decoding: data, as: UTF8.self)
            } else {
                out[String(key)] = ""
            }
        }
        return out
    }

    /// `Upload-Checksum: <algorithm> <base64 digest>`.
    public static func parseChecksum(_ header: String) -> (algorithm: String, digest: Data)? {
        let parts = header.split(separator: " ")
        guard parts.count == 2, let d = Data(base64Encoded: String(parts[1])) else { return nil }
        return (String(parts[0]).lowercased(), d)
    }
}

/// Attachments (messages, referral letters): a PDF document or a photo, judged by content.
public enum AttachmentRules {
    public enum Kind: String, Codable, CaseIterable, Sendable { case pdf, image }

    /// PDF: starts with `%PDF-` and has `%%EOF` near the end (a truncated PDF lacks it).
    public static func kind(head: [UInt8], tail: [UInt8]) -> Result<Kind, FieldError> {
        if ImageFormat.sniff(head) != nil { return .success(.image) }
        if head.starts(with: Array("%PDF-".utf8)) {
            let t = String(decoding: tail, as: UTF8.self)
            return t.contains("%%EOF")
                ? .success(.pdf) : .failure(FieldError("file", "The PDF is incomplete (truncated). Try again."))
        }
        return .failure(
            FieldError(
                "file", "This file is \(ImageFormat.describeOther(head)). Attach a PDF or a photo (JPEG, PNG or HEIC).")
        )
    }
}

/// What a resumable upload becomes when it is complete: a wound photo or a message/intake attachment.
public enum UploadPurpose: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case woundPhoto = "wound-photo"
    case attachment

    public var description: String { rawValue }
}
