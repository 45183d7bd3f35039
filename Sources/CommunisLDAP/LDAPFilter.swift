import Foundation

/// LDAP search filters (RFC 4515) built from values a person typed or the directory returned.
public enum LDAPFilter {
    /// The value escaped for use inside a filter: `*` `(` `)` `\` and NUL become `\2a` `\28`
    /// `\29` `\5c` `\00`, so a login such as `*)(uid=*` matches only itself.
    public static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "*": escaped += "\\2a"
            case "(": escaped += "\\28"
            case ")": escaped += "\\29"
            case "\\": escaped += "\\5c"
            case "\0": escaped += "\\00"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Raw bytes as a filter value (`\0e\7a…`), for binary attributes such as objectGUID.
    public static func escape(bytes: [UInt8]) -> String {
        bytes.map { String(format: "\\%02x", $0) }.joined()
    }

    /// The user filter with `{login}` replaced by the escaped login.
    static func userFilter(_ template: String, login: String) -> String {
        template.replacingOccurrences(of: "{login}", with: escape(login))
    }

    /// The user filter matching everyone: `{login}` becomes a presence match (`*`).
    static func everyone(_ template: String) -> String {
        template.replacingOccurrences(of: "{login}", with: "*")
    }

    /// OID of Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: a `member`/`memberOf` match
    /// that follows nested groups on the server.
    static let inChain = "1.2.840.113556.1.4.1941"

    /// AD: the groups that contain `userDN`, directly or through nested groups.
    static func activeDirectoryGroups(groupFilter: String, userDN: String) -> String {
        "(&\(groupFilter)(member:\(inChain):=\(escape(userDN))))"
    }

    /// AD: the people in `groupDN`, directly or through nested groups.
    static func activeDirectoryMembers(userFilter: String, groupDN: String) -> String {
        "(&\(everyone(userFilter))(memberOf:\(inChain):=\(escape(groupDN))))"
    }

    /// OpenLDAP: the groups whose `member` is one of `dns` (one step of the walk up).
    static func groupsWithMember(groupFilter: String, dns: [String]) -> String {
        let members = dns.map { "(member=\(escape($0)))" }.joined()
        return dns.count == 1 ? "(&\(groupFilter)\(members))" : "(&\(groupFilter)(|\(members)))"
    }
}

/// Active Directory's objectGUID: 16 bytes whose first three fields are little-endian, printed
/// by AD (and PowerShell) as a lowercase UUID string.
public enum ActiveDirectoryGUID {
    /// `33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff` → `00112233-4455-6677-8899-aabbccddeeff`.
    public static func string(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 16 else { return nil }
        let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15]
        let hex = order.map { String(format: "%02x", bytes[$0]) }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }

    /// The bytes AD stores for a UUID string, or nil when it is not one.
    public static func bytes(_ string: String) -> [UInt8]? {
        guard let uuid = UUID(uuidString: string) else { return nil }
        let b = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        return [b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]] + b[8..<16]
    }
}
