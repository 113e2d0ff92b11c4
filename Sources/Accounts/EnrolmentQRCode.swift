import Foundation
import AppCore

/// The two-step enrolment link as a QR code, drawn on the server by `qrencode` (an SVG in the page: no script, no
/// image request, nothing sent elsewhere). The link carries the secret, so it goes to qrencode on standard input.
/// Without qrencode (`CARESYNC_QRENCODE`, or found in the usual places) the page offers the link and the key only.
package enum EnrolmentQRCode {
    package static func svg(_ uri: String, program: String? = nil) async -> String? {
        guard
            let path = program ?? ProcessInfo.processInfo.environment["CARESYNC_QRENCODE"]
                ?? ExternalProgram.locate("qrencode"),
            FileManager.default.isExecutableFile(atPath: path)
        else { return nil }
        let out = try? await ExternalProgram.run(
            [path, "--type=SVG", "--inline", "--level=M", "--size=5", "--margin=4", "--output=-"],
            input: Array(uri.utf8))
        guard let out, out.status == 0, out.text.contains("<svg") else { return nil }
        return out.text
    }
}
