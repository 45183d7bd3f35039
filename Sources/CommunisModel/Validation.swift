import Foundation

/// Size limits on what people write. They protect the database and the pages that show the
/// text; the HTTP body limit (configuration) is the outer fence.
public enum Limits {
    public static let nameLength = 120
    public static let emailLength = 254
    public static let descriptionLength = 4000
    public static let titleLength = 120
    public static let departmentLength = 120
    public static let workplaceLength = 120
    public static let phoneLength = 40
    public static let presentationLength = 2000
    public static let competenceLength = 60
    public static let competenceCount = 30
    public static let passwordMinLength = 10
    /// bcrypt reads only the first 72 bytes; a longer password would silently be cut.
    public static let passwordMaxBytes = 72
    public static let tokenNameLength = 80
}

/// Collects field errors and throws them together, so a form shows every problem at once.
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    /// Trims `value` and checks its length; returns the trimmed value.
    @discardableResult
    public mutating func text(_ value: String, field: String, required: Bool = false, max: Int) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if required && trimmed.isEmpty {
            errors.append(FieldError(field: field, message: "must not be empty"))
        } else if trimmed.count > max {
            errors.append(FieldError(field: field, message: "must be at most \(max) characters"))
        } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) {
            errors.append(FieldError(field: field, message: "must not contain control characters"))
        }
        return trimmed
    }

    public mutating func email(_ value: String, field: String = "email") -> String {
        let email = Email.normalize(value)
        if !Email.isPlausible(email) {
            errors.append(FieldError(field: field, message: "must be an e-mail address like namn@exempel.se"))
        }
        return email
    }

    public mutating func password(_ value: String, field: String = "password") {
        if value.count < Limits.passwordMinLength {
            errors.append(FieldError(field: field, message: "must be at least \(Limits.passwordMinLength) characters"))
        } else if value.utf8.count > Limits.passwordMaxBytes {
            errors.append(FieldError(field: field, message: "must be at most \(Limits.passwordMaxBytes) bytes"))
        }
    }

    /// Trims, drops empty entries and case-insensitive duplicates, checks count and length.
    public mutating func competences(_ values: [String], field: String = "competences") -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for value in values {
            let trimmed = text(value, field: field, max: Limits.competenceLength)
            if !trimmed.isEmpty && seen.insert(trimmed.lowercased()).inserted { result.append(trimmed) }
        }
        if result.count > Limits.competenceCount {
            errors.append(FieldError(field: field, message: "at most \(Limits.competenceCount) competences"))
        }
        return result
    }

    public mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    public func check() throws {
        if !errors.isEmpty { throw DomainError.validation(errors) }
    }
}
