import CLDAP
import Foundation

/// One entry of a search result. Attribute names are lowercased; values are raw bytes
/// (text attributes are UTF-8, objectGUID is binary).
struct LDAPEntry: Sendable {
    var dn: String
    var attributes: [String: [[UInt8]]]

    func values(_ name: String) -> [[UInt8]] { attributes[name.lowercased()] ?? [] }
    func strings(_ name: String) -> [String] { values(name).map { String(decoding: $0, as: UTF8.self) } }
    func first(_ name: String) -> String? { strings(name).first }
    func has(_ name: String) -> Bool { !values(name).isEmpty }
}

/// One libldap handle: a connection to the directory, with the settings' timeouts and TLS.
///
/// `@unchecked Sendable` because an `LDAP *` must not be used by two threads at once and
/// Swift cannot check that: a connection is owned by whoever checked it out of
/// `ServiceConnections` (or by the `authenticate` call that opened it), and that owner runs it
/// inside one thread-pool job at a time. Every method blocks: call them on the thread pool.
final class LDAPConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private let timeoutSeconds: Int
    let url: String

    /// Connects at once (StartTLS included) with LDAPv3, no referrals, the network and
    /// operation timeouts, and per-handle TLS settings.
    init(settings: LDAPDirectorySettings, verifyCertificates: Bool) throws {
        url = settings.url
        timeoutSeconds = settings.timeoutSeconds
        var handle: OpaquePointer?
        let rc = ldap_initialize(&handle, settings.urls.joined(separator: " "))
        guard rc == LDAP_SUCCESS, let handle else {
            throw LDAPFailure(code: rc, operation: "opening a connection", diagnostic: "", url: settings.url)
        }
        self.handle = handle
        try option(cldap_set_int(handle, LDAP_OPT_PROTOCOL_VERSION, LDAP_VERSION3), "LDAPv3")
        try option(cldap_set_off(handle, LDAP_OPT_REFERRALS), "referrals off")
        try option(cldap_set_seconds(handle, LDAP_OPT_NETWORK_TIMEOUT, settings.timeoutSeconds), "network timeout")
        try option(cldap_set_seconds(handle, LDAP_OPT_TIMEOUT, settings.timeoutSeconds), "operation timeout")
        if settings.urls.contains(where: { $0.lowercased().hasPrefix("ldaps://") }) {
            // libldap 2.5 bounds the TLS handshake of ldaps:// by the network timeout only in
            // asynchronous-connect mode; otherwise a server that accepts TCP and never answers
            // keeps the thread spinning forever. The cost: of a host name with several
            // addresses only the first is tried (several servers: list several URLs).
            try option(cldap_set_on(handle, LDAP_OPT_CONNECT_ASYNC), "asynchronous connect")
        }
        if settings.usesTLS {
            // Set on this handle, then a new TLS context for it: libldap's global TLS settings
            // (ldap.conf) stay the defaults and no other connection is affected.
            let demand = verifyCertificates ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER
            try option(cldap_set_int(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, demand), "certificate checking")
            if !settings.caFile.isEmpty {
                try option(cldap_set_string(handle, LDAP_OPT_X_TLS_CACERTFILE, settings.caFile), "the CA file \(settings.caFile)")
            }
            let created = cldap_set_int(handle, LDAP_OPT_X_TLS_NEWCTX, 0)
            guard created == LDAP_OPT_SUCCESS else {
                throw LDAPFailure(
                    code: LDAP_LOCAL_ERROR, operation: "setting up TLS", diagnostic: "", url: url,
                    certificateProblem: settings.caFile.isEmpty
                        ? "TLS could not be set up with the system's trust store"
                        : "TLS could not be set up: \(settings.caFile) is not a readable PEM file of CA certificates")
            }
        }
        // Connect now rather than at the first operation, so an unreachable directory or a
        // refused certificate shows here, before any password is sent.
        if settings.startTLS {
            let rc = ldap_start_tls_s(handle, nil, nil)
            guard rc == LDAP_SUCCESS else { throw failure(rc, "StartTLS") }
        } else {
            let rc = ldap_connect(handle)
            guard rc == LDAP_SUCCESS else { throw failure(rc, "connecting") }
        }
    }

    /// A connection with the settings' certificate checks. When TLS fails, libldap (GnuTLS)
    /// says no more than "Connect error" or "Can't contact LDAP server"; connecting once more
    /// without the check (no bind, nothing sent) tells a refused certificate from an
    /// unreachable directory, so the administrator reads which it is.
    static func open(settings: LDAPDirectorySettings) throws -> LDAPConnection {
        let started = ContinuousClock.now
        do {
            return try LDAPConnection(settings: settings, verifyCertificates: settings.verifyCertificates)
        } catch var failure as LDAPFailure where failure.lostConnection && settings.usesTLS && settings.verifyCertificates {
            // A timeout is not a certificate problem, and probing would double the wait.
            guard ContinuousClock.now - started < .seconds(settings.timeoutSeconds) * 0.8,
                  let probe = try? LDAPConnection(settings: settings, verifyCertificates: false)
            else { throw failure }
            probe.close()
            let trust = settings.caFile.isEmpty ? "the system's trust store" : settings.caFile
            failure.certificateProblem = "the directory's certificate is not trusted by \(trust) or does not name the host of \(settings.url) "
                + "(\(failure.operation): \(failure.text)\(failure.diagnostic.isEmpty ? "" : ", \(failure.diagnostic)"))"
            throw failure
        }
    }

    deinit { close() }

    /// Sends an unbind and closes the socket (also what deinit does).
    func close() {
        guard let handle else { return }
        self.handle = nil
        ldap_unbind_ext_s(handle, nil, nil)
    }

    /// A simple bind; throws with code 49 (`LDAP_INVALID_CREDENTIALS`) for a wrong password.
    func bind(dn: String, password: String) throws {
        let handle = try live()
        let rc = password.utf8CString.withUnsafeBufferPointer { buffer in
            // utf8CString ends with NUL; the counted length leaves it out.
            cldap_simple_bind(handle, dn, buffer.baseAddress, buffer.count - 1)
        }
        guard rc == LDAP_SUCCESS else { throw failure(rc, "binding as \(dn)") }
    }

    /// Entries under `base` matching `filter`. With `pageSize`, read page by page (RFC 2696,
    /// the control marked critical so a directory without paging says so); without, at most
    /// `sizeLimit` entries (0: the directory's limit), and a search that hits the size limit
    /// returns what it got when `acceptSizeLimit` (more than one match of a login).
    func search(
        base: String, scope: Int32 = LDAP_SCOPE_SUBTREE, filter: String, attributes: [String],
        pageSize: Int? = nil, sizeLimit: Int32 = 0, acceptSizeLimit: Bool = false
    ) throws -> [LDAPEntry] {
        let handle = try live()
        let operation = "searching \(base) for \(filter)"
        var entries: [LDAPEntry] = []
        var cookie = berval(bv_len: 0, bv_val: nil)
        defer { ber_memfree(cookie.bv_val) }
        var first = true
        while first || cookie.bv_len > 0 {
            first = false
            var control: UnsafeMutablePointer<LDAPControl>?
            if let pageSize {
                let rc = cookie.bv_len > 0
                    ? ldap_create_page_control(handle, ber_int_t(pageSize), &cookie, 1, &control)
                    : ldap_create_page_control(handle, ber_int_t(pageSize), nil, 1, &control)
                guard rc == LDAP_SUCCESS else { throw failure(rc, "\(operation) (paged results control)") }
            }
            defer { ldap_control_free(control) }
            var result: OpaquePointer?
            defer { ldap_msgfree(result) }
            var controls: [UnsafeMutablePointer<LDAPControl>?] = [control, nil]
            let rc = withCStrings(attributes) { names in
                controls.withUnsafeMutableBufferPointer { list in
                    cldap_search(handle, base, scope, filter, names, control == nil ? nil : list.baseAddress,
                                 timeoutSeconds, sizeLimit, &result)
                }
            }
            guard rc == LDAP_SUCCESS || (rc == LDAP_SIZELIMIT_EXCEEDED && acceptSizeLimit) else {
                throw failure(rc, operation)
            }
            entries += readEntries(handle, result)
            ber_memfree(cookie.bv_val)
            cookie = berval(bv_len: 0, bv_val: nil)
            guard pageSize != nil, let result else { break }
            let parsed = cldap_page_cookie(handle, result, &cookie)
            guard parsed >= 0 else { throw failure(parsed, "\(operation) (reading the paged results cookie)") }
        }
        return entries
    }

    private func readEntries(_ handle: OpaquePointer, _ result: OpaquePointer?) -> [LDAPEntry] {
        var entries: [LDAPEntry] = []
        var entry = ldap_first_entry(handle, result)
        while let current = entry {
            var dn = ""
            if let raw = ldap_get_dn(handle, current) {
                dn = String(cString: raw)
                ldap_memfree(raw)
            }
            var attributes: [String: [[UInt8]]] = [:]
            var ber: OpaquePointer?
            var name = ldap_first_attribute(handle, current, &ber)
            while let attribute = name {
                var values: [[UInt8]] = []
                if let list = ldap_get_values_len(handle, current, attribute) {
                    var index = 0
                    while let value = list[index] {
                        let pointee = value.pointee
                        values.append(pointee.bv_val.map {
                            Array(UnsafeRawBufferPointer(start: $0, count: Int(pointee.bv_len)))
                        } ?? [])
                        index += 1
                    }
                    ldap_value_free_len(list)
                }
                attributes[String(cString: attribute).lowercased(), default: []] += values
                ldap_memfree(attribute)
                name = ldap_next_attribute(handle, current, ber)
            }
            if let ber { ber_free(ber, 0) }
            entries.append(LDAPEntry(dn: dn, attributes: attributes))
            entry = ldap_next_entry(handle, current)
        }
        return entries
    }

    private func live() throws -> OpaquePointer {
        guard let handle else { throw LDAPFailure(code: LDAP_SERVER_DOWN, operation: "using a closed connection", diagnostic: "", url: url) }
        return handle
    }

    private func option(_ rc: Int32, _ what: String) throws {
        guard rc == LDAP_OPT_SUCCESS else {
            throw LDAPFailure(code: LDAP_LOCAL_ERROR, operation: "setting \(what) on the connection", diagnostic: "", url: url)
        }
    }

    /// The failure with the handle's diagnostic message.
    private func failure(_ rc: Int32, _ operation: String) -> LDAPFailure {
        var diagnostic = ""
        if let handle, let message = cldap_diagnostic_message(handle) {
            diagnostic = String(cString: message)
            ldap_memfree(message)
        }
        return LDAPFailure(code: rc, operation: operation, diagnostic: diagnostic, url: url)
    }
}

/// A NULL-terminated `char *[]` of `strings` for the duration of `body` (NULL when empty: all
/// user attributes).
private func withCStrings<T>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> T) -> T {
    guard !strings.isEmpty else { return body(nil) }
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}

/// libldap writes to sockets with write(2): a connection the directory has reset would raise
/// SIGPIPE and end the process. Ignored process-wide, as SwiftNIO also does on Linux.
let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
