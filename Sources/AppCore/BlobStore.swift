import Foundation

/// Where files live (images, checkpoints, exports). Filesystem now; S3-compatible storage later behind the same
/// interface.
public protocol BlobStore: Sendable {
    func put(_ key: String, _ data: Data) throws
    func get(_ key: String) throws -> Data?
    func delete(_ key: String) throws
    /// Writes, reads back and removes a probe: what /health/ready checks.
    func probe() throws
}

public struct FileBlobStore: BlobStore {
    public let root: URL

    public init(root: String) throws {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
        try FileManager.default.createDirectory(at: self.root, withIntermediateDirectories: true)
    }

    package func url(_ key: String) throws -> URL {
        guard !key.isEmpty, !key.hasPrefix("/"), !key.split(separator: "/").contains(where: { $0 == ".." || $0 == "." })
        else {
            throw CocoaError(.fileWriteInvalidFileName)
        }
        return root.appendingPathComponent(key)
    }

    /// Atomic: written to a temporary file, flushed, then renamed into place.
    public func put(_ key: String, _ data: Data) throws {
        let dest = try url(key)
        try FileManager.default.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
        let tmp = dest.deletingLastPathComponent().appendingPathComponent(".tmp-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: tmp.path, contents: nil)
        let h = try FileHandle(forWritingTo: tmp)
        do {
            try h.write(contentsOf: data)
            try h.synchronize()
            try h.close()
        } catch {
            try? h.close()
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
        if rename(tmp.path, dest.path) != 0 {
            try? FileManager.default.removeItem(at: tmp)
            throw CocoaError(.fileWriteUnknown)
        }
    }

    public func get(_ key: String) throws -> Data? {
        let u = try url(key)
        guard FileManager.default.fileExists(atPath: u.path) else { return nil }
        return try Data(contentsOf: u)
    }

    public func delete(_ key: String) throws {
        let u = try url(key)
        if FileManager.default.fileExists(atPath: u.path) { try FileManager.default.removeItem(at: u) }
    }

    public func probe() throws {
        let key = "health/probe-\(UUID().uuidString)"
        let payload = Data("ok".utf8)
        try put(key, payload)
        guard try get(key) == payload else { throw CocoaError(.fileReadCorruptFile) }
        try delete(key)
    }
}
