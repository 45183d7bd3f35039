import CommunisServices
import Foundation

extension Configuration {
    /// The keys of news (`news.*`).
    static let newsKeys: [ConfigurationKey] = [
        .init(name: "news.organisation_name", kind: .string, defaultValue: .string("Kommunen"),
              help: "The main organisation's name (the municipality), used when it is first made; administrators add the companies."),
        .init(name: "news.max_image_bytes", kind: .integer(1024...104_857_600), defaultValue: .integer(5_242_880),
              help: "Largest image a news item may have, in bytes; larger ones are refused with 413."),
        .init(name: "news.image_types", kind: .stringList, defaultValue: .stringList(["image/png", "image/jpeg", "image/webp"]),
              help: "Media types a news item's image may have (read from the image's first bytes): image/png, image/jpeg, image/webp."),
    ]

    /// The news settings as the services take them.
    public var newsSettings: NewsSettings {
        NewsSettings(mainOrganisationName: news.organisationName, maxImageBytes: news.maxImageBytes, imageTypes: news.imageTypes)
    }

    static func news(_ string: (String) -> String, _ int: (String) -> Int, _ list: (String) -> [String]) -> NewsConfiguration {
        NewsConfiguration(organisationName: string("news.organisation_name"), maxImageBytes: int("news.max_image_bytes"),
                          imageTypes: list("news.image_types"))
    }
}

/// News (`news.*`).
public struct NewsConfiguration: Sendable, Equatable {
    public var organisationName: String
    public var maxImageBytes: Int
    public var imageTypes: [String]
}
