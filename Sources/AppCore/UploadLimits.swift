import Vapor

/// How large a request body may be where files come in: a tus chunk, or a form with an attachment.
package enum UploadLimits {
    package static let maxBody: ByteCount = "26mb"
}
