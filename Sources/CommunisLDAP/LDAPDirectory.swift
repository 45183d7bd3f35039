import CLDAP
import CommunisServices
import Foundation
import Logging
import NIOPosix

/// The organisation's directory (OpenLDAP or Active Directory) over libldap.
///
/// Searches run on a few connections bound as the service account (`ServiceConnections`); a
/// password is checked by searching the person with the service account, then binding as that
/// entry on a connection of its own, closed right after. Every libldap call blocks, so all of
/// them run on a NIO thread pool (the shared one by default). A connection lost because the
/// directory restarted is replaced and the operation tried once more.
public final class LDAPDirectory: DirectorySource {
    public let settings: LDAPDirectorySettings
    let logger: Logger
    /// Where every libldap call runs.
    let threadPool: NIOThreadPool
    let connections: ServiceConnections
    /// Attribute names by role, after the kind's defaults and the overrides.
    public let effectiveAttributes: [String: String]
    /// The user filter with `{login}` still in it.
    public let effectiveUserFilter: String
    public let effectiveGroupFilter: String
    let userBase: String
    let groupBase: String

    /// Checks the settings (without contacting the directory); throws
    /// `DirectoryError.misconfigured` naming the first problem. `threadPool` runs the blocking
    /// libldap calls: NIO's shared pool (one thread per core) unless given one of its own, so
    /// that a directory that hangs cannot hold every thread of the shared pool for the timeout.
    public init(settings: LDAPDirectorySettings, logger: Logger, threadPool: NIOThreadPool = .singleton) throws {
        if let problem = settings.problem() { throw DirectoryError.misconfigured(problem) }
        _ = ignoreSIGPIPE
        self.settings = settings
        var logger = logger
        logger[metadataKey: "ldap.url"] = "\(settings.url)"
        self.logger = logger
        self.threadPool = threadPool
        connections = ServiceConnections(settings: settings, logger: logger, threadPool: threadPool)
        effectiveAttributes = settings.effectiveAttributes
        effectiveUserFilter = settings.effectiveUserFilter
        effectiveGroupFilter = settings.effectiveGroupFilter
        userBase = settings.userBase
        groupBase = settings.effectiveGroupBase
        if !settings.verifyCertificates && settings.usesTLS {
            logger.warning("the directory's TLS certificate is NOT checked (verifyCertificates is off): use this only in a lab")
        }
    }

    var idAttribute: String { effectiveAttributes["id"] ?? "entryUUID" }

    /// What a person's entry is read with: every role's attribute and the disabled marker.
    var accountAttributes: [String] {
        var names: [String] = []
        for role in LDAPDirectorySettings.attributeRoles {
            if let name = effectiveAttributes[role], !names.contains(name) { names.append(name) }
        }
        return names + ["cn", settings.kind.disabledAttribute]
    }

    var groupAttributes: [String] { [idAttribute, "cn", "displayName"] }

    public func authenticate(login: String, password: String) async throws -> DirectoryAccount? {
        let login = login.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !login.isEmpty, !password.isEmpty else {
            logger.debug("login refused without asking the directory: empty login or password")
            return nil
        }
        let filter = LDAPFilter.userFilter(effectiveUserFilter, login: login)
        return try await run("checking the password of \(login)") {
            let (base, attributes) = (userBase, accountAttributes)
            let entries = try await withService {
                try $0.search(base: base, filter: filter, attributes: attributes, sizeLimit: 2, acceptSizeLimit: true)
            }
            guard entries.count == 1, let entry = entries.first else {
                logger.info(entries.isEmpty ? "no directory account has this login" : "several directory accounts have this login",
                            metadata: ["ldap.login": "\(login)", "ldap.matches": "\(entries.count)"])
                return nil
            }
            let account = try requireAccount(entry)
            switch try await bindAsPerson(dn: entry.dn, password: password) {
            case .accepted:
                return account
            case .refusedBecauseDisabled:
                var disabled = account
                disabled.disabled = true
                return disabled
            case .refused:
                logger.info("the directory refused the password", metadata: ["ldap.login": "\(login)", "ldap.dn": "\(entry.dn)"])
                return nil
            }
        }
    }

    public func account(stableID: String) async throws -> DirectoryAccount? {
        guard let value = idFilterValue(stableID) else { return nil }
        let filter = "(&\(LDAPFilter.everyone(effectiveUserFilter))(\(idAttribute)=\(value)))"
        return try await run("reading the account \(stableID)") {
            let (base, attributes) = (userBase, accountAttributes)
            let entries = try await withService {
                try $0.search(base: base, filter: filter, attributes: attributes, sizeLimit: 2, acceptSizeLimit: true)
            }
            guard entries.count == 1, let entry = entries.first else { return nil }
            return account(from: entry)
        }
    }

    public func allAccounts() async throws -> [DirectoryAccount] {
        let filter = LDAPFilter.everyone(effectiveUserFilter)
        return try await run("reading every account") {
            let (base, attributes, pageSize) = (userBase, accountAttributes, settings.pageSize)
            let entries = try await withService { try $0.search(base: base, filter: filter, attributes: attributes, pageSize: pageSize) }
            let accounts = entries.compactMap(account(from:))
            if accounts.count < entries.count {
                logger.warning("some directory entries have no stable id and were left out",
                               metadata: ["ldap.attribute": "\(idAttribute)", "ldap.missing": "\(entries.count - accounts.count)"])
            }
            return accounts
        }
    }

    public func allGroups() async throws -> [DirectoryGroup] {
        try await run("reading every group") {
            let (base, filter, attributes, pageSize) = (groupBase, effectiveGroupFilter, groupAttributes, settings.pageSize)
            let entries = try await withService { try $0.search(base: base, filter: filter, attributes: attributes, pageSize: pageSize) }
            return entries.compactMap(group(from:))
        }
    }

    public func check() async throws {
        try await run("checking the directory") {
            let (userBase, groupBase) = (userBase, groupBase)
            let users = LDAPFilter.everyone(effectiveUserFilter)
            let groups = effectiveGroupFilter
            try await withService { connection in
                for base in Set([userBase, groupBase]) {
                    _ = try connection.search(base: base, scope: LDAP_SCOPE_BASE, filter: "(objectClass=*)", attributes: ["1.1"])
                }
                _ = try connection.search(base: userBase, filter: users, attributes: ["1.1"], sizeLimit: 1, acceptSizeLimit: true)
                _ = try connection.search(base: groupBase, filter: groups, attributes: ["1.1"], sizeLimit: 1, acceptSizeLimit: true)
            }
            logger.info("the directory answers", metadata: ["ldap.userBase": "\(userBase)", "ldap.groupBase": "\(groupBase)"])
        }
    }

    /// Closes the idle service connections (at server shutdown; later calls open new ones).
    public func shutdown() async {
        await connections.discardIdle()
    }

    // MARK: - Connections

    enum BindOutcome: Sendable { case accepted, refused, refusedBecauseDisabled }

    /// Binds as the person on a connection of its own, closed at once, so no pooled
    /// connection ever acts as a person.
    func bindAsPerson(dn: String, password: String) async throws -> BindOutcome {
        let settings = settings
        return try await threadPool.runIfActive {
            let connection = try LDAPConnection.open(settings: settings)
            defer { connection.close() }
            do {
                try connection.bind(dn: dn, password: password)
                return .accepted
            } catch let failure as LDAPFailure where failure.code == LDAP_INVALID_CREDENTIALS {
                return failure.isActiveDirectoryDisabledAccount ? .refusedBecauseDisabled : .refused
            }
        }
    }

    /// Runs `body` on a service connection on the thread pool. A connection the directory
    /// dropped (restart, network) is closed with the other idle ones and `body` runs once
    /// more on a new connection.
    func withService<T: Sendable>(_ body: @escaping @Sendable (LDAPConnection) throws -> T) async throws -> T {
        var attempt = 1
        while true {
            let connection = try await connections.checkOut()
            do {
                let value = try await threadPool.runIfActive { try body(connection) }
                await connections.checkIn(connection)
                return value
            } catch let failure as LDAPFailure where failure.lostConnection {
                await connections.discard(connection)
                await connections.discardIdle()
                guard attempt == 1 else { throw failure }
                attempt += 1
                logger.warning("the directory connection was lost; trying again on a new one", metadata: ["ldap.error": "\(failure)"])
            } catch let failure as LDAPFailure where failure.isTemporary {
                // A timed-out connection may still deliver the late answer: not reused.
                await connections.discard(connection)
                throw failure
            } catch {
                await connections.checkIn(connection)
                throw error
            }
        }
    }

    /// Every error leaves as a `DirectoryError`, logged with what was being done.
    func run<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            let directoryError = DirectoryError.from(error)
            logger.warning("the directory could not answer", metadata: ["ldap.operation": "\(operation)", "ldap.error": "\(directoryError)"])
            throw directoryError
        }
    }
}
