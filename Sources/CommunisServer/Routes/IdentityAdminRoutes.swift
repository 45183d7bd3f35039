import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import Hummingbird
import NIOCore

/// `/api/v1/admin/…` of identity: people's sessions and tokens, the directory and its
/// sync, known groups, group rules with their previews, the audit log and its export, and
/// the outbox. Administrators only (the services check).
struct IdentityAdminRoutes {
    let services: Services

    struct RuleBody: Decodable {
        var groupKey: String
        var kind: String
        var role: Role?
        var workspaceId: WorkspaceID?
        var membershipRole: MembershipRole?

        func draft() throws -> RuleDraft {
            switch kind {
            case "role":
                guard let role else { throw DomainError.validation([FieldError(field: "role", message: "must be admin or member")]) }
                return RuleDraft(groupKey: groupKey, grant: .role(role))
            case "membership":
                var errors: [FieldError] = []
                if workspaceId == nil { errors.append(FieldError(field: "workspaceId", message: "must be a workspace id")) }
                if membershipRole == nil { errors.append(FieldError(field: "membershipRole", message: "must be owner or member")) }
                guard let workspaceId, let membershipRole else { throw DomainError.validation(errors) }
                return RuleDraft(groupKey: groupKey, grant: .membership(workspaceId, membershipRole))
            default:
                throw DomainError.validation([FieldError(field: "kind", message: "must be role or membership")])
            }
        }
    }

    struct SyncBody: Decodable { var dryRun: Bool? }
    struct TestMailBody: Decodable { var language: String? }
    struct CreatedRuleJSON: Encodable { var rule: GroupRuleJSON; var applied: RulePreviewJSON }
    struct AppliedJSON: Encodable { var applied: RulePreviewJSON }
    struct GroupJSON: Encodable { var key: String; var name: String; var source: ExternalGroup.Source; var dn: String }
    struct AdminSessionsJSON: Encodable { var sessions: [SessionSummaryJSON]; var tokens: [ApiTokenJSON] }

    func register(on api: RouterGroup<AppRequestContext>) {
        registerSessions(on: api)
        registerDirectory(on: api)
        registerRules(on: api)
        registerAudit(on: api)
    }

    private func registerSessions(on api: RouterGroup<AppRequestContext>) {
        api.get("admin/users/:id/sessions") { _, context in
            let (sessions, tokens) = try await services.accounts.sessions(admin: try context.requireViewer(), of: try context.parameters.id("id"))
            return try AdminSessionsJSON(sessions: sessions.map { SessionSummaryJSON($0, current: context.session?.id) },
                                         tokens: tokens.map { ApiTokenJSON($0) }).response()
        }
        api.delete("admin/users/:id/sessions") { _, context in
            try await services.accounts.endAllSessions(admin: try context.requireViewer(), of: try context.parameters.id("id"))
            return Response(status: .noContent)
        }
        api.delete("admin/users/:id/sessions/:sessionId") { _, context in
            try await services.accounts.endSession(admin: try context.requireViewer(), of: try context.parameters.id("id"),
                                                   id: try context.parameters.id("sessionId"))
            return Response(status: .noContent)
        }
        api.delete("admin/users/:id/tokens/:tokenId") { _, context in
            try await services.accounts.deleteToken(admin: try context.requireViewer(), of: try context.parameters.id("id"),
                                                    id: try context.parameters.id("tokenId"))
            return Response(status: .noContent)
        }
    }

    private func registerDirectory(on api: RouterGroup<AppRequestContext>) {
        api.get("admin/directory") { _, context in
            try DirectoryStatusJSON(try await services.identityOverview.status(viewer: try context.requireViewer())).response()
        }
        api.post("admin/directory/sync") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            guard viewer.role == .admin else { throw DomainError.forbidden("Only administrators run a directory sync.") }
            let body = try await request.optionalJSON(SyncBody.self, context: context) ?? SyncBody(dryRun: nil)
            guard let sync = services.directorySync else { throw DomainError.notFound("Directory") }
            let dryRun = body.dryRun ?? false
            return try SyncReportJSON(try await sync.run(dryRun: dryRun, viewer: viewer), dryRun: dryRun).response()
        }
        api.get("admin/groups") { request, context in
            let groups = try await services.groupRules.groups(viewer: try context.requireViewer(), text: request.query("q"))
            return try ItemsJSON(items: groups.map { GroupJSON(key: $0.key, name: $0.name, source: $0.source, dn: $0.dn) }).response()
        }
        api.post("admin/mail/test") { request, context in
            var request = request
            let body = try await request.optionalJSON(TestMailBody.self, context: context) ?? TestMailBody(language: nil)
            try await services.identityOverview.sendTestMail(viewer: try context.requireViewer(), language: AuthRoutes.language(body.language))
            return Response(status: .accepted)
        }
    }

    private func registerRules(on api: RouterGroup<AppRequestContext>) {
        api.get("admin/group-rules") { _, context in
            try ItemsJSON(items: try await services.groupRules.rules(viewer: try context.requireViewer()).map(GroupRuleJSON.init)).response()
        }
        api.post("admin/group-rules/preview") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let draft = try await request.json(RuleBody.self, context: context).draft()
            return try RulePreviewJSON(try await services.groupRules.preview(viewer: viewer, draft: draft)).response()
        }
        api.post("admin/group-rules") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let draft = try await request.json(RuleBody.self, context: context).draft()
            let (rule, applied) = try await services.groupRules.create(viewer: viewer, draft: draft)
            return try CreatedRuleJSON(rule: GroupRuleJSON(rule), applied: RulePreviewJSON(applied)).response(.created)
        }
        api.get("admin/group-rules/:id/delete-preview") { _, context in
            let preview = try await services.groupRules.deletePreview(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try RulePreviewJSON(preview).response()
        }
        api.delete("admin/group-rules/:id") { _, context in
            let applied = try await services.groupRules.delete(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try AppliedJSON(applied: RulePreviewJSON(applied)).response()
        }
    }

    private func registerAudit(on api: RouterGroup<AppRequestContext>) {
        api.get("admin/audit") { request, context in
            let page = try await services.audit.entries(viewer: try context.requireViewer(), filter: try Self.filter(request), page: try request.pageRequest())
            return try PageJSON(page, AuditEntryJSON.init).response()
        }
        api.get("admin/audit/export") { request, context in
            let viewer = try context.requireViewer()
            let format = request.query("format") ?? "csv"
            guard format == "csv" || format == "json" else { throw Problem.badParameter("format", "must be csv or json") }
            let export = try await services.audit.export(viewer: viewer, filter: try Self.filter(request), format: format)
            let day = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "Europe/Stockholm")!, formatOptions: [.withFullDate])
            let body = ResponseBody { writer in
                let encoder = JSONEncoder.api
                var first = true
                try await writer.write(ByteBuffer(string: format == "csv" ? AuditCSV.header : "["))
                try await export.forEachBatch { entries in
                    var text: String
                    if format == "csv" {
                        text = AuditCSV.rows(entries)
                    } else {
                        text = ""
                        for entry in entries {
                            text += (first ? "\n" : ",\n") + String(decoding: try encoder.encode(AuditEntryJSON(entry)), as: UTF8.self)
                            first = false
                        }
                    }
                    try await writer.write(ByteBuffer(string: text))
                }
                if format == "json" { try await writer.write(ByteBuffer(string: "\n]\n")) }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [
                .contentType: format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
                .contentDisposition: "attachment; filename=\"communis-granskningslogg-\(day).\(format)\"",
                .cacheControl: "no-store",
            ], body: body)
        }
    }

    /// The audit filters of the query: `from`, `to` (ISO 8601 date or date-time), `action`
    /// (repeatable or comma-separated), `actor`, `target`, `q`.
    static func filter(_ request: Request) throws -> AuditFilter {
        func date(_ name: String) throws -> Date? {
            guard let text = request.query(name) else { return nil }
            if let date = ISO8601DateFormatter().date(from: text) { return date }
            let day = ISO8601DateFormatter()
            day.formatOptions = [.withFullDate]
            day.timeZone = TimeZone(identifier: "Europe/Stockholm")
            guard let date = day.date(from: text) else { throw Problem.badParameter(name, "must be a date (2026-12-06) or a date-time") }
            // A plain `to` day includes that whole day.
            return name == "to" ? date.addingTimeInterval(86_400) : date
        }
        var actions: Set<AuditAction> = []
        for text in request.queryAll("action").flatMap({ $0.split(separator: ",").map(String.init) }) {
            guard let action = AuditAction(rawValue: text.trimmingCharacters(in: .whitespaces)) else {
                throw Problem.badParameter("action", "\(text) is not an audit action")
            }
            actions.insert(action)
        }
        return AuditFilter(from: try date("from"), to: try date("to"), actions: actions, actorID: request.query("actor"),
                           targetID: request.query("target"), text: request.query("q"))
    }
}

struct DirectoryStatusJSON: Encodable {
    struct LastSyncJSON: Encodable {
        var at: Date
        var ok: Bool
        var message: String
        var created: Int
        var updated: Int
        var disabled: Int
        var enabled: Int
        var membershipsAdded: Int
        var membershipsRemoved: Int
        var errors: Int
    }
    struct OIDCJSON: Encodable { var issuer: String; var displayName: String }
    struct MailJSON: Encodable { var configured: Bool; var pending: Int; var failed: Int }

    var configured: Bool
    var kind: String?
    var url: String?
    var syncIntervalMinutes: Int
    var lastSync: LastSyncJSON?
    var oidc: OIDCJSON?
    var mail: MailJSON

    init(_ status: IdentityOverview.Status) {
        configured = status.directoryURL != nil
        kind = status.directoryKind
        url = status.directoryURL
        syncIntervalMinutes = status.syncIntervalMinutes
        lastSync = status.lastSync.map { entry in
            func count(_ key: String) -> Int { Int(entry.details[key] ?? "") ?? 0 }
            return LastSyncJSON(at: entry.at, ok: entry.details["ok"] == "true", message: entry.details["message"] ?? "",
                                created: count("created"), updated: count("updated"), disabled: count("disabled"), enabled: count("enabled"),
                                membershipsAdded: count("membershipsAdded"), membershipsRemoved: count("membershipsRemoved"), errors: count("errors"))
        }
        oidc = status.oidcIssuer.map { OIDCJSON(issuer: $0, displayName: status.oidcDisplayName ?? "") }
        mail = MailJSON(configured: status.mailConfigured, pending: status.mailPending, failed: status.mailFailed)
    }

    enum CodingKeys: String, CodingKey { case configured, kind, url, syncIntervalMinutes, lastSync, oidc, mail }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(configured, forKey: .configured)
        try c.encode(kind, forKey: .kind)
        try c.encode(url, forKey: .url)
        try c.encode(syncIntervalMinutes, forKey: .syncIntervalMinutes)
        try c.encode(lastSync, forKey: .lastSync)
        try c.encode(oidc, forKey: .oidc)
        try c.encode(mail, forKey: .mail)
    }
}
