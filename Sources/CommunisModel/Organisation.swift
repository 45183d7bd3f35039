import Foundation

/// An organisation of the installation: the municipality (the main one, `isMain`) or one of
/// its companies (kommunala bolag). A person belongs to one; a person without one belongs to
/// the main organisation. News can be aimed at organisations or at the whole group
/// (koncernnivå).
public struct Organisation: Sendable, Equatable, Identifiable {
    public var id: OrganisationID
    public var name: String
    public var isMain: Bool
    public var createdAt: Date

    public init(id: OrganisationID = OrganisationID(), name: String, isMain: Bool = false, createdAt: Date) {
        self.id = id
        self.name = name
        self.isMain = isMain
        self.createdAt = createdAt
    }

    public static let nameLength = 120
}
