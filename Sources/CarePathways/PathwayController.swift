import Vapor
import Plot
import Domain
import AppCore
import Locations

/// Care pathways: templates and approval, procedures and enrolment, the patient's check-ins, care-team tasks. JSON API
/// and pages.
package enum PathwayController {
    package struct NoteBody: Content {
        package var note: String?
    }
    package struct AnswersBody: Content {
        package var answers: [String: String]?
    }
    package struct OfferBody: Content {
        package var offer: Int?
    }

    // MARK: API

    @Sendable package static func templatesAPI(req: Request) async throws -> [PathwayStore.TemplateSummary] {
        try await req.pathways().templates()
    }

    @Sendable package static func templateAPI(req: Request) async throws -> PathwayStore.TemplateDTO {
        try await req.pathways().template(try req.idParameter("id"))
    }

    @Sendable package static func draftAPI(req: Request) async throws -> Response {
        let t = try req.decodeJSON(PathwayTemplate.self)
        return try await req.pathways().draft(t).encodeResponse(status: .created, for: req)
    }

    @Sendable package static func approveAPI(req: Request) async throws -> PathwayStore.TemplateSummary {
        try await req.pathways().approve(
            try req.idParameter("id"), note: (try? req.content.decode(NoteBody.self))?.note)
    }

    @Sendable package static func procedureAPI(req: Request) async throws -> Response {
        let input = try req.decodeJSON(PathwayStore.ProcedureInput.self)
        return try await req.pathways().recordProcedure(patientID: try req.idParameter("id"), input).encodeResponse(
            status: .created, for: req)
    }

    @Sendable package static func enrolAPI(req: Request) async throws -> Response {
        let input = try req.decodeJSON(PathwayStore.EnrolInput.self)
        return try await req.pathways().enrol(patientID: try req.idParameter("id"), input).encodeResponse(
            status: .created, for: req)
    }

    @Sendable package static func stopAPI(req: Request) async throws -> PathwayStore.EnrolmentDTO {
        try await req.pathways().stop(try req.idParameter("id"))
    }

    @Sendable package static func tasksAPI(req: Request) async throws -> [PathwayStore.TaskDTO] {
        try await req.pathways().tasks(patientID: try req.idParameter("id"))
    }

    @Sendable package static func taskAPI(req: Request) async throws -> PathwayStore.TaskDTO {
        try await req.pathways().task(try req.idParameter("id"))
    }

    @Sendable package static func answerAPI(req: Request) async throws -> PathwayStore.AnswerResult {
        try await req.pathways().answer(
            try req.idParameter("id"), answers: try req.decodeJSON(AnswersBody.self).answers ?? [:])
    }

    @Sendable package static func bookAPI(req: Request) async throws -> PathwayStore.TaskDTO {
        guard let i = try req.decodeJSON(OfferBody.self).offer else {
            throw AppError.validation([FieldError("offer", "Choose one of the offered times.")])
        }
        return try await req.pathways().chooseFollowUp(try req.idParameter("id"), offer: i)
    }

    @Sendable package static func careTasksAPI(req: Request) async throws -> [PathwayStore.CareTaskDTO] {
        try await req.pathways().careTasks(includeClosed: req.query[String.self, at: "all"] != nil)
    }

    @Sendable package static func closeCareTaskAPI(req: Request) async throws -> PathwayStore.CareTaskDTO {
        try await req.pathways().closeCareTask(
            try req.idParameter("id"), note: (try? req.content.decode(NoteBody.self))?.note)
    }

    // MARK: staff pages

    @Sendable package static func templatesPage(req: Request) async throws -> Response {
        Layout.render(TemplatesPage(rows: try await req.pathways().templates()).render(for: req))
    }

    @Sendable package static func templatePage(req: Request) async throws -> Response {
        let t = try await req.pathways().template(try req.idParameter("id"))
        let p = try req.principal()
        return Layout.render(
            TemplatePreviewPage(
                t: t,
                canApprove: AccessPolicy.decide(p, .approvePathwayTemplate).isAllowed && t.summary.status == .draft,
                approved: req.query[String.self, at: "approved"] != nil
            ).render(for: req))
    }

    @Sendable package static func approveFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        _ = try await req.pathways().approve(id, note: try? req.content.get(String.self, at: "note"))
        return req.redirect(to: Site.pathway.path(id) + "?approved=1")
    }

    @Sendable package static func procedureFromChart(req: Request) async throws -> Response {
        let pid = try req.idParameter("id")
        func text(_ k: String) -> String? { try? req.content.get(String.self, at: k) }
        let input = PathwayStore.ProcedureInput(
            code: text("code"), name: text("name"), performedOn: text("performedOn"),
            locationId: text("locationId").flatMap { UUID(uuidString: $0) },
            providerId: text("providerId").flatMap { UUID(uuidString: $0) })
        do {
            let r = try await req.pathways().recordProcedure(patientID: pid, input)
            return req.redirect(
                to: Site.patient.path(pid) + "?procedure=\(r.enrolment == nil ? "recorded" : "enrolled")")
        } catch AppError.validation(let errors) {
            return try await req.application.chartPage(
                req, pid, ChartFormErrors(procedure: errors), .unprocessableEntity)
        }
    }

    @Sendable package static func enrolFromChart(req: Request) async throws -> Response {
        let pid = try req.idParameter("id")
        func text(_ k: String) -> String? { try? req.content.get(String.self, at: k) }
        let input = PathwayStore.EnrolInput(
            templateCode: text("templateCode"), startDay: text("startDay"),
            locationId: text("locationId").flatMap { UUID(uuidString: $0) },
            providerId: text("providerId").flatMap { UUID(uuidString: $0) })
        do {
            _ = try await req.pathways().enrol(patientID: pid, input)
            return req.redirect(to: Site.patient.path(pid) + "?procedure=enrolled")
        } catch AppError.validation(let errors) {
            return try await req.application.chartPage(
                req, pid, ChartFormErrors(procedure: errors), .unprocessableEntity)
        } catch AppError.conflict(_, let detail, _) {
            return try await req.application.chartPage(
                req, pid, ChartFormErrors(procedure: [FieldError("templateCode", detail)]), .conflict)
        }
    }

    @Sendable package static func careTasksPage(req: Request) async throws -> Response {
        Layout.render(
            CareTasksPage(
                rows: try await req.pathways().careTasks(), closed: req.query[String.self, at: "closed"] != nil,
                zone: try await LocationRecord.homeZone(on: req.db)
            ).render(for: req))
    }

    @Sendable package static func closeFromPage(req: Request) async throws -> Response {
        _ = try await req.pathways().closeCareTask(
            try req.idParameter("id"), note: try? req.content.get(String.self, at: "note"))
        return req.redirect(to: Site.tasks.path() + "?closed=1")
    }

    // MARK: portal pages

    @Sendable package static func portalList(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        let tasks = try await req.pathways().tasks(patientID: pid)
        return Layout.render(
            PortalCheckInsPage(tasks: tasks, zone: try await LocationRecord.homeZone(on: req.db)).render(for: req))
    }

    @Sendable package static func portalTask(req: Request) async throws -> Response {
        let t = try await req.pathways().task(try req.idParameter("id"))
        return Layout.render(
            PortalCheckInPage(task: t, answers: t.answers ?? [:], advice: nil, zones: try await zones(req)).render(
                for: req))
    }

    @Sendable package static func portalAnswer(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        let t = try await req.pathways().task(id)
        var answers: [String: String] = [:]
        for q in t.questions { if let v = try? req.content.get(String.self, at: q.id) { answers[q.id] = v } }
        do {
            let r = try await req.pathways().answer(id, answers: answers)
            return Layout.render(
                PortalCheckInPage(task: r.task, answers: answers, advice: r.advice, thanks: true).render(for: req))
        } catch AppError.validation(let errors) {
            return Layout.render(
                PortalCheckInPage(task: t, answers: answers, advice: nil, errors: errors).render(for: req),
                status: .unprocessableEntity)
        }
    }

    package static func zones(_ req: Request) async throws -> [UUID: TimeZone] {
        var out: [UUID: TimeZone] = [:]
        for l in try await LocationRecord.query(on: req.db).all() {
            out[try l.requireID()] = TimeZone(identifier: l.timeZone)
        }
        return out
    }

    @Sendable package static func portalBook(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        let offer = (try? req.content.get(String.self, at: "offer")).flatMap { Int($0) } ?? -1
        do {
            _ = try await req.pathways().chooseFollowUp(id, offer: offer)
            return req.redirect(to: Site.portalAppointments.path())
        } catch AppError.conflict(_, let detail, _) {
            let t = try await req.pathways().task(id)
            return Layout.render(
                PortalCheckInPage(
                    task: t, answers: [:], advice: nil, zones: try await zones(req),
                    errors: [FieldError("offer", detail)]
                ).render(for: req), status: .conflict)
        } catch AppError.validation(let errors) {
            let t = try await req.pathways().task(id)
            return Layout.render(
                PortalCheckInPage(task: t, answers: [:], advice: nil, zones: try await zones(req), errors: errors)
                    .render(for: req), status: .unprocessableEntity)
        }
    }
}
