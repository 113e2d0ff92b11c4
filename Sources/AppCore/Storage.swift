import Vapor
import Prometheus

/// Typed application storage for the effects chosen in `configure`.
extension Application {
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }
    private struct ClockKey: StorageKey { typealias Value = any AppClock }
    private struct BlobKey: StorageKey { typealias Value = any BlobStore }
    private struct SerializerKey: StorageKey { typealias Value = WriteSerializer }
    private struct MetricsKey: StorageKey { typealias Value = AppMetrics }

    public var config: AppConfig {
        get { storage[ConfigKey.self] ?? AppConfig(dataDir: "./caresync-data") }
        set { storage[ConfigKey.self] = newValue }
    }
    public var clock: any AppClock {
        get { storage[ClockKey.self] ?? SystemClock() }
        set { storage[ClockKey.self] = newValue }
    }
    public var blobs: any BlobStore {
        get { storage[BlobKey.self]! }
        set { storage[BlobKey.self] = newValue }
    }
    package var serializer: WriteSerializer {
        get { storage[SerializerKey.self]! }
        set { storage[SerializerKey.self] = newValue }
    }
    public var appMetrics: AppMetrics {
        get { storage[MetricsKey.self]! }
        set { storage[MetricsKey.self] = newValue }
    }
}

extension Request {
    package var now: Date { application.clock.now() }
    package var config: AppConfig { application.config }
}
