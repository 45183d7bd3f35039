import CommunisModel
import CommunisStore
import Foundation
import Testing

/// What the identity contract cases share: people as the directory and an OpenID Connect
/// provider describe them, provisioning requests, group rules, and reading back what the rules
/// left (memberships with their origin).
public enum IdentityFixture {
    public static let issuer = "https://login.example.se/realms/kommun"

    /// A directory entry (provider "directory"), as the LDAP adapter reports it.
    public static func directory(
        _ subject: String, login: String?, name: String, email: String, title: String? = "Handläggare",
        department: String? = "Socialtjänsten", workplace: String? = "Stadshuset", phone: String? = "08-555 00 00", disabled: Bool = false
    ) -> ExternalProfile {
        ExternalProfile(provider: ExternalProfile.directoryProvider, subject: subject, managedBy: .directory, login: login, name: name,
                        email: email, title: title, department: department, workplace: workplace, phone: phone, disabled: disabled)
    }

    /// An ID token's person: a name and an address, no job fields.
    public static func oidc(_ subject: String, name: String, email: String) -> ExternalProfile {
        ExternalProfile(provider: issuer, subject: subject, managedBy: .oidc, name: name, email: email)
    }

    public static func group(_ id: String, _ name: String) -> ExternalGroup {
        ExternalGroup(key: ExternalGroup.directoryKey(id), name: name, source: .directory, dn: "cn=\(name),ou=Grupper,dc=kommun,dc=se")
    }

    public static func oidcGroup(_ value: String) -> ExternalGroup {
        ExternalGroup(key: ExternalGroup.oidcKey(value), name: value, source: .oidc)
    }

    public static func request(
        _ profile: ExternalProfile, groups: [ExternalGroup] = [], scope: GroupScope? = nil, linkByEmail: Bool = true,
        at: Date = Instant.at(100), isLogin: Bool = true, address: String = "10.1.2.3"
    ) -> ProvisionRequest {
        ProvisionRequest(profile: profile, groups: groups, scope: scope ?? .all(profile.managedBy == .directory ? .directory : .oidc),
                         linkByEmail: linkByEmail, at: at, isLogin: isLogin, address: address)
    }

    /// Provisions as a directory login (or a sync's lookup when `isLogin` is false).
    @discardableResult
    public static func provision(
        _ store: any CommunisStore, _ profile: ExternalProfile, groups: [ExternalGroup] = [], scope: GroupScope? = nil,
        linkByEmail: Bool = true, at: Date = Instant.at(100), isLogin: Bool = true
    ) async throws -> ProvisionResult {
        try await store.provisionExternalPerson(request(profile, groups: groups, scope: scope, linkByEmail: linkByEmail, at: at, isLogin: isLogin))
    }

    public static let admin = AuditRef(type: "person", id: PersonID().description, name: "Ingrid Admin")

    /// Saves a rule (made by `admin`) and returns it with what it changed at once.
    @discardableResult
    public static func rule(
        _ store: any CommunisStore, _ group: ExternalGroup, _ grant: GroupRule.Grant, members: [PersonID]? = nil, at: Date = Instant.at(50)
    ) async throws -> (GroupRule, [PersonRuleOutcome]) {
        let rule = GroupRule(groupKey: group.key, groupName: group.name, grant: grant, createdBy: nil, createdAt: at)
        let outcomes = try await store.createGroupRule(rule, members: members, actor: admin, address: "10.9.9.9")
        return (rule, outcomes)
    }

    /// The person's memberships as the rules see them: role and origin per workspace.
    public static func held(_ store: any CommunisStore, _ person: PersonID) async throws -> [WorkspaceID: HeldMembership] {
        try #require(try await store.ruleSubjects([person]).first).subject.memberships
    }

    /// The audit entries about `target` (a person's or workspace's id), oldest first.
    public static func audit(_ store: any CommunisStore, about target: String) async throws -> [AuditEntry] {
        try await store.auditEntries(AuditFilter(targetID: target), afterID: 0, limit: 1000)
    }

    /// Every audit entry, oldest first.
    public static func allAudit(_ store: any CommunisStore) async throws -> [AuditEntry] {
        try await store.auditEntries(AuditFilter(), afterID: 0, limit: 10_000)
    }
}
