import Foundation
import Crypto

/// Backup parts are encrypted in 4 MiB chunks with AES-GCM (each chunk sealed with its own nonce and the
/// chunk index as associated data, so chunks cannot be reordered or dropped without detection).
package enum BackupCrypto {
    package static let chunkSize = 4 * 1024 * 1024

    package struct PartDigest: Codable, Equatable, Sendable {
        package var name: String
        package var bytes: Int64
        package var sha256: String
        package var encryptedBytes: Int64
        package var encryptedSha256: String
    }

    package enum Failure: Error, CustomStringConvertible {
        case corrupt(String)
        package var description: String {
            switch self {
            case .corrupt(let s): return s
            }
        }
    }

    package static func hex(_ d: some Sequence<UInt8>) -> String { d.map { String(format: "%02x", $0) }.joined() }

    /// Encrypts `source` into `dest`, hashing both sides as it goes.
    package static func encrypt(_ source: URL, to dest: URL, name: String, key: SymmetricKey) throws -> PartDigest {
        let input = try FileHandle(forReadingFrom: source)
        defer { try? input.close() }
        FileManager.default.createFile(atPath: dest.path, contents: nil)
        let output = try FileHandle(forWritingTo: dest)
        defer { try? output.close() }
        var plain = SHA256(), cipher = SHA256()
        var bytes: Int64 = 0, encBytes: Int64 = 0, index: UInt64 = 0
        while true {
            let chunk = try input.read(upToCount: chunkSize) ?? Data()
            if chunk.isEmpty && index > 0 { break }
            plain.update(data: chunk)
            bytes += Int64(chunk.count)
            var ad = index.bigEndian
            let sealed = try AES.GCM.seal(chunk, using: key, authenticating: Data(bytes: &ad, count: 8))
            guard let combined = sealed.combined else { throw Failure.corrupt("encryption failed") }
            var len = UInt32(combined.count).bigEndian
            let frame = Data(bytes: &len, count: 4) + combined
            try output.write(contentsOf: frame)
            cipher.update(data: frame)
            encBytes += Int64(frame.count)
            index += 1
            if chunk.count < chunkSize { break }
        }
        try output.synchronize()
        return PartDigest(
            name: name, bytes: bytes, sha256: hex(plain.finalize()), encryptedBytes: encBytes,
            encryptedSha256: hex(cipher.finalize()))
    }

    /// Checks size and hash of the encrypted file without decrypting.
    package static func checkEncrypted(_ file: URL, _ d: PartDigest) throws {
        let attrs = try FileManager.default.attributesOfItem(atPath: file.path)
        guard (attrs[.size] as? NSNumber)?.int64Value == d.encryptedBytes else {
            throw Failure.corrupt("\(d.name): size differs from the manifest (truncated or padded)")
        }
        let h = try FileHandle(forReadingFrom: file)
        defer { try? h.close() }
        var sha = SHA256()
        while let data = try h.read(upToCount: chunkSize), !data.isEmpty { sha.update(data: data) }
        guard hex(sha.finalize()) == d.encryptedSha256 else {
            throw Failure.corrupt("\(d.name): checksum differs from the manifest (corrupted)")
        }
    }

    /// Decrypts `file` into `dest`, verifying every chunk's tag and the plaintext hash.
    package static func decrypt(_ file: URL, to dest: URL, _ d: PartDigest, key: SymmetricKey) throws {
        let data = try Data(contentsOf: file, options: .alwaysMapped)
        FileManager.default.createFile(atPath: dest.path, contents: nil)
        let out = try FileHandle(forWritingTo: dest)
        defer { try? out.close() }
        var sha = SHA256()
        var offset = 0, index: UInt64 = 0, total: Int64 = 0
        while offset < data.count {
            guard offset + 4 <= data.count else { throw Failure.corrupt("\(d.name): truncated chunk header") }
            let len = data[data.startIndex + offset..<data.startIndex + offset + 4].reduce(0) { ($0 << 8) | Int($1) }
            offset += 4
            guard offset + len <= data.count else { throw Failure.corrupt("\(d.name): truncated chunk") }
            let box = try AES.GCM.SealedBox(combined: data[data.startIndex + offset..<data.startIndex + offset + len])
            var ad = index.bigEndian
            let plain: Data
            do { plain = try AES.GCM.open(box, using: key, authenticating: Data(bytes: &ad, count: 8)) } catch {
                throw Failure.corrupt("\(d.name): chunk \(index) does not decrypt (wrong key or altered data)")
            }
            sha.update(data: plain)
            total += Int64(plain.count)
            try out.write(contentsOf: plain)
            offset += len
            index += 1
        }
        guard total == d.bytes, hex(sha.finalize()) == d.sha256 else {
            throw Failure.corrupt("\(d.name): content differs from the manifest")
        }
    }

    /// A simple archive of files: [path length u32][path][size u64][bytes]…, paths relative to `root`.
    /// Returns the SHA-256 of every file packed, by path.
    package static func pack(_ root: URL, skipping: (String) -> Bool, into dest: URL) throws -> [String: String] {
        FileManager.default.createFile(atPath: dest.path, contents: nil)
        let out = try FileHandle(forWritingTo: dest)
        defer { try? out.close() }
        var hashes: [String: String] = [:]
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return [:]
        }
        var files: [String] = []
        for case let url as URL in e where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
        {
            let rel = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            if !skipping(rel) && !rel.hasPrefix(".tmp-") && !rel.contains("/.tmp-") { files.append(rel) }
        }
        for rel in files.sorted() {
            let body = try Data(contentsOf: root.appendingPathComponent(rel))
            var pl = UInt32(rel.utf8.count).bigEndian, bl = UInt64(body.count).bigEndian
            try out.write(contentsOf: Data(bytes: &pl, count: 4) + Data(rel.utf8) + Data(bytes: &bl, count: 8) + body)
            hashes[rel] = hex(SHA256.hash(data: body))
        }
        return hashes
    }

    package static func unpack(_ archive: URL, into root: URL) throws -> [String: String] {
        let data = try Data(contentsOf: archive, options: .alwaysMapped)
        var offset = 0
        var hashes: [String: String] = [:]
        func int(_ n: Int) throws -> Int {
            guard offset + n <= data.count else { throw Failure.corrupt("blob archive truncated") }
            let v = data[data.startIndex + offset..<data.startIndex + offset + n].reduce(0) { ($0 << 8) | Int($1) }
            offset += n
            return v
        }
        while offset < data.count {
            let pl = try int(4)
            guard offset + pl <= data.count else { throw Failure.corrupt("blob archive truncated") }
            let rel = String(decoding: data[data.startIndex + offset..<data.startIndex + offset + pl], as: UTF8.self)
            offset += pl
            guard !rel.hasPrefix("/"), !rel.split(separator: "/").contains("..") else {
                throw Failure.corrupt("blob archive has an unsafe path")
            }
            let bl = try int(8)
            guard offset + bl <= data.count else { throw Failure.corrupt("blob archive truncated") }
            let body = data[data.startIndex + offset..<data.startIndex + offset + bl]
            offset += bl
            let dest = root.appendingPathComponent(rel)
            try FileManager.default.createDirectory(
                at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(body).write(to: dest, options: .atomic)
            hashes[rel] = hex(SHA256.hash(data: body))
        }
        return hashes
    }
}
