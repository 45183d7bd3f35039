import CommunisModel
import CommunisStore
import Foundation
import Logging

/// People whose identity lives in the directory or with an OpenID Connect provider: turns
/// what those systems say into a stored person (created, linked, updated, disabled, given
/// what the group rules say), then tells the live hub what ended.
public struct ExternalIdentities: Sendable {
    let store: any CommunisStore
    let publisher: any LivePublisher
    let clock: Clock
    /// Link an existing account with the same e-mail on first sight (`directory.link_by_email`).
    let linkByEmail: Bool

    public init(store: any CommunisStore, publisher: any LivePublisher = NoLivePublisher(), clock: Clock = Clock(), linkByEmail: Bool = true) {
        self.store = store
        self.publisher = publisher
        self.clock = clock
        self.linkByEmail = linkByEmail
    }

    /// A directory login (or lookup): the person with all their groups (nested included).
    public func provision(directory account: DirectoryAccount, groups: [DirectoryGroup], address: String, isLogin: Bool) async throws -> ProvisionResult {
        let request = ProvisionRequest(
            profile: Self.profile(account), groups: groups.map(Self.group), scope: .all(.directory),
            linkByEmail: linkByEmail, at: clock.now(), isLogin: isLogin, address: address)
        let result = try await store.provisionExternalPerson(request)
        await publish(result)
        return result
    }

    /// An OpenID Connect login: the person with the token's groups, or, when the provider
    /// said the groups are elsewhere, with what they had (never "no groups").
    public func provision(oidc identity: OIDCIdentity, address: String) async throws -> ProvisionResult {
        let profile = ExternalProfile(provider: identity.issuer, subject: identity.subject, managedBy: .oidc, name: identity.name, email: identity.email)
        let groups = identity.groups.map { ExternalGroup(key: ExternalGroup.oidcKey($0), name: $0, source: .oidc) }
        let request = ProvisionRequest(
            profile: profile, groups: groups, scope: identity.groupsUnreadable ? .unknown : .all(.oidc),
            linkByEmail: linkByEmail, at: clock.now(), isLogin: true, address: address)
        let result = try await store.provisionExternalPerson(request)
        await publish(result)
        return result
    }

    /// A directory-managed person the directory no longer has (or has disabled) is disabled
    /// now, their sessions end, and the audit log says why.
    public func disableGone(_ person: Person, reason: String, address: String) async throws {
        guard !person.disabled else { return }
        var disabled = person
        disabled.disabled = true
        disabled.disabledBy = .directory
        try await store.updatePerson(disabled)
        try await store.deleteSessions(of: person.id)
        try await store.appendAudit([AuditEntry(at: clock.now(), action: .accountDisabled, target: .person(person), via: .login,
                                                address: address, details: ["reason": reason])])
        await publisher.sessionsEnded(person: person.id)
    }

    /// Persist, then publish: sessions of people disabled now end, subscriptions to
    /// workspaces a rule no longer gives end.
    func publish(_ result: ProvisionResult) async {
        if result.disabledNow {
            // A failure to delete sessions must not hide the login's answer: authenticate()
            // refuses disabled people anyway, so the sessions are dead either way.
            try? await store.deleteSessions(of: result.person.id)
            await publisher.sessionsEnded(person: result.person.id)
        }
        for change in result.rules.changes.memberships where change.to == nil {
            await publisher.membershipEnded(workspace: change.workspace, person: result.person.id)
        }
    }

    static func profile(_ account: DirectoryAccount) -> ExternalProfile {
        ExternalProfile(
            provider: ExternalProfile.directoryProvider, subject: account.stableID.lowercased(), managedBy: .directory,
            login: account.login, name: account.name, email: account.email, title: account.title, department: account.department,
            workplace: account.workplace, phone: account.phone, disabled: account.disabled)
    }

    static func group(_ group: DirectoryGroup) -> ExternalGroup {
        ExternalGroup(key: ExternalGroup.directoryKey(group.stableID), name: group.name, source: .directory, dn: group.dn)
    }
}
