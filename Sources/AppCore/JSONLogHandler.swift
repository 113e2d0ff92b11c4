import Foundation
import Logging
import NIOConcurrencyHelpers

/// JSON-lines log handler: one object a line with time, level, label, message and metadata (request-id among them).
/// Nothing logged anywhere in CareSync carries PHI: messages are fixed strings, metadata are ids and counts. The
/// database libraries log a query's values (Fluent's `input` and `filters`, SQLKit's and PostgresNIO's binds) at
/// debug and trace level: those values are patients' names, birth dates and phones, so they are dropped here, at every
/// level, and only their count is kept.
public struct JSONLogHandler: LogHandler {
    public typealias Sink = @Sendable (String) -> Void
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    package let label: String
    package let sink: Sink

    public init(label: String, level: Logger.Level = .info, sink: @escaping Sink = JSONLogHandler.stdout) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
        source: String, file: String, function: String, line: UInt
    ) {
        var obj: [String: Any] = [
            "ts": Self.timestamp(Date()),
            "level": level.rawValue,
            "label": label,
            "msg": message.description,
        ]
        for (k, v) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) {
            obj[k] = Self.carriesValues(k) ? Self.redacted(v) : Self.plain(v)
        }
        guard let data = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]),
            let line = String(data: data, encoding: .utf8)
        else { return }
        sink(line)
    }

    /// Metadata keys under which the database layers put the values of a query.
    package static let valueKeys: Set<String> = [
        "binds", "input", "filters", "values", "psql_binds", "query_binds", "row", "rows",
    ]

    package static func carriesValues(_ key: String) -> Bool {
        valueKeys.contains(key) || key.lowercased().contains("bind")
    }

    package static func redacted(_ v: Logger.MetadataValue) -> String {
        if case .array(let a) = v { return "[\(a.count) values redacted]" }
        return "[redacted]"
    }

    package static func plain(_ v: Logger.MetadataValue) -> Any {
        switch v {
        case .string(let s): return s
        case .stringConvertible(let s): return s.description
        case .array(let a): return a.map(plain)
        case .dictionary(let d): return d.mapValues(plain)
        }
    }

    package static func timestamp(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }

    private static let outLock = NIOLock()
    public static let stdout: Sink = { line in
        outLock.withLock {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }
}
