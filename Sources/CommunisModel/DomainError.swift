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
    case accountLocked(until: Date)
    case accountDisabled
    case invitationInvalid
    case tooManyAttempts(retryAfter: TimeInterval)

    public var code: String {
        switch self {
        case .validation: "validation-failed"
        case .notFound: "not-found"
        case .forbidden: "forbidden"
        case .conflict: "conflict"
        case .unauthenticated: "unauthenticated"
        case .invalidCredentials: "invalid-credentials"
        case .accountLocked: "account-locked"
        case .accountDisabled: "account-disabled"
        case .invitationInvalid: "invitation-invalid"
        case .tooManyAttempts: "too-many-attempts"
        }
    }

    public var detail: String {
        switch self {
        case .validation(let errors): errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .notFound(let what): "\(what) was not found."
        case .forbidden(let why): why
        case .conflict(let why): why
        case .unauthenticated: "Log in first."
        case .invalidCredentials: "The e-mail address or the password is wrong."
        case .accountLocked: "The account is locked after too many failed logins; try again later or ask an administrator."
        case .accountDisabled: "The account is disabled; ask an administrator."
        case .invitationInvalid: "The invitation has expired or has already been used."
        case .tooManyAttempts: "Too many login attempts from this address; wait a moment and try again."
        }
    }
}
