import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// A row of `sessions`.
struct SessionRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "sessions"

    var record: SessionRecord

    init(_ record: SessionRecord) { self.record = record }

    init(row: Row) throws {
        let personID: String = row["person_id"]
        guard let id = PersonID(personID) else { throw CorruptRow(table: "sessions", column: "person_id", value: personID) }
        let sessionText: String = row["id"] ?? ""
        guard let sessionID = SessionID(sessionText) else { throw CorruptRow(table: "sessions", column: "id", value: sessionText) }
        let methodText: String = row["method"]
        guard let method = LoginMethod(rawValue: methodText) else { throw CorruptRow(table: "sessions", column: "method", value: methodText) }
        let lastSeen: Double? = row["last_seen_at"]
        record = SessionRecord(
            id: sessionID, tokenHash: row["token_hash"], personID: id, csrfToken: row["csrf_token"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            expiresAt: Date(timeIntervalSince1970: row["expires_at"]),
            method: method, address: row["address"], userAgent: row["user_agent"],
            lastSeenAt: lastSeen.map(Date.init(timeIntervalSince1970:))
        )
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = record.id.description
        container["method"] = record.method.rawValue
        container["address"] = record.address
        container["user_agent"] = String(record.userAgent.prefix(300))
        container["last_seen_at"] = record.lastSeenAt?.unixSeconds
        container["token_hash"] = record.tokenHash
        container["person_id"] = record.personID.description
        container["csrf_token"] = record.csrfToken
        container["created_at"] = record.createdAt.unixSeconds
        container["expires_at"] = record.expiresAt.unixSeconds
    }
}

/// A row of `api_tokens`.
struct ApiTokenRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "api_tokens"

    var record: ApiTokenRecord

    init(_ record: ApiTokenRecord) { self.record = record }

    init(row: Row) throws {
        let idText: String = row["id"]
        let personText: String = row["person_id"]
        guard let id = ApiTokenID(idText) else { throw CorruptRow(table: "api_tokens", column: "id", value: idText) }
        guard let personID = PersonID(personText) else { throw CorruptRow(table: "api_tokens", column: "person_id", value: personText) }
        let lastUsedAt: Double? = row["last_used_at"]
        record = ApiTokenRecord(
            id: id, personID: personID, name: row["name"], tokenHash: row["token_hash"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            lastUsedAt: lastUsedAt.map(Date.init(timeIntervalSince1970:))
        )
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = record.id.description
        container["person_id"] = record.personID.description
        container["name"] = record.name
        container["token_hash"] = record.tokenHash
        container["created_at"] = record.createdAt.unixSeconds
        container["last_used_at"] = record.lastUsedAt?.unixSeconds
    }
}
