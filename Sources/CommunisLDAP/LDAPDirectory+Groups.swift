import CLDAP
import CommunisServices
import Foundation

extension LDAPDirectory {
    public func groups(of account: DirectoryAccount) async throws -> [DirectoryGroup] {
        try await run("reading the groups of \(account.dn)") {
            let (base, attributes, pageSize, groupFilter) = (groupBase, groupAttributes, settings.pageSize, effectiveGroupFilter)
            let entries: [LDAPEntry]
            switch settings.kind {
            case .activeDirectory:
                let filter = LDAPFilter.activeDirectoryGroups(groupFilter: groupFilter, userDN: account.dn)
                entries = try await withService { try $0.search(base: base, filter: filter, attributes: attributes, pageSize: pageSize) }
            case .openLDAP:
                entries = try await withService { connection in
                    try Self.walkUp(from: account.dn, connection: connection, base: base, groupFilter: groupFilter,
                                    attributes: attributes, pageSize: pageSize)
                }
            }
            return entries.compactMap(group(from:)).sorted { $0.name < $1.name }
        }
    }

    public func members(of group: DirectoryGroup) async throws -> Set<String> {
        try await run("reading the members of \(group.dn)") {
            let (users, groups, pageSize, id) = (userBase, groupBase, settings.pageSize, idAttribute)
            let entries: [LDAPEntry]
            switch settings.kind {
            case .activeDirectory:
                let filter = LDAPFilter.activeDirectoryMembers(userFilter: effectiveUserFilter, groupDN: group.dn)
                entries = try await withService { try $0.search(base: users, filter: filter, attributes: [id], pageSize: pageSize) }
            case .openLDAP:
                let (userFilter, groupFilter) = (LDAPFilter.everyone(effectiveUserFilter), effectiveGroupFilter)
                entries = try await withService { connection in
                    // `member` only says which DNs a group names; which of them are groups and
                    // which are people is known by reading all groups, then the people.
                    let all = try connection.search(base: groups, filter: groupFilter, attributes: ["member"], pageSize: pageSize)
                    let people = Self.walkDown(from: group.dn, groups: all)
                    guard !people.isEmpty else { return [] }
                    return try connection.search(base: users, filter: userFilter, attributes: [id], pageSize: pageSize)
                        .filter { people.contains(Self.normalized($0.dn)) }
                }
            }
            return Set(entries.compactMap(stableID(of:)))
        }
    }

    /// OpenLDAP: the groups that name `dn` as a member, then the groups that name those, until
    /// no new group appears (a group seen once is not followed again, so cycles end).
    static func walkUp(
        from dn: String, connection: LDAPConnection, base: String, groupFilter: String, attributes: [String], pageSize: Int
    ) throws -> [LDAPEntry] {
        var seen: Set<String> = [normalized(dn)]
        var found: [LDAPEntry] = []
        var frontier = [dn]
        while !frontier.isEmpty {
            var next: [String] = []
            // Fifty DNs to a filter keeps each filter well under any server's size limits.
            for start in stride(from: 0, to: frontier.count, by: 50) {
                let chunk = Array(frontier[start..<min(start + 50, frontier.count)])
                let filter = LDAPFilter.groupsWithMember(groupFilter: groupFilter, dns: chunk)
                for entry in try connection.search(base: base, filter: filter, attributes: attributes, pageSize: pageSize)
                where seen.insert(normalized(entry.dn)).inserted {
                    found.append(entry)
                    next.append(entry.dn)
                }
            }
            frontier = next
        }
        return found
    }

    /// OpenLDAP: the normalized DNs of everything `groupDN` names, through its nested groups,
    /// that is not one of `groups` (people, as far as groups can tell).
    static func walkDown(from groupDN: String, groups: [LDAPEntry]) -> Set<String> {
        var membersOf: [String: [String]] = [:]
        for group in groups { membersOf[normalized(group.dn)] = group.strings("member").map(normalized) }
        var visited: Set<String> = []
        var people: Set<String> = []
        var pending = [normalized(groupDN)]
        while let current = pending.popLast() {
            guard visited.insert(current).inserted else { continue }
            for member in membersOf[current] ?? [] {
                if membersOf[member] != nil { pending.append(member) } else { people.insert(member) }
            }
        }
        return people
    }

    /// A DN in one spelling (libldap's LDAPv3 form, lowercased), so `member` values and entry
    /// DNs compare equal however the directory spaced or cased them.
    static func normalized(_ dn: String) -> String {
        var out: UnsafeMutablePointer<CChar>?
        let format = UInt32(LDAP_DN_FORMAT_LDAPV3)
        guard ldap_dn_normalize(dn, format, &out, format) == LDAP_SUCCESS, let out else { return dn.lowercased() }
        defer { ldap_memfree(out) }
        return String(cString: out).lowercased()
    }

    // MARK: - Entries

    /// The stable id of an entry: entryUUID as text, objectGUID's bytes as AD prints them.
    func stableID(of entry: LDAPEntry) -> String? {
        guard let bytes = entry.values(idAttribute).first, !bytes.isEmpty else { return nil }
        if idAttribute.lowercased() == "objectguid", let guid = ActiveDirectoryGUID.string(bytes) { return guid }
        let text = String(decoding: bytes, as: UTF8.self)
        return UUID(uuidString: text) != nil ? text.lowercased() : text
    }

    /// The id as a filter value: objectGUID as escaped bytes; nil when it cannot be one.
    func idFilterValue(_ stableID: String) -> String? {
        let id = stableID.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty else { return nil }
        if idAttribute.lowercased() == "objectguid" { return ActiveDirectoryGUID.bytes(id).map { LDAPFilter.escape(bytes: $0) } }
        return LDAPFilter.escape(id)
    }

    func account(from entry: LDAPEntry) -> DirectoryAccount? {
        guard let id = stableID(of: entry) else { return nil }
        func text(_ role: String) -> String { effectiveAttributes[role].flatMap { entry.first($0) } ?? "" }
        let login = text("login")
        let name = [text("name"), entry.first("cn") ?? "", login].first { !$0.isEmpty } ?? ""
        return DirectoryAccount(
            stableID: id, dn: entry.dn, login: login, name: name, email: text("email"), title: text("title"),
            department: text("department"), workplace: text("workplace"), phone: text("phone"), disabled: isDisabled(entry))
    }

    /// An account for a person who is logging in: without a stable id Communis cannot know them.
    func requireAccount(_ entry: LDAPEntry) throws -> DirectoryAccount {
        guard let account = account(from: entry) else {
            throw DirectoryError.misconfigured(
                "the directory entry \(entry.dn) has no \(idAttribute), the attribute that identifies people: "
                    + "check the id attribute and that the service account may read it")
        }
        return account
    }

    func isDisabled(_ entry: LDAPEntry) -> Bool {
        switch settings.kind {
        case .openLDAP: return entry.has("pwdAccountLockedTime")
        case .activeDirectory:
            // ACCOUNTDISABLE, bit 0x2 of userAccountControl.
            return (entry.first("userAccountControl").flatMap { Int($0) } ?? 0) & 0x2 != 0
        }
    }

    func group(from entry: LDAPEntry) -> DirectoryGroup? {
        guard let id = stableID(of: entry) else { return nil }
        let name = entry.first("cn") ?? entry.first("displayName") ?? entry.dn
        return DirectoryGroup(stableID: id, dn: entry.dn, name: name)
    }
}
