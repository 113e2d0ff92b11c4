import Vapor
import Plot
import Domain
import AppCore

/// Where a wound is: a foot diagram with the named sites numbered, the same numbers on a list of choices (radio
/// buttons, so it works without a script and with a screen reader), "Other" with words, and the side.
package struct FootSitePicker {
    package let selected: String?
    package let other: String?
    package let side: String?
    package let errors: [FieldError]
    package var t: Translator = .english

    package init(input: PhotoStore.WoundInput, errors: [FieldError], t: Translator = .english) {
        let named = input.bodySite.map(FootSites.isNamed) ?? false
        self.selected = named || input.bodySite == "other" ? input.bodySite : (input.bodySite == nil ? nil : "other")
        self.other = input.bodySite == "other" ? input.bodySiteOther : (named ? nil : input.bodySite)
        self.side = input.side
        self.errors = errors
        self.t = t
    }

    package func render() -> Node<HTML.FormContext> {
        let err = errors.first { $0.field == "bodySite" }
        return .group(
            .element(
                named: "fieldset",
                nodes: [
                    .class(err == nil ? "site-picker" : "site-picker field error"),
                    .element(named: "legend", text: t("Where is it?") + " *"),
                    .unwrap(err) { .p(.class("field-error"), .text($0.message)) },
                    .div(
                        .class("site-grid"),
                        .raw(diagram()),
                        .div(
                            .class("site-list"),
                            .forEach(Array(FootSites.all.enumerated())) { (i, s) in
                                .label(
                                    .class("check"),
                                    .input(
                                        .type(.radio), .name("bodySite"), .value(s.name), .id("site-\(i + 1)"),
                                        .checked(selected == s.name)),
                                    .text(" \(i + 1). " + t(s.name)))
                            },
                            .label(
                                .class("check"),
                                .input(
                                    .type(.radio), .name("bodySite"), .value("other"), .id("site-other"),
                                    .checked(selected == "other")),
                                .text(" " + t("Somewhere else (say where)"))))),
                ]),
            FormKit.field(
                t("Somewhere else"), name: "bodySiteOther", value: other, errors: errors,
                hint: t("For example: bottom of the big toe"), id: "body-site-other"),
            FormKit.select(
                t("Which side"), name: "side",
                options: WoundRules.sides.map { ($0, t($0 == "n/a" ? "Not applicable" : $0.capitalized)) },
                selected: side ?? "left", errors: errors))
    }

    /// The right foot from below; each site's number where it is. Drawn by us: numbers only, nothing typed.
    func diagram() -> String {
        var s = """
            <svg class="foot" viewBox="0 0 200 400" role="img" \
            aria-label="\(t("Foot seen from below, sites numbered"))" \
            xmlns="http://www.w3.org/2000/svg"><path d="M60 20c-25 4-38 30-40 70-3 60 18 100 22 150 4 55-2 90 18 120 \
            18 27 70 27 88 0 20-30 12-70 14-120 2-45 16-80 12-130-4-45-30-70-60-80-18-6-38-14-54-10z" fill="#f5e9df" \
            stroke="#7a5c48" stroke-width="2"/>
            """
        for (i, site) in FootSites.all.enumerated() {
            s += "<circle cx=\"\(Int(site.x))\" cy=\"\(Int(site.y))\" r=\"11\" fill=\"#0b4f6c\"/>"
            s +=
                "<text x=\"\(Int(site.x))\" y=\"\(Int(site.y) + 4)\" text-anchor=\"middle\" font-size=\"12\" "
                + "fill=\"#fff\">\(i + 1)</text>"
        }
        return s + "</svg>"
    }
}

/// One wound's size over time (a chart drawn on the server) and the words that sum it up.
package struct WoundTrendView {
    package let wound: PhotoStore.WoundDTO
    package let zone: TimeZone

    package init(wound: PhotoStore.WoundDTO, zone: TimeZone) {
        self.wound = wound
        self.zone = zone
    }

    package var points: [WoundTrend.Point] {
        wound.photos.compactMap { p in
            guard let l = p.lengthMm, let w = p.widthMm else { return nil }
            return WoundTrend.Point(
                day: LocalDay.of(p.uploadedAt, in: zone).iso, at: p.uploadedAt, lengthMm: l, widthMm: w)
        }
    }

    package func render() -> Node<HTML.BodyContext> {
        let points = self.points
        guard
            let svg = WoundTrend.svg(points, title: "Size of the \(wound.side) \(wound.bodySite) wound over time")
        else {
            return .p(.small(.text("No measured photos yet: measure a photo to start the size chart.")))
        }
        return .div(
            .class("trend-chart"), .id("trend-\(wound.id.uuidString)"),
            .unwrap(WoundTrend.summary(points)) { .p(.strong(.class("trend-summary"), .text($0))) },
            .raw(svg))
    }
}

/// Two photos of one wound side by side, with their days and measurements.
package struct WoundComparePage {
    package let patient: PatientName
    package let wound: PhotoStore.WoundDTO
    package let a: PhotoStore.PhotoDTO
    package let b: PhotoStore.PhotoDTO
    package let zone: TimeZone

    package struct PatientName: Sendable {
        package let id: UUID
        package let name: String
        package init(id: UUID, name: String) {
            self.id = id
            self.name = name
        }
    }

    package init(
        patient: PatientName, wound: PhotoStore.WoundDTO, a: PhotoStore.PhotoDTO, b: PhotoStore.PhotoDTO,
        zone: TimeZone
    ) {
        self.patient = patient
        self.wound = wound
        (self.a, self.b) = a.uploadedAt <= b.uploadedAt ? (a, b) : (b, a)
        self.zone = zone
    }

    package func render(for req: Request) -> String {
        func mm(_ v: Double?) -> String { v.map { String(format: "%.1f mm", $0) } ?? "—" }
        func side(_ p: PhotoStore.PhotoDTO) -> Node<HTML.BodyContext> {
            .div(
                .class("compare-photo"),
                .a(.href(Site.photo.path(p.id)), .img(.src(Site.photo.path(p.id)), .alt("Photo of \(day(p))"))),
                .p(
                    .strong(.text(day(p))), .br(),
                    .text("L \(mm(p.lengthMm)) · W \(mm(p.widthMm)) · D \(mm(p.depthMm))")))
        }
        let change = WoundTrend.areaChange(
            [a, b].compactMap { p in
                p.lengthMm.flatMap { l in
                    p.widthMm.map { WoundTrend.Point(day: day(p), at: p.uploadedAt, lengthMm: l, widthMm: $0) }
                }
            })
        return Layout.page(
            "Compare wound photos", req: req,
            .div(
                .p(
                    .a(
                        .href(Site.patientWounds.path(patient.id) + "#wound-\(wound.id.uuidString)"),
                        .text("← Wounds"))),
                .h1(.text("\(patient.name): \(wound.bodySite), \(wound.side)")),
                .unwrap(change) {
                    .p(
                        .id("compare-change"),
                        .text(
                            "Area \(Int(abs($0).rounded())) % \($0 < 0 ? "smaller" : "larger") on \(day(b)) "
                                + "than on \(day(a)).",
                        ))
                },
                .div(.class("compare"), .id("compare"), side(a), side(b))))
    }

    /// The day, and the time when both photos are from the same day.
    func day(_ p: PhotoStore.PhotoDTO) -> String {
        let d = LocalDay.of(p.uploadedAt, in: zone).iso
        let sameDay = LocalDay.of(a.uploadedAt, in: zone) == LocalDay.of(b.uploadedAt, in: zone)
        return sameDay ? d + " " + Format.time(p.uploadedAt, zone: zone) : d
    }
}
