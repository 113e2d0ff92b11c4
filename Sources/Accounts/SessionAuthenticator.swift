import Vapor
import Fluent
import Domain
import AppCore

/// Resolves the session cookie (pages) or bearer token (API), applying idle and absolute time-outs.
package struct SessionAuthenticator: AsyncMiddleware {
    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // The API takes bearer tokens; so do the video visit's endpoints (signaling socket, ICE credentials, events)
        // when a client sends one (native and bench clients).
        let isAPI = req.url.path.hasPrefix("/api/") || req.isVisitWithBearer
        let token = isAPI ? req.headers.bearerAuthorization?.token : req.cookies[Cookies.session]?.string
        if let token, !token.isEmpty {
            try await resolve(token: token, kind: isAPI ? "api" : "web", req: req)
        }
        return try await next.respond(to: req)
    }

    private func resolve(token: String, kind: String, req: Request) async throws {
        guard
            let session = try await UserSessionRecord.query(on: req.db)
                .filter(\.$tokenHash == Token.hash(token)).filter(\.$kind == kind).filter(\.$revokedAt == nil).first(),
            let sid = session.id
        else { return }
        let now = req.now
        let idle = session.mfaPassed ? req.config.sessionIdleTimeout : req.config.mfaPendingTimeout
        if session.expiresAt <= now || session.lastSeenAt.addingTimeInterval(idle) <= now {
            req.sessionExpired = true
            _ = try await req.application.serializer.write(req.db) { tx in
                try await UserSessionRecord.query(on: tx).filter(\.$id == sid).set(\.$revokedAt, to: now).update()
            }
            return
        }
        guard let user = try await UserRecord.find(session.userID, on: req.db), user.active, let uid = user.id else {
            return
        }
        if now.timeIntervalSince(session.lastSeenAt) > 30 {
            _ = try await req.application.serializer.write(req.db) { tx in
                try await UserSessionRecord.query(on: tx).filter(\.$id == sid).set(\.$lastSeenAt, to: now).update()
            }
        }
        req.signedIn = SignedIn(
            sessionID: sid, userID: uid, username: user.username, displayName: user.displayName,
            role: user.role, patientID: user.patientID, mfaPassed: session.mfaPassed,
            mfaEnrolled: user.mfaEnrolled, kind: kind)
    }

    package init() {
    }
}
