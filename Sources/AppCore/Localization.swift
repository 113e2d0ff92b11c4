import Domain
import Foundation
import Vapor

/// The locale files, read once: `Resources/locales/<code>.json`, an object from each English text to its translation.
package enum Locales {
    package static let tables: [PatientLanguage: [String: String]] = {
        var out: [PatientLanguage: [String: String]] = [:]
        for language in PatientLanguage.allCases where language != .en {
            guard
                let url = Bundle.module.url(
                    forResource: language.rawValue, withExtension: "json",
                    subdirectory: "locales"),
                let data = try? Data(contentsOf: url),
                let table = try? JSONDecoder().decode([String: String].self, from: data)
            else {
                preconditionFailure("the locale file \(language.rawValue).json is missing or is not an object of texts")
            }
            out[language] = table
        }
        return out
    }()

    package static func translator(_ language: PatientLanguage) -> Translator {
        Translator(language, table: tables[language] ?? [:])
    }

    /// The cookie that carries the chosen language (not PHI; read before sign-in too).
    package static let cookie = "cs_lang"
}

extension Request {
    /// The language of patient-facing pages: the one chosen (the switch, or the patient's own setting at sign-in),
    /// else the browser's, else English.
    package var language: PatientLanguage {
        chosenLanguage ?? headers.first(name: .acceptLanguage).flatMap(PatientLanguage.preferred(acceptLanguage:))
            ?? .en
    }

    /// The language picked with the switch in this browser, if any (it wins over a patient's stored setting on pages
    /// shown before sign-in).
    package var chosenLanguage: PatientLanguage? {
        guard let raw = cookies[Locales.cookie]?.string else { return nil }
        return PatientLanguage(rawValue: raw)
    }

    /// Patient-facing text in `language`.
    package var tr: Translator { Locales.translator(language) }
}

extension Response {
    /// Remembers the chosen language in this browser for a year.
    package func rememberLanguage(_ language: PatientLanguage, req: Request) {
        cookies[Locales.cookie] = HTTPCookies.Value(
            string: language.rawValue, expires: nil, maxAge: 365 * 86400, domain: nil, path: "/",
            isSecure: req.config.cookieSecure, isHTTPOnly: true, sameSite: .lax)
    }
}
