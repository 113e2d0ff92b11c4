import Vapor
import Plot
import Domain

/// One form field drawn from its definition, with its answer and error (intake forms and pathway check-ins).
package struct FormFieldView {
    package let answers: [String: String]
    package let errors: [FieldError]
    /// The patient's language: labels, help, options (their stored values stay as defined) and messages.
    package var t: Translator = .english

    package func field<C: HTML.BodyContext>(_ f: FormDefinition.Field) -> Node<C> {
        let value = answers[f.id]
        let label = t(f.label) + (f.required ? " *" : "")
        let errors = t.errors(self.errors)
        let help = f.help.map { t($0) }
        switch f.kind {
        case .text, .signature, .number:
            return FormKit.field(label, name: f.id, value: value, errors: errors, hint: help)
        case .file:
            let err = errors.first { $0.field == f.id }
            return .div(
                .class(err == nil ? "field" : "field error"),
                .label(.for("\(f.id)__file"), .text(label)),
                .unwrap(help) { .small(.text($0)) },
                .unwrap(err) { .p(.class("field-error"), .text($0.message)) },
                .unwrap(value) { v in
                    .p(
                        .id("\(f.id)-current"), .text(t("A file is attached.") + " "),
                        .a(
                            .href(UUID(uuidString: v).map { Site.portalAttachment.path($0) } ?? "#"),
                            .text(t("Open it"))),
                        .text(" " + t("or choose another to replace it.")))
                },
                .input(.type(.hidden), .name(f.id), .value(Escape.attribute(value ?? ""))),
                .input(
                    .type(.file), .id("\(f.id)__file"), .name("\(f.id)__file"),
                    .attribute(named: "accept", value: "application/pdf,image/jpeg,image/png,image/heic,.heic")))
        case .date:
            return FormKit.field(
                label, name: f.id, value: value, type: .date, errors: errors, hint: help ?? "YYYY-MM-DD")
        case .textarea:
            let err = errors.first { $0.field == f.id }
            return .div(
                .class(err == nil ? "field" : "field error"),
                .label(.for(f.id), .text(label)),
                .unwrap(help) { .small(.text($0)) },
                .unwrap(err) { .p(.class("field-error"), .text($0.message)) },
                .textarea(.id(f.id), .name(f.id), .attribute(named: "rows", value: "3"), .text(value ?? "")))
        case .choice, .yesno:
            let options =
                f.kind == .yesno ? [("yes", t("Yes")), ("no", t("No"))] : (f.options ?? []).map { ($0, t($0)) }
            return FormKit.select(
                label, name: f.id, options: [("", t("Choose…"))] + options.map { (value: $0.0, label: $0.1) },
                selected: value, errors: errors)
        case .multichoice:
            let picked = Set((value ?? "").split(separator: "|").map(String.init))
            let err = errors.first { $0.field == f.id }
            return .div(
                .class(err == nil ? "field" : "field error"), .p(.strong(.text(label))),
                .unwrap(err) { .p(.class("field-error"), .text($0.message)) },
                .forEach(Array((f.options ?? []).enumerated())) { (i, o) in
                    .label(
                        .class("check"),
                        .input(
                            .type(.checkbox), .name("\(f.id)__\(i)"), .value(Escape.attribute(o)),
                            .checked(picked.contains(o))), .text(" " + t(o)))
                })
        }
    }

    package init(answers: [String: String], errors: [FieldError], t: Translator = .english) {
        self.answers = answers
        self.errors = errors
        self.t = t
    }
}

extension FormDefinition: Content {}

/// Answers posted from a form drawn with `FormFieldView`: one key per field; a multiple-choice field sends
/// `<id>__<n>` per ticked option (joined with `|`). File fields are left to the caller (they need storing).
package enum FormAnswers {
    package static func decode(_ req: Request, fields: [FormDefinition.Field]) -> [String: String] {
        func text(_ key: String) -> String? { try? req.content.get(String.self, at: key) }
        var out: [String: String] = [:]
        for f in fields where f.kind != .file {
            if f.kind == .multichoice {
                let picked = (f.options ?? []).indices.compactMap { text("\(f.id)__\($0)") }
                if !picked.isEmpty { out[f.id] = picked.joined(separator: "|") }
            } else if let v = text(f.id) {
                out[f.id] = v
            }
        }
        return out
    }
}
