import CommunisModel
import CommunisServices
import CommunisStore
import Foundation

// The JSON shapes of the identity administration (docs/openapi.yaml: GroupRule,
// RulePreview, SyncReport, AuditEntry, DirectoryStatus).

struct RefJSON: Encodable { var id: String; var name: String }

struct GroupRuleJSON: Encodable {
    var id: GroupRuleID
    var groupKey: String
    var groupName: String
    var kind: String
    var role: Role?
    var workspace: RefJSON?
    var membershipRole: MembershipRole?
    var createdBy: RefJSON?
    var createdAt: Date

    init(_ view: RuleView) {
        id = view.rule.id
        groupKey = view.rule.groupKey
        groupName = view.rule.groupName
        switch view.rule.grant {
        case .role(let role):
            kind = "role"
            self.role = role
        case .membership(let workspace, let role):
            kind = "membership"
            self.workspace = RefJSON(id: workspace.description, name: view.workspaceName ?? "")
            membershipRole = role
        }
        createdBy = view.rule.createdBy.map { RefJSON(id: $0.description, name: view.createdByName ?? "") }
        createdAt = view.rule.createdAt
    }

    enum CodingKeys: String, CodingKey { case id, groupKey, groupName, kind, role, workspace, membershipRole, createdBy, createdAt }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(groupKey, forKey: .groupKey)
        try c.encode(groupName, forKey: .groupName)
        try c.encode(kind, forKey: .kind)
        try c.encode(role, forKey: .role)
        try c.encode(workspace, forKey: .workspace)
        try c.encode(membershipRole, forKey: .membershipRole)
        try c.encode(createdBy, forKey: .createdBy)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

struct RulePreviewJSON: Encodable {
    struct PersonRefJSON: Encodable { var id: PersonID; var name: String; var email: String? }
    struct ChangeJSON: Encodable {
        var person: PersonRefJSON
        var what: String
        var from: String?
        var to: String?
        var workspace: RefJSON?

        enum CodingKeys: String, CodingKey { case person, what, from, to, workspace }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(person, forKey: .person)
            try c.encode(what, forKey: .what)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encode(workspace, forKey: .workspace)
        }
    }

    var gains: [ChangeJSON]
    var losses: [ChangeJSON]
    var warnings: [String]

    init(_ preview: RulePreview) {
        func change(_ line: RulePreview.Line) -> ChangeJSON {
            ChangeJSON(person: PersonRefJSON(id: line.person.id, name: line.person.name, email: line.person.email.isEmpty ? nil : line.person.email),
                       what: line.effect.what.rawValue, from: line.effect.from, to: line.effect.to,
                       workspace: line.effect.workspace.map { RefJSON(id: $0.description, name: line.workspaceName ?? "") })
        }
        gains = preview.gains.map(change)
        losses = preview.losses.map(change)
        warnings = preview.warnings
    }
}

/// What a directory sync did: the API's answer and the command line's one JSON line.
public struct SyncReportJSON: Encodable {
    var dryRun: Bool
    var created = 0
    var updated = 0
    var disabled = 0
    var enabled = 0
    var membershipsAdded = 0
    var membershipsRemoved = 0
    var errors = 0
    var messages: [String] = []

    public init(_ outcome: DirectorySyncOutcome, dryRun: Bool) {
        self.dryRun = dryRun
        created = outcome.created
        updated = outcome.updated
        disabled = outcome.disabled
        enabled = outcome.enabled
        membershipsAdded = outcome.membershipsAdded
        membershipsRemoved = outcome.membershipsRemoved
        errors = outcome.errors
        messages = outcome.messages
    }

    /// A sync that failed and changed nothing.
    public init(failure message: String, dryRun: Bool) {
        self.dryRun = dryRun
        errors = 1
        messages = ["The sync failed and changed nothing: \(message)"]
    }

    /// One line of sorted JSON.
    public var line: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding numbers, booleans and strings cannot fail.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

struct AuditEntryJSON: Encodable {
    struct TargetJSON: Encodable { var type: String; var id: String; var name: String }

    var id: Int64
    var at: Date
    var action: String
    var actor: RefJSON?
    var target: TargetJSON?
    var workspace: RefJSON?
    var via: String
    var address: String
    var details: [String: String]

    init(_ entry: AuditEntry) {
        id = entry.id
        at = entry.at
        action = entry.action.rawValue
        actor = entry.actor.map { RefJSON(id: $0.id, name: $0.name) }
        target = entry.target.map { TargetJSON(type: $0.type, id: $0.id, name: $0.name) }
        workspace = entry.workspace.map { RefJSON(id: $0.id, name: $0.name) }
        via = entry.via.rawValue
        address = entry.address
        details = entry.details
    }

    enum CodingKeys: String, CodingKey { case id, at, action, actor, target, workspace, via, address, details }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(at, forKey: .at)
        try c.encode(action, forKey: .action)
        try c.encode(actor, forKey: .actor)
        try c.encode(target, forKey: .target)
        try c.encode(workspace, forKey: .workspace)
        try c.encode(via, forKey: .via)
        try c.encode(address, forKey: .address)
        try c.encode(details, forKey: .details)
    }
}

/// The audit log as CSV for a spreadsheet: UTF-8 with a byte-order mark (Excel reads it as
/// UTF-8 then), CRLF rows, RFC 4180 quoting, and cells that a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@`, tab, CR) prefixed with `'` (OWASP's CSV injection advice).
enum AuditCSV {
    static let header = "\u{FEFF}id,time,action,actor_id,actor,target_type,target_id,target,workspace_id,workspace,via,address,details\r\n"

    static func rows(_ entries: [AuditEntry]) -> String {
        let formatter = ISO8601DateFormatter()
        var text = ""
        for entry in entries {
            let details = entry.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let cells = [
                String(entry.id), formatter.string(from: entry.at), entry.action.rawValue, entry.actor?.id ?? "", entry.actor?.name ?? "",
                entry.target?.type ?? "", entry.target?.id ?? "", entry.target?.name ?? "", entry.workspace?.id ?? "",
                entry.workspace?.name ?? "", entry.via.rawValue, entry.address, details,
            ]
            text += cells.map(cell).joined(separator: ",") + "\r\n"
        }
        return text
    }

    static func cell(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
