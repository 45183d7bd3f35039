import CommunisMarkdown
import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import Hummingbird

/// `NewsInput` (+ `material` on PUT) of docs/openapi.yaml. Dates are ISO 8601 with or without
/// fractional seconds (what `Date.toISOString()` writes).
struct NewsInputBody: Decodable {
    struct Acknowledgement: Decodable { var required: Bool?; var deadline: String? }
    struct Audience: Decodable {
        var organisationIds: [String]?
        var departments: [String]?
        var workplaces: [String]?
        var titles: [String]?
        var groups: [String]?
    }

    var title: String
    var introduction: String?
    var body: String?
    var tags: [String]?
    var category: String?
    var publishAt: String?
    var endsAt: String?
    var pinned: Bool?
    var important: Bool?
    var allowComments: Bool?
    var allowReactions: Bool?
    var acknowledgement: Acknowledgement?
    var audience: Audience?
    var draft: Bool?
    var material: Bool?

    static func date(_ text: String?, _ field: String) throws -> Date? {
        guard let text, !text.isEmpty else { return nil }
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
            throw Problem.badParameter(field, "must be a date-time like 2026-12-24T09:00:00Z")
        }
        return date
    }

    func input() throws -> NewsInput {
        var organisations: [OrganisationID] = []
        for text in audience?.organisationIds ?? [] {
            guard let id = OrganisationID(text) else { throw Problem.badParameter("audience.organisationIds", "\(text) is not an organisation id") }
            organisations.append(id)
        }
        return NewsInput(
            title: title, introduction: introduction ?? "", body: body ?? "", tags: tags ?? [], category: category,
            publishAt: try Self.date(publishAt, "publishAt"), endsAt: try Self.date(endsAt, "endsAt"), pinned: pinned ?? false,
            important: important ?? false, allowComments: allowComments ?? true, allowReactions: allowReactions ?? true,
            acknowledgementRequired: acknowledgement?.required ?? false,
            acknowledgementDeadline: try Self.date(acknowledgement?.deadline, "acknowledgement.deadline"),
            audience: NewsAudience(organisationIDs: organisations, departments: audience?.departments ?? [], workplaces: audience?.workplaces ?? [],
                                   titles: audience?.titles ?? [], groups: audience?.groups ?? []),
            draft: draft ?? false)
    }
}

/// `GET /news/{id}/acknowledgements`.
struct AcknowledgementReportJSON: Encodable {
    struct Group: Encodable { var department: String?; var workplace: String?; var total: Int; var acknowledged: Int }
    struct PersonLine: Encodable {
        var person: PersonSummaryJSON
        var department: String
        var workplace: String
        var acknowledgedAt: Date?

        enum CodingKeys: String, CodingKey { case person, department, workplace, acknowledgedAt }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(person, forKey: .person)
            try c.encode(department, forKey: .department)
            try c.encode(workplace, forKey: .workplace)
            try c.encode(acknowledgedAt, forKey: .acknowledgedAt)
        }
    }

    var required: Bool
    var deadline: Date?
    var revision: Int
    var total: Int
    var acknowledged: Int
    var byDepartment: [Group]
    var byWorkplace: [Group]
    var people: [PersonLine]

    enum CodingKeys: String, CodingKey { case required, deadline, revision, total, acknowledged, byDepartment, byWorkplace, people }

    init(_ news: News, _ report: NewsAcknowledgementReport) {
        required = news.content.acknowledgementRequired
        deadline = news.content.acknowledgementDeadline
        revision = news.revision
        total = report.total
        acknowledged = report.acknowledged
        byDepartment = report.byDepartment.map { Group(department: $0.name, workplace: nil, total: $0.total, acknowledged: $0.acknowledged) }
        byWorkplace = report.byWorkplace.map { Group(department: nil, workplace: $0.name, total: $0.total, acknowledged: $0.acknowledged) }
        people = report.people.map {
            PersonLine(person: PersonSummaryJSON($0.person), department: $0.person.profile.department, workplace: $0.person.profile.workplace,
                       acknowledgedAt: $0.acknowledgedAt)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(required, forKey: .required)
        try c.encode(deadline, forKey: .deadline)
        try c.encode(revision, forKey: .revision)
        try c.encode(total, forKey: .total)
        try c.encode(acknowledged, forKey: .acknowledged)
        try c.encode(byDepartment, forKey: .byDepartment)
        try c.encode(byWorkplace, forKey: .byWorkplace)
        try c.encode(people, forKey: .people)
    }
}

/// A news image arrives as the raw bytes or as the first part of a multipart/form-data body.
enum NewsImageBody {
    static func image(_ body: Data, contentType: String?) -> Data {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundaryRange = contentType.range(of: "boundary=") else { return body }
        let boundary = contentType[boundaryRange.upperBound...].split(separator: ";").first.map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        } ?? ""
        let delimiter = Data("--\(boundary)".utf8)
        guard !boundary.isEmpty, let first = body.range(of: delimiter),
              let headersEnd = body.range(of: Data("\r\n\r\n".utf8), in: first.upperBound..<body.endIndex) else { return body }
        let rest = headersEnd.upperBound..<body.endIndex
        guard let next = body.range(of: Data("\r\n--\(boundary)".utf8), in: rest) else { return body[rest] }
        return body[headersEnd.upperBound..<next.lowerBound]
    }
}

/// `GET /feeds/news.atom[?organisationId&tag&token]`: public items (for everyone in the whole
/// group) without a token; with a personal feed token, what its person may read.
enum NewsFeed {
    static func register(on router: Router<AppRequestContext>, services: Services) {
        router.get("feeds/news.atom") { request, context in
            var organisation: OrganisationID?
            if let text = request.query("organisationId") {
                guard let id = OrganisationID(text) else { throw Problem.badParameter("organisationId", "must be an organisation id") }
                organisation = id
            }
            guard let items = try await services.news.feed(token: request.query("token"), organisation: organisation, tag: request.query("tag")) else {
                throw Problem(.notFound, code: "not-found", title: "Not found", detail: "No such feed: the feed token is unknown.")
            }
            let base = services.baseURL(request)
            let formatter = ISO8601DateFormatter()
            let updated = items.map(\.news.updatedAt).max() ?? Date(timeIntervalSince1970: 0)
            var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="sv">
              <id>\(AtomFeed.escape("\(base)/feeds/news.atom"))</id>
              <title>Nyheter</title>
              <updated>\(formatter.string(from: updated))</updated>
              <link rel="alternate" type="text/html" href="\(AtomFeed.escape("\(base)/#/news"))"/>
              <generator>Communis</generator>

            """
            for view in items {
                let news = view.news
                let link = "\(base)/#/news/\(news.id)"
                xml += """
                  <entry>
                    <id>urn:uuid:\(news.id)</id>
                    <title>\(AtomFeed.escape(news.content.title))</title>
                    <author><name>\(AtomFeed.escape(view.author?.name ?? ""))</name></author>
                    <published>\(formatter.string(from: news.content.publishAt))</published>
                    <updated>\(formatter.string(from: news.updatedAt))</updated>
                    <link rel="alternate" type="text/html" href="\(AtomFeed.escape(link))"/>
                    <summary>\(AtomFeed.escape(news.content.introduction))</summary>
                    <content type="html">\(AtomFeed.escape(Markdown.html(news.content.body)))</content>
            \(news.content.tags.map { "    <category term=\"\(AtomFeed.escape($0))\"/>\n" }.joined())  </entry>

            """
            }
            return AtomFeed.response(xml + "</feed>\n")
        }
    }
}
