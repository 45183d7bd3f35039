import Foundation

/// A field that failed validation, with a message a person can act on.
public struct FieldError: Sendable, Equatable, Codable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Errors the domain can raise. Each has a stable `code` that clients and docs rely on;
/// the HTTP layer maps them to problem+json, the live hub (later) to error events.
public enum DomainError: Error, Sendable, Equatable {
    case validation([FieldError])
    case notFound(String)
    case forbidden(String)
    case conflict(String)
    case unauthenticated
    case invalidCredentials
    case accountDisabled
    case invitationInvalid
    /// A password-reset link that is unknown, used or expired.
    case resetInvalid
    case tooManyAttempts(retryAfter: TimeInterval)
    /// The organisation's directory (or identity provider) cannot be reached now.
    case directoryUnavailable

    public var code: String {
        switch self {
        case .validation: "validation-failed"
        case .notFound: "not-found"
        case .forbidden: "forbidden"
        case .conflict: "conflict"
        case .unauthenticated: "unauthenticated"
        case .invalidCredentials: "invalid-credentials"
        case .accountDisabled: "account-disabled"
        case .invitationInvalid: "invitation-invalid"
        case .resetInvalid: "reset-invalid"
        case .tooManyAttempts: "too-many-attempts"
        case .directoryUnavailable: "directory-unavailable"
        }
    }

    public var detail: String {
        switch self {
        case .validation(let errors): errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .notFound(let what): "\(what) was not found."
        case .forbidden(let why): why
        case .conflict(let why): why
        case .unauthenticated: "Log in first."
        case .invalidCredentials: "The login name, e-mail address or password is wrong."
        case .accountDisabled: "The account is disabled; ask an administrator."
        case .invitationInvalid: "The invitation has expired or has already been used."
        case .resetInvalid: "The password reset link has expired or has already been used; ask for a new one."
        case .tooManyAttempts(let wait): "Too many failed logins; wait \(Int(wait.rounded(.up))) seconds and try again."
        case .directoryUnavailable: "The directory cannot be reached right now; try again in a moment or ask IT."
        }
    }
}
