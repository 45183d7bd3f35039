import CLDAP
import CommunisServices
import Foundation

/// A libldap call that failed: the result code, libldap's text for it and the directory's
/// diagnostic message, with what was being done.
struct LDAPFailure: Error, Sendable, CustomStringConvertible {
    var code: Int32
    /// "binding as cn=…", "searching ou=people,… for (uid=annlin)".
    var operation: String
    var diagnostic: String
    /// The directory's URL(s), so a log line says which server failed.
    var url = ""
    /// Set when the failure is about TLS and its certificate check; the message to show.
    var certificateProblem: String?

    var text: String { String(cString: ldap_err2string(code)) }

    var description: String {
        let detail = diagnostic.isEmpty ? "" : "; \(diagnostic)"
        let server = url.isEmpty ? "" : " on \(url)"
        return "\(operation)\(server) failed: \(text) (\(code))\(detail)"
    }

    /// The connection is gone (directory restarted, network cut): a new one may work.
    var lostConnection: Bool { code == LDAP_SERVER_DOWN || code == LDAP_CONNECT_ERROR }

    /// Temporary trouble: the directory could not be reached or did not answer in time.
    var isTemporary: Bool {
        [LDAP_SERVER_DOWN, LDAP_CONNECT_ERROR, LDAP_TIMEOUT, LDAP_TIMELIMIT_EXCEEDED, LDAP_BUSY, LDAP_UNAVAILABLE,
         LDAP_LOCAL_ERROR, LDAP_NO_MEMORY].contains(code)
    }

    /// Active Directory refuses the bind of a disabled or expired account with 49 and
    /// "data 533" (disabled) or "data 701" (expired) in the diagnostic, and only after the
    /// password was found right (a wrong password is "data 52e" whatever the account's state).
    var isActiveDirectoryDisabledAccount: Bool {
        code == LDAP_INVALID_CREDENTIALS && (diagnostic.contains("data 533,") || diagnostic.contains("data 701,"))
    }

    /// What the services see: temporary trouble is `.unavailable`, everything an
    /// administrator must fix is `.misconfigured`, each with a message naming the problem.
    var directoryError: DirectoryError {
        if let certificateProblem { return .misconfigured(certificateProblem) }
        if isTemporary { return .unavailable(description) }
        switch code {
        case LDAP_NO_SUCH_OBJECT:
            return .misconfigured("\(operation) failed: the base DN does not exist in the directory (\(text); \(diagnostic))")
        case LDAP_FILTER_ERROR:
            return .misconfigured("\(operation) failed: the filter is not a valid LDAP filter (RFC 4515)")
        case LDAP_INSUFFICIENT_ACCESS:
            return .misconfigured("\(operation) failed: the service account may not read this (\(text))")
        default:
            return .misconfigured(description)
        }
    }
}

extension DirectoryError {
    /// Any error of this target as a `DirectoryError` (thread-pool errors are temporary).
    static func from(_ error: any Error) -> DirectoryError {
        switch error {
        case let error as DirectoryError: error
        case let failure as LDAPFailure: failure.directoryError
        default: .unavailable("the directory client could not run: \(error)")
        }
    }
}
