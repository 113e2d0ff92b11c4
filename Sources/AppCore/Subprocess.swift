import Foundation
import Subprocess
import SystemPackage

/// Runs another program (vips, pg_dump, pg_ctl, tar, …) through swift-subprocess and collects its output.
package enum ExternalProgram {
    package struct Output: Sendable {
        package let status: Int32
        package let stdout: Data
        package let stderr: Data
        package var errorText: String { String(decoding: stderr, as: UTF8.self) }
        package var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Where an installed program is (the Debian places), or nil when it is not installed.
    package static func locate(_ name: String) -> String? {
        ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"].map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// How much output is kept (a dump goes to a file, not through here).
    static let outputLimit = 64 << 20

    /// Runs `command` (the program's path, then its arguments) with the environment plus `environment`, and `input`
    /// on its standard input (closed when nil; a secret goes here, never into the arguments that `ps` shows); a
    /// program killed by a signal reports 128 + the signal, as a shell does.
    package static func run(_ command: [String], environment: [String: String]? = nil, input: [UInt8]? = nil)
        async throws -> Output
    {
        precondition(!command.isEmpty, "a command names its program")
        let extra = Dictionary(
            uniqueKeysWithValues: (environment ?? [:]).map {
                (Environment.Key(stringLiteral: $0.key), Optional($0.value))
            }
        )
        let program = Executable.path(FilePath(command[0]))
        let arguments = Arguments(Array(command.dropFirst()))
        let env: Environment = extra.isEmpty ? .inherit : .inherit.updating(extra)
        let result =
            if let input {
                try await Subprocess.run(
                    program, arguments: arguments, environment: env, input: .array(input),
                    output: .data(limit: outputLimit), error: .data(limit: outputLimit))
            } else {
                try await Subprocess.run(
                    program, arguments: arguments, environment: env, output: .data(limit: outputLimit),
                    error: .data(limit: outputLimit))
            }
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): Int32(code)
            case .signaled(let signal): 128 + Int32(signal)
            }
        return Output(status: status, stdout: result.standardOutput, stderr: result.standardError)
    }
}
