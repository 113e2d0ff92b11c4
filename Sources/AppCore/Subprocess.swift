import Foundation

/// Runs another program and collects its output. Descriptors above stderr are closed first, so a daemon it starts
/// (pg_ctl's server) cannot hold Foundation's child-monitoring socket and stall the wait.
package enum Subprocess {
    package struct Output: Sendable {
        package let status: Int32
        package let stdout: Data
        package let stderr: Data
        package var errorText: String { String(decoding: stderr, as: UTF8.self) }
        package var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    package static func run(_ command: [String], environment: [String: String]? = nil) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments =
            [
                "-c",
                #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; exec "$@""#,
                "bash",
            ] + command
        if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Read both pipes while the program runs so neither fills up.
        let errData = Collected()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errData.done { usleep(1000) }
        return Output(status: p.terminationStatus, stdout: output, stderr: errData.value)
    }

    package final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        private var finished = false
        package func set(_ d: Data) { lock.lock(); data = d; finished = true; lock.unlock() }
        package var done: Bool { lock.lock(); defer { lock.unlock() }; return finished }
        package var value: Data { lock.lock(); defer { lock.unlock() }; return data }
    }
}
