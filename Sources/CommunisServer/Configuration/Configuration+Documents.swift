import CommunisServices
import Foundation

extension Configuration {
    /// The keys of the document libraries (`storage.documents_dir`, `documents.*`).
    static let documentKeys: [ConfigurationKey] = [
        .init(name: "storage.documents_dir", kind: .string, defaultValue: .string("./documents"),
              help: "Folder of the document libraries' files (content-addressed blobs, uploads in progress, previews); in a cluster, storage every node shares."),
        .init(name: "documents.max_file_bytes", kind: .integer(1...1_099_511_627_776), defaultValue: .integer(2_147_483_648),
              help: "Largest file (one version) that may be uploaded; larger ones are refused with 413 and a Swedish message."),
        .init(name: "documents.workspace_quota_bytes", kind: .integer(0...1_125_899_906_842_624), defaultValue: .integer(0),
              help: "Bytes one workspace's library may use (every version and the trash, identical files counted once); 0: no quota."),
        .init(name: "documents.trash_days", kind: .integer(1...3650), defaultValue: .integer(30),
              help: "Days a deleted document stays in the trash before it and its files are removed for good."),
        .init(name: "documents.allowed_types", kind: .stringList, defaultValue: .stringList([]),
              help: "File types that may be uploaded: media types (application/pdf, image/*) or extensions (.docx); empty: any."),
        .init(name: "documents.lock_minutes", kind: .integer(1...1440), defaultValue: .integer(60),
              help: "How long a check-out (lock) lasts when the client does not say; at most 24 hours."),
        .init(name: "documents.upload_expiry_hours", kind: .integer(1...8760), defaultValue: .integer(24),
              help: "An unfinished resumable upload is removed this long after it was started."),
        .init(name: "documents.previews", kind: .boolean, defaultValue: .boolean(true),
              help: "Make previews (images, PDF pages, office documents through LibreOffice) in the background."),
        .init(name: "documents.office_command", kind: .string, defaultValue: .string("soffice"),
              help: "The LibreOffice program used headless for previews and text of office documents."),
        .init(name: "documents.min_free_mb", kind: .integer(0...1_000_000), defaultValue: .integer(200),
              help: "Free space (MiB) the documents folder's disk must keep; an upload that would pass it is refused with 507."),
    ]

    /// The document libraries' settings as the services take them.
    public var documentSettings: DocumentSettings {
        DocumentSettings(
            maxFileBytes: Int64(documents.maxFileBytes), quotaBytes: documents.workspaceQuotaBytes > 0 ? Int64(documents.workspaceQuotaBytes) : nil,
            trashDays: documents.trashDays, allowedTypes: documents.allowedTypes, lockMinutes: documents.lockMinutes,
            uploadExpiryHours: documents.uploadExpiryHours, previews: documents.previews)
    }

    static func documents(_ string: (String) -> String, _ int: (String) -> Int, _ bool: (String) -> Bool, _ list: (String) -> [String]) -> DocumentsConfiguration {
        DocumentsConfiguration(
            maxFileBytes: int("documents.max_file_bytes"), workspaceQuotaBytes: int("documents.workspace_quota_bytes"),
            trashDays: int("documents.trash_days"), allowedTypes: list("documents.allowed_types"), lockMinutes: int("documents.lock_minutes"),
            uploadExpiryHours: int("documents.upload_expiry_hours"), previews: bool("documents.previews"),
            officeCommand: string("documents.office_command"), minFreeMB: int("documents.min_free_mb"))
    }
}

/// The document libraries (`documents.*`).
public struct DocumentsConfiguration: Sendable, Equatable {
    public var maxFileBytes: Int
    /// 0: no quota.
    public var workspaceQuotaBytes: Int
    public var trashDays: Int
    public var allowedTypes: [String]
    public var lockMinutes: Int
    public var uploadExpiryHours: Int
    public var previews: Bool
    public var officeCommand: String
    public var minFreeMB: Int
}
