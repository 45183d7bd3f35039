import CommunisModel
import CommunisStore
import Foundation

/// A person's notification settings and what they follow (`/me/notification-settings`,
/// `/me/follows`), and the questions other features ask about follows.
///
/// Workspaces one is a member of are followed implicitly; unfollowing one keeps the
/// membership and stores an explicit "not following" (the home feed leaves it out).
public struct NotificationCentre: Sendable {
    let store: any CommunisStore
    let clock: Clock

    public init(store: any CommunisStore, clock: Clock = Clock()) {
        self.store = store
        self.clock = clock
    }

    // MARK: Settings

    public struct PreferenceJSON: Codable, Sendable, Equatable {
        public var app: Bool
        public var email: EmailCadence
        public var push: Bool
    }

    public struct QuietHoursJSON: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var from: String
        public var to: String
    }

    /// The settings as the API shows and takes them (docs/openapi.yaml, NotificationSettings).
    public struct SettingsJSON: Codable, Sendable, Equatable {
        public var kinds: [String: PreferenceJSON]
        public var quietHours: QuietHoursJSON
        public var timeZone: String
        public var language: String?
    }

    /// What a client sends: every part may be left out and then keeps its current value, so
    /// every wrong value is named at once (not only the first missing one).
    public struct SettingsInput: Decodable, Sendable {
        public struct QuietHoursInput: Decodable, Sendable {
            public var enabled: Bool?
            public var from: String?
            public var to: String?
        }
        public var kinds: [String: PreferenceJSON]?
        public var quietHours: QuietHoursInput?
        public var timeZone: String?
        public var language: String?
    }

    public func settings(viewer: Viewer) async throws -> SettingsJSON {
        let settings = try await store.notificationSettings(of: [viewer.id])[viewer.id] ?? .defaults
        var kinds: [String: PreferenceJSON] = [:]
        for kind in NotificationSettings.allKinds {
            let preference = settings.preference(kind)
            kinds[kind.rawValue] = PreferenceJSON(app: preference.app, email: preference.email, push: preference.push)
        }
        return SettingsJSON(kinds: kinds, quietHours: QuietHoursJSON(enabled: settings.quietHours.enabled, from: settings.quietHours.from,
                                                                      to: settings.quietHours.to),
                            timeZone: settings.timeZone, language: settings.language)
    }

    /// Replaces the settings; a kind (or any part) left out keeps its current value.
    public func setSettings(viewer: Viewer, _ input: SettingsInput) async throws -> SettingsJSON {
        var settings = try await store.notificationSettings(of: [viewer.id])[viewer.id] ?? .defaults
        var validator = Validator()
        for (name, preference) in input.kinds ?? [:] {
            guard let kind = PersonalNotification.Kind(rawValue: name) else {
                validator.fail("kinds.\(name)", "is not a kind of notification")
                continue
            }
            settings.kinds[kind] = NotificationPreference(app: preference.app, email: preference.email, push: preference.push)
        }
        for kind in NotificationSettings.allKinds where settings.kinds[kind] == nil {
            settings.kinds[kind] = settings.preference(kind)
        }
        if let quiet = input.quietHours {
            settings.quietHours = QuietHours(enabled: quiet.enabled ?? settings.quietHours.enabled, from: quiet.from ?? settings.quietHours.from,
                                             to: quiet.to ?? settings.quietHours.to)
        }
        if let timeZone = input.timeZone { settings.timeZone = timeZone }
        if let language = input.language { settings.language = language }
        settings.validate(&validator)
        try validator.check()
        try await store.setNotificationSettings(settings, for: viewer.id, at: clock.now())
        return try await self.settings(viewer: viewer)
    }

    // MARK: Follows

    public struct FollowJSON: Encodable, Sendable, Equatable {
        public var kind: FollowKind
        public var target: String
        /// A workspace's or person's name; the tag or category itself.
        public var label: String
        /// Followed because one is a member (not chosen).
        public var implicit: Bool
    }

    public struct FollowList: Encodable, Sendable {
        public var items: [FollowJSON]
    }

    public func follows(viewer: Viewer) async throws -> FollowList {
        let explicit = try await store.follows(of: viewer.id)
        let unfollowed = Set(explicit.filter { $0.kind == .workspace && !$0.following }.map(\.target))
        var items: [FollowJSON] = []
        var offset = 0
        var memberOf = Set<String>()
        while true {
            let page = try await store.workspaces(of: viewer.id, text: nil, page: PageRequest(limit: PageRequest.maxLimit, offset: offset))
            for listing in page.items {
                let id = listing.overview.workspace.id.description
                memberOf.insert(id)
                if !unfollowed.contains(id) {
                    items.append(FollowJSON(kind: .workspace, target: id, label: listing.overview.workspace.name, implicit: true))
                }
            }
            offset += page.items.count
            if page.items.isEmpty || offset >= page.total { break }
        }
        for follow in explicit where follow.following && !(follow.kind == .workspace && memberOf.contains(follow.target)) {
            var label = follow.target
            switch follow.kind {
            case .workspace:
                // A workspace one may no longer read is not listed (and not in the feed).
                guard let id = WorkspaceID(follow.target), let found = try await store.workspace(id: id),
                      WorkspacePolicy.canRead(found.visibility, viewer: viewer.role, membership: nil) else { continue }
                label = found.name
            case .person:
                guard let id = PersonID(follow.target), let person = try await store.person(id: id) else { continue }
                label = person.name
            case .tag, .category: break
            }
            items.append(FollowJSON(kind: follow.kind, target: follow.target, label: label, implicit: false))
        }
        return FollowList(items: items)
    }

    /// Follows `target`. A workspace must be one the viewer may read, a person one they may
    /// see; a tag or category is stored folded (1 to 100 characters).
    public func follow(viewer: Viewer, kind: FollowKind, target raw: String) async throws {
        let target = try await checkedTarget(viewer: viewer, kind: kind, raw)
        if kind == .workspace, let id = WorkspaceID(target), try await store.membership(workspace: id, person: viewer.id) != nil {
            // Members follow by default: following again removes the explicit unfollow.
            try await store.removeFollow(person: viewer.id, kind: .workspace, target: target)
            return
        }
        try await store.setFollow(Follow(personID: viewer.id, kind: kind, target: target, following: true, createdAt: clock.now()))
    }

    /// Unfollows `target`; for a member workspace that is an explicit "not following"
    /// (the membership stays). Unfollowing what one does not follow changes nothing.
    public func unfollow(viewer: Viewer, kind: FollowKind, target raw: String) async throws {
        let target = kind == .tag || kind == .category ? Follow.fold(raw) : raw.lowercased()
        if kind == .workspace, let id = WorkspaceID(target), try await store.membership(workspace: id, person: viewer.id) != nil {
            try await store.setFollow(Follow(personID: viewer.id, kind: .workspace, target: target, following: false, createdAt: clock.now()))
            return
        }
        try await store.removeFollow(person: viewer.id, kind: kind, target: target)
    }

    /// Whether `person` follows `target` (a member workspace counts unless unfollowed).
    public func isFollowing(_ person: PersonID, kind: FollowKind, target raw: String) async throws -> Bool {
        let target = kind == .tag || kind == .category ? Follow.fold(raw) : raw.lowercased()
        if let row = try await store.follows(of: person).first(where: { $0.kind == kind && $0.target == target }) { return row.following }
        if kind == .workspace, let id = WorkspaceID(target) { return try await store.membership(workspace: id, person: person) != nil }
        return false
    }

    /// Everyone (active accounts) who follows any of `tags` or `categories` (compared folded:
    /// "Lön" and "lön" are one tag). For news: the caller still keeps only those in the
    /// article's audience.
    public func followers(ofTags tags: [String], categories: [String]) async throws -> Set<PersonID> {
        try await store.followers(ofTags: tags.map(Follow.fold), categories: categories.map(Follow.fold))
    }

    private func checkedTarget(viewer: Viewer, kind: FollowKind, _ raw: String) async throws -> String {
        switch kind {
        case .workspace:
            guard let id = WorkspaceID(raw), let found = try await store.workspace(id: id) else { throw DomainError.notFound("Workspace") }
            let role = try await store.membership(workspace: id, person: viewer.id)
            guard WorkspacePolicy.canSee(found.visibility, viewer: viewer.role, membership: role) else { throw DomainError.notFound("Workspace") }
            guard WorkspacePolicy.canRead(found.visibility, viewer: viewer.role, membership: role) else {
                throw DomainError.forbidden("Only members can follow this workspace.")
            }
            return id.description
        case .person:
            guard let id = PersonID(raw), let person = try await store.person(id: id), !person.disabled else { throw DomainError.notFound("Person") }
            let shares = try await store.shareWorkspace(viewer.id, id)
            guard DirectoryPolicy.canView(target: person.role, viewer: viewer.role, isSelf: id == viewer.id, sharesWorkspace: shares) else {
                throw DomainError.notFound("Person")
            }
            guard id != viewer.id else { throw DomainError.validation([FieldError(field: "target", message: "You cannot follow yourself.")]) }
            return id.description
        case .tag, .category:
            let folded = Follow.fold(raw)
            guard !folded.isEmpty, folded.count <= Follow.targetLength,
                  !folded.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw DomainError.validation([FieldError(field: "target", message: "must be 1 to \(Follow.targetLength) characters")])
            }
            return folded
        }
    }
}
