import Foundation
import NIOCore
import NIOPosix
import AppCore

/// A small SMTP client (RFC 5321): EHLO, MAIL FROM, RCPT TO, DATA, QUIT over plain TCP to a relay.
/// TLS and AUTH are left to the relay in front of it (a local Postfix or the provider's smarthost on loopback).
package struct SMTPClient: Sendable {
    package let host: String
    package let port: Int
    package let heloName: String

    package struct Reply: Sendable {
        package let code: Int
        package let text: String
    }

    package enum SMTPError: Error, CustomStringConvertible {
        case unexpected(step: String, reply: String)
        case closed(step: String)
        package var description: String {
            switch self {
            case .unexpected(let step, let reply): return "SMTP \(step) refused: \(reply)"
            case .closed(let step): return "SMTP connection closed during \(step)"
            }
        }
    }

    package func send(from: String, to: [String], message: String) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var reader = ReplyReader(iterator: inbound.makeAsyncIterator())
            func step(_ name: String, send line: String?, expect codes: Set<Int>) async throws {
                if let line { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
                let r = try await reader.next(step: name)
                guard codes.contains(r.code) else {
                    throw SMTPError.unexpected(step: name, reply: "\(r.code) \(r.text)")
                }
            }
            try await step("greeting", send: nil, expect: [220])
            try await step("EHLO", send: "EHLO \(heloName)", expect: [250])
            try await step("MAIL FROM", send: "MAIL FROM:<\(from)>", expect: [250])
            for r in to { try await step("RCPT TO", send: "RCPT TO:<\(r)>", expect: [250, 251]) }
            try await step("DATA", send: "DATA", expect: [354])
            try await step("message", send: Self.dotStuffed(message) + "\r\n.", expect: [250])
            try? await step("QUIT", send: "QUIT", expect: [221])
        }
    }

    /// CRLF line ends; a line starting with "." gets another (RFC 5321 §4.5.2).
    package static func dotStuffed(_ s: String) -> String {
        s.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
    }

    /// Reads complete (possibly multi-line "250-…") replies from the byte stream.
    package struct ReplyReader {
        package var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        package var pending = ""

        package mutating func line(step: String) async throws -> String {
            while true {
                if let r = pending.range(of: "\r\n") {
                    let l = String(pending[..<r.lowerBound])
                    pending = String(pending[r.upperBound...])
                    return l
                }
                guard var buf = try await iterator.next() else { throw SMTPError.closed(step: step) }
                pending += buf.readString(length: buf.readableBytes) ?? ""
            }
        }

        package mutating func next(step: String) async throws -> Reply {
            var text: [String] = []
            while true {
                let l = try await line(step: step)
                guard l.count >= 3, let code = Int(l.prefix(3)) else {
                    throw SMTPError.unexpected(step: step, reply: l)
                }
                text.append(String(l.dropFirst(4)))
                if l.count == 3 || l[l.index(l.startIndex, offsetBy: 3)] == " " {
                    return Reply(code: code, text: text.joined(separator: " "))
                }
            }
        }
    }
}

/// A MIME message: a plain-text part and, optionally, one attachment (the .ics invitation).
package enum MIMEMessage {
    package static func build(
        from: String, to: String, subject: String, body: String, date: Date,
        attachment: (name: String, contentType: String, content: String)?
    ) -> String {
        let boundary = "caresync-\(UUID().uuidString)"
        let df = DateFormatter()
        df.locale = Locale(identifier: "en_US_POSIX")
        df.timeZone = TimeZone(identifier: "UTC")
        df.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        var lines = [
            "From: \(from)", "To: \(to)", "Subject: \(subject)", "Date: \(df.string(from: date))",
            "Message-ID: <\(UUID().uuidString.lowercased())@caresync>", "MIME-Version: 1.0",
        ]
        func base64(_ s: String) -> String {
            let b = Data(s.utf8).base64EncodedString()
            return stride(from: 0, to: b.count, by: 76).map { i in
                let start = b.index(b.startIndex, offsetBy: i)
                return String(b[start..<b.index(start, offsetBy: min(76, b.count - i))])
            }.joined(separator: "\r\n")
        }
        if let a = attachment {
            lines += [
                "Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "", "--\(boundary)",
                "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64(body),
                "--\(boundary)",
                "Content-Type: \(a.contentType)", "Content-Transfer-Encoding: base64",
                "Content-Disposition: attachment; filename=\"\(a.name)\"", "", base64(a.content), "--\(boundary)--",
            ]
        } else {
            lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64(body)]
        }
        return lines.joined(separator: "\r\n")
    }
}
