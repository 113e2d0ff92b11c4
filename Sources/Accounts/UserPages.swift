import Vapor
import Plot
import Domain
import AppCore

package enum UserPagesController {
    package struct NewUserForm: Content {
        package var username: String?
        package var displayName: String?
        package var role: String?
        package var password: String?
        package var patientId: String?
    }

    @Sendable package static func list(req: Request) async throws -> Response {
        let users = try await req.userAdmin().list()
        return Layout.render(
            UsersPage(
                users: users, form: NewUserForm(),
                created: req.query[String.self, at: "created"]
            ).render(for: req))
    }

    @Sendable package static func create(req: Request) async throws -> Response {
        let f = try req.content.decode(NewUserForm.self)
        let admin = try req.userAdmin()
        do {
            var pid: UUID?
            if let raw = Text.clean(f.patientId) {
                guard let u = UUID(uuidString: raw) else {
                    throw AppError.validation([FieldError("patientId", "Patient id must be a record id (UUID).")])
                }
                pid = u
            }
            let u = try await admin.create(
                .init(
                    username: f.username, displayName: f.displayName, role: f.role, password: f.password, patientId: pid
                ))
            return req.redirect(to: Site.adminUsers.path() + "?created=\(u.username)")
        } catch let e as AppError {
            let errors: [FieldError]
            switch e {
            case .validation(let errs): errors = errs
            case .conflict(_, let d, _): errors = [FieldError("username", d)]
            default: throw e
            }
            let users = try await admin.list()
            return Layout.render(
                UsersPage(users: users, form: f, errors: errors).render(
                    for: req),
                status: e.status)
        }
    }

    package struct ChangeForm: Content {
        package var action: String?
        package var role: String?
    }

    @Sendable package static func change(req: Request) async throws -> Response {
        let id = try req.idParameter("user")
        let f = try req.content.decode(ChangeForm.self)
        var c = UserAdmin.Change()
        switch f.action {
        case "role": c.role = f.role
        case "activate": c.active = true
        case "deactivate": c.active = false
        case "unlock": c.unlock = true
        case "reset-mfa": c.resetMfa = true
        default: throw AppError.validation([FieldError("action", "Unknown action.")])
        }
        _ = try await req.userAdmin().update(id, c)
        return req.redirect(to: Site.adminUsers.path())
    }
}

package struct UsersPage {
    package let users: [UserDTO]
    package let form: UserPagesController.NewUserForm
    package var errors: [FieldError] = []
    package var created: String?

    package func render(for req: Request) -> String {
        let roleOptions = Role.allCases.map { (value: $0.rawValue, label: $0.label) }
        return Layout.page(
            "Users", req: req,
            .div(
                .h1(.text("Users")),
                .unwrap(created) { .p(.class("notice"), .text("Account \($0) created.")) },
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .id("users"), .class("stack"),
                        .thead(
                            .tr(
                                .th(.text("Username")), .th(.text("Name")), .th(.text("Role")), .th(.text("Status")),
                                .th(.text("Actions")))),
                        .tbody(
                            .forEach(users) { u in
                                .tr(
                                    .td(.text(u.username)), .td(.text(u.displayName)), .td(.text(u.role.rawValue)),
                                    .td(
                                        .text(
                                            [
                                                u.active ? "active" : "inactive",
                                                u.mfaEnrolled ? "2-step on" : "2-step off", u.locked ? "LOCKED" : nil,
                                            ]
                                            .compactMap { $0 }.joined(separator: ", "))),
                                    // The actions sit in one menu: opening it is a first tap, the action a second (a
                                    // deactivation or a 2-step reset is never one stray tap away).
                                    .td(
                                        .details(
                                            .class("menu"),
                                            .summary(
                                                .text("Actions…"),
                                                .attribute(
                                                    named: "aria-label",
                                                    value: "Actions for \(Escape.attribute(u.username))")),
                                            .form(
                                                .action(Site.adminUser.path(u.id)), .method(.post),
                                                .div(
                                                    FormKit.csrf(req),
                                                    .input(.type(.hidden), .name("action"), .value("role")),
                                                    .select(
                                                        .attribute(named: "name", value: "role"),
                                                        .attribute(
                                                            named: "aria-label", value: "Role for \(u.username)"),
                                                        .forEach(roleOptions) { o in
                                                            FormKit.option(
                                                                o.value, o.label, selected: o.value == u.role.rawValue)
                                                        }),
                                                    .button(.type(.submit), .text("Set role")))),
                                            .forEach([
                                                (
                                                    u.active ? "deactivate" : "activate",
                                                    u.active ? "Deactivate" : "Activate"
                                                ), ("unlock", "Unlock"), ("reset-mfa", "Reset 2-step"),
                                            ]) { a in
                                                .form(
                                                    .action(Site.adminUser.path(u.id)), .method(.post),
                                                    .div(
                                                        FormKit.csrf(req),
                                                        .input(.type(.hidden), .name("action"), .value(a.0)),
                                                        .button(.type(.submit), .text(a.1))))
                                            })))
                            })
                    )),
                .div(
                    .class("card"),
                    .h2(.text("Create an account")),
                    FormKit.errorSummary(errors),
                    .form(
                        .action(Site.adminUsers.path()), .method(.post),
                        .div(
                            FormKit.csrf(req),
                            FormKit.field(
                                "Username", name: "username", value: form.username, errors: errors, required: true),
                            FormKit.field(
                                "Display name", name: "displayName", value: form.displayName, errors: errors,
                                required: true),
                            FormKit.select(
                                "Role", name: "role", options: roleOptions, selected: form.role, errors: errors,
                                required: true),
                            FormKit.field(
                                "Initial password (12+ characters)", name: "password", type: .password, errors: errors,
                                required: true, autocomplete: "new-password"),
                            FormKit.field(
                                "Patient record id (patient accounts only)", name: "patientId", value: form.patientId,
                                errors: errors),
                            .button(.type(.submit), .id("create-user"), .text("Create"))
                        )))
            ))
    }
}
