import Foundation

/// Who can see and enter a workspace (samarbetsyta).
public enum Visibility: String, Sendable, Codable, CaseIterable {
    /// Any employee can see it and join.
    case open
    /// Its name is visible to employees; joining is by request or invitation.
    case closed
    /// Invisible to everyone who is not a member.
    case secret
}

/// A member's standing in one workspace.
public enum MembershipRole: String, Sendable, Codable, CaseIterable {
    case owner
    case member
}

/// A collaboration space for a project group, across departments.
public struct Workspace: Sendable, Equatable, Identifiable {
    public var id: WorkspaceID
    public var name: String
    public var description: String
    public var visibility: Visibility
    public var createdBy: PersonID?
    public var createdAt: Date

    public init(
        id: WorkspaceID = WorkspaceID(), name: String, description: String, visibility: Visibility,
        createdBy: PersonID?, createdAt: Date = Date()
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.visibility = visibility
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// A workspace with the counts a list shows.
public struct WorkspaceOverview: Sendable, Equatable {
    public var workspace: Workspace
    public var memberCount: Int
    public var ownerCount: Int
    public var guestCount: Int

    public init(workspace: Workspace, memberCount: Int, ownerCount: Int, guestCount: Int) {
        self.workspace = workspace
        self.memberCount = memberCount
        self.ownerCount = ownerCount
        self.guestCount = guestCount
    }

    /// External people are present: what is shared here can become a public record
    /// (offentlighetsprincipen), and the workspace must say so.
    public var hasGuests: Bool { guestCount > 0 }
}

public struct Membership: Sendable, Equatable {
    public var workspaceID: WorkspaceID
    public var personID: PersonID
    public var role: MembershipRole
    public var joinedAt: Date

    public init(workspaceID: WorkspaceID, personID: PersonID, role: MembershipRole, joinedAt: Date = Date()) {
        self.workspaceID = workspaceID
        self.personID = personID
        self.role = role
        self.joinedAt = joinedAt
    }
}

/// A member together with the person, for member lists.
public struct Member: Sendable, Equatable {
    public var person: Person
    public var role: MembershipRole
    public var joinedAt: Date

    public init(person: Person, role: MembershipRole, joinedAt: Date) {
        self.person = person
        self.role = role
        self.joinedAt = joinedAt
    }
}

public struct JoinRequest: Sendable, Equatable {
    public var workspaceID: WorkspaceID
    public var person: Person
    public var requestedAt: Date

    public init(workspaceID: WorkspaceID, person: Person, requestedAt: Date) {
        self.workspaceID = workspaceID
        self.person = person
        self.requestedAt = requestedAt
    }
}
