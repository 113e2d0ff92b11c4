import Domain
import Vapor
import AppCore
import Patients

/// `POST /language`: the switch on patient-facing pages. A signed-in patient's choice is kept on their record (and so
/// reaches their notices); before sign-in it is kept in the browser. Goes back to the page it was made on.
package enum LanguageController {
    package struct Choice: Content {
        package var language: String?
        package var back: String?
    }

    @Sendable package static func choose(req: Request) async throws -> Response {
        let choice = try req.content.decode(Choice.self)
        guard let language = choice.language.flatMap(PatientLanguage.init(rawValue:)) else {
            throw AppError.validation([FieldError("language", "Choose one of: en, es.")])
        }
        if let s = req.signedIn, s.mfaPassed, s.role == .patient, let pid = s.principal.patientID {
            _ = try await req.patients().setLanguage(pid, language)
        }
        let res = req.redirect(to: localPath(choice.back) ?? Site.portal.path())
        res.rememberLanguage(language, req: req)
        return res
    }

    /// Only a path on this site (no scheme, host or `//`), so the switch cannot send anyone elsewhere.
    package static func localPath(_ raw: String?) -> String? {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains("\\"), raw.count <= 2000,
            !raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        return raw
    }
}
