import Foundation

/// A person as the organisation's directory (LDAP / Active Directory) describes them.
/// Communis keys people on `stableID`, never on the login name or the e-mail address, so a
/// renamed person keeps their account, posts and memberships.
public struct DirectoryAccount: Sendable, Equatable {
    /// entryUUID (OpenLDAP) or objectGUID (Active Directory) as a lowercase UUID string
    /// ("5f0c7a0e-…"); AD's objectGUID bytes are converted the way AD itself prints them.
    public var stableID: String
    /// The entry's distinguished name, as the directory returned it (for binding and logs).
    public var dn: String
    /// The login name: uid (OpenLDAP) or sAMAccountName (AD).
    public var login: String
    public var name: String
    /// Empty when the directory has no e-mail address for the person.
    public var email: String
    public var title: String
    public var department: String
    public var workplace: String
    public var phone: String
    /// Disabled in the directory (AD: userAccountControl bit ACCOUNTDISABLE; OpenLDAP:
    /// pwdAccountLockedTime set). A removed person is simply absent.
    public var disabled: Bool

    public init(
        stableID: String, dn: String, login: String, name: String, email: String = "", title: String = "",
        department: String = "", workplace: String = "", phone: String = "", disabled: Bool = false
    ) {
        self.stableID = stableID
        self.dn = dn
        self.login = login
        self.name = name
        self.email = email
        self.title = title
        self.department = department
        self.workplace = workplace
        self.phone = phone
        self.disabled = disabled
    }
}

/// A group in the directory. Rules refer to it by `stableID`.
public struct DirectoryGroup: Sendable, Equatable, Hashable {
    /// entryUUID / objectGUID, lowercase UUID string.
    public var stableID: String
    public var dn: String
    /// cn (or displayName), for people to recognise.
    public var name: String

    public init(stableID: String, dn: String, name: String) {
        self.stableID = stableID
        self.dn = dn
        self.name = name
    }
}

/// Why the directory could not answer. `unavailable` is temporary (network, directory
/// restarting, timeout); `misconfigured` needs an administrator (wrong service password,
/// certificate not trusted, unknown base DN) and its message names the problem.
public enum DirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case unavailable(String)
    case misconfigured(String)

    public var description: String {
        switch self {
        case .unavailable(let why): "the directory is unavailable: \(why)"
        case .misconfigured(let why): "the directory is misconfigured: \(why)"
        }
    }
}

/// The organisation's directory as the services see it. Implemented over libldap by
/// `CommunisLDAP.LDAPDirectory`; tests run it against a real slapd.
///
/// Every call may block on the network: implementations run them off the event loops, with
/// the configured timeouts, and reconnect after the directory restarts.
public protocol DirectorySource: Sendable {
    /// Checks a password: finds the one account that `directory.user_filter` matches with
    /// `{login}` (escaped per RFC 4515), then binds as that entry with `password`.
    /// Returns nil for an unknown login, several matches, or a wrong password. An empty
    /// password is refused without asking the directory (an LDAP simple bind with an empty
    /// password is an anonymous bind that "succeeds"). Throws `DirectoryError` when the
    /// directory cannot answer.
    func authenticate(login: String, password: String) async throws -> DirectoryAccount?
    /// The account with this stable id, or nil when it no longer exists under the user base
    /// (or no longer matches the user filter).
    func account(stableID: String) async throws -> DirectoryAccount?
    /// Every group the account belongs to, directly or through nested groups.
    func groups(of account: DirectoryAccount) async throws -> [DirectoryGroup]
    /// Every person under the user base that the user filter (with `{login}` = `*`) matches,
    /// read with paged results.
    func allAccounts() async throws -> [DirectoryAccount]
    /// Every group under the group base, read with paged results.
    func allGroups() async throws -> [DirectoryGroup]
    /// The stable ids of everyone in the group, directly or through nested groups.
    func members(of group: DirectoryGroup) async throws -> Set<String>
    /// Binds with the service account and reads the user base once; used at start-up so a
    /// wrong URL, password or certificate stops the server with a message naming it.
    func check() async throws
}
