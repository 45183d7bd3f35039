import CLDAP
import CommunisServices
import Logging
import NIOPosix

/// The connections bound as the service account, kept open between calls. Owns the idle
/// connections and the count of open ones; a checked-out connection belongs to its caller
/// until it is checked in or discarded, so each libldap handle has one user at a time.
/// Never holds a connection bound as a person: password checks bind on connections of their own.
actor ServiceConnections {
    /// Open connections at most; more callers wait for one. Each blocking call occupies a
    /// thread of the pool, so more would only queue there.
    static let maximum = 4

    private let settings: LDAPDirectorySettings
    private let logger: Logger
    private let threadPool: NIOThreadPool
    private var idle: [LDAPConnection] = []
    private var open = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(settings: LDAPDirectorySettings, logger: Logger, threadPool: NIOThreadPool) {
        self.settings = settings
        self.logger = logger
        self.threadPool = threadPool
    }

    /// An idle connection, or a new one bound as the service account.
    func checkOut() async throws -> LDAPConnection {
        while idle.isEmpty && open >= Self.maximum {
            await withCheckedContinuation { waiting.append($0) }
        }
        if let connection = idle.popLast() { return connection }
        open += 1
        do {
            let settings = settings
            let connection = try await threadPool.runIfActive {
                let connection = try LDAPConnection.open(settings: settings)
                guard !settings.bindDN.isEmpty else { return connection }
                do {
                    try connection.bind(dn: settings.bindDN, password: settings.bindPassword)
                } catch let failure as LDAPFailure where failure.code == LDAP_INVALID_CREDENTIALS {
                    throw DirectoryError.misconfigured(
                        "the service account \(settings.bindDN) cannot bind to \(settings.url): its DN or password is wrong (\(failure))")
                }
                return connection
            }
            logger.debug("opened a directory connection", metadata: ["ldap.url": "\(settings.url)", "ldap.connections": "\(open)"])
            return connection
        } catch {
            open -= 1
            wakeOne()
            throw error
        }
    }

    /// Returns a connection that is still good.
    func checkIn(_ connection: LDAPConnection) {
        idle.append(connection)
        wakeOne()
    }

    /// Closes a connection that failed.
    func discard(_ connection: LDAPConnection) async {
        open -= 1
        wakeOne()
        await close([connection])
    }

    /// Closes every idle connection: after one connection was lost (the directory restarted),
    /// the others are most likely gone too.
    func discardIdle() async {
        let stale = idle
        idle = []
        open -= stale.count
        stale.forEach { _ in wakeOne() }
        await close(stale)
    }

    private func wakeOne() {
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    private func close(_ connections: [LDAPConnection]) async {
        guard !connections.isEmpty else { return }
        // The unbind writes to the socket: blocking work, on the pool like every libldap call.
        // Failing to close is harmless: the handle is freed either way.
        _ = try? await threadPool.runIfActive { connections.forEach { $0.close() } }
    }
}
