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
    /// A document is checked out (locked) by someone else until `expiresAt`.
    case locked(holderID: PersonID, holderName: String, expiresAt: Date)
    /// A file is larger than `documents.max_file_bytes`.
    case fileTooLarge(maxBytes: Int64)
    /// The workspace's library would pass `documents.workspace_quota_bytes`.
    case quotaExceeded(quotaBytes: Int64, usedBytes: Int64)
    /// The disk holding the files is full (or below `documents.min_free_mb`): nothing was stored.
    case storageFull
    /// The file's type is not in `documents.allowed_types`.
    case typeNotAllowed(allowed: [String])
    /// Two versions cannot be compared: the text of one of them could not be extracted.
    case textUnavailable
    /// Two versions cannot be compared yet: the text of one of them is still being extracted.
    case textPending

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
        case .locked: "locked"
        case .fileTooLarge: "file-too-large"
        case .quotaExceeded: "quota-exceeded"
        case .storageFull: "storage-full"
        case .typeNotAllowed: "type-not-allowed"
        case .textUnavailable: "text-unavailable"
        case .textPending: "text-pending"
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
        // Documents: Swedish first (what people see in the web client when it has no text of
        // its own for the code), then English for API clients.
        case .locked(_, let name, let until):
            "Dokumentet är utcheckat av \(name) till \(Self.time(until)). / The document is checked out by \(name) until \(Self.time(until))."
        case .fileTooLarge(let max):
            "Filen är för stor: högst \(Self.size(max)) är tillåtet. / The file is too large: at most \(Self.size(max)) is allowed."
        case .quotaExceeded(let quota, let used):
            "Arbetsytans dokumentutrymme räcker inte: \(Self.size(used)) av \(Self.size(quota)) används. / The workspace's document space is full: \(Self.size(used)) of \(Self.size(quota)) used."
        case .storageFull:
            "Servern har inte plats för filen just nu; inget sparades. Kontakta IT. / The server's disk is full; nothing was stored. Contact IT."
        case .typeNotAllowed(let allowed):
            "Den här filtypen är inte tillåten (tillåtna: \(allowed.joined(separator: ", "))). / This file type is not allowed (allowed: \(allowed.joined(separator: ", ")))."
        case .textUnavailable:
            "Texten i en av versionerna kan inte läsas ut, så de kan inte jämföras. / The text of one of the versions could not be extracted, so they cannot be compared."
        case .textPending:
            "Texten i en av versionerna läses ut just nu; prova igen om en stund. / The text of one of the versions is still being extracted; try again shortly."
        }
    }
}

extension DomainError {
    /// Bytes as people read them: "2 GiB", "15,5 MiB", "900 kB" (binary units, one decimal).
    public static func size(_ bytes: Int64) -> String {
        let units = ["byte", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) byte" }
        let rounded = (value * 10).rounded() / 10
        let text = rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
        return "\(text) \(units[unit])"
    }

    /// A moment as `2026-12-07 14:05 UTC` (the API's clients show it in local time from `expiresAt`).
    static func time(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
