import CommunisModel
import CommunisServices
import CommunisStore
import Foundation

/// A believable Swedish municipal organisation for trying Communis out: departments
/// (förvaltningar), about thirty people with titles and workplaces, and a handful of
/// workspaces, one of them with an external guest and one secret.
public enum DemoOrganisation {
    public static let password = "Katrineholm2026"
    public static let adminEmail = "anna.lindqvist@katrineholm.se"

    struct PersonRow {
        var name: String
        var title: String
        var department: String
        var workplace: String
        var competences: [String]
        var role: Role = .member
        var domain = "katrineholm.se"

        var email: String {
            let local = name.lowercased()
                .replacingOccurrences(of: "å", with: "a").replacingOccurrences(of: "ä", with: "a")
                .replacingOccurrences(of: "ö", with: "o").replacingOccurrences(of: "é", with: "e")
                .split(separator: " ").joined(separator: ".")
            return "\(local)@\(domain)"
        }
    }

    static let kommunledning = "Kommunledningsförvaltningen"
    static let bildning = "Bildningsförvaltningen"
    static let vard = "Vård- och omsorgsförvaltningen"
    static let social = "Socialförvaltningen"
    static let samhallsbyggnad = "Samhällsbyggnadsförvaltningen"
    static let service = "Service- och teknikförvaltningen"
    static let kultur = "Kultur- och turismförvaltningen"

    static let people: [PersonRow] = [
        PersonRow(name: "Anna Lindqvist", title: "IT-strateg", department: kommunledning, workplace: "Stadshuset", competences: ["Digitalisering", "Informationssäkerhet", "Projektledning"], role: .admin),
        PersonRow(name: "Erik Johansson", title: "Rektor", department: bildning, workplace: "Duveholmsgymnasiet", competences: ["Skolutveckling", "Ledarskap"]),
        PersonRow(name: "Sara Nilsson", title: "Enhetschef", department: vard, workplace: "Järvenhemmet", competences: ["Äldreomsorg", "Välfärdsteknik"]),
        PersonRow(name: "Lena Berg", title: "Webbkonsult", department: "Konsultbolaget AB", workplace: "Extern", competences: ["Tillgänglighet", "Webbdesign"], role: .guest, domain: "konsultbolaget.se"),
        PersonRow(name: "Johan Andersson", title: "Kommunikatör", department: kommunledning, workplace: "Stadshuset", competences: ["Klarspråk", "Sociala medier", "Webbpublicering"]),
        PersonRow(name: "Maria Karlsson", title: "HR-specialist", department: kommunledning, workplace: "Stadshuset", competences: ["Arbetsrätt", "Rekrytering"]),
        PersonRow(name: "Peter Svensson", title: "Ekonomichef", department: kommunledning, workplace: "Stadshuset", competences: ["Budget", "Upphandling"]),
        PersonRow(name: "Karin Gustafsson", title: "Kommunsekreterare", department: kommunledning, workplace: "Stadshuset", competences: ["Diarieföring", "Offentlighetsprincipen"]),
        PersonRow(name: "Ahmed Hassan", title: "Systemförvaltare", department: kommunledning, workplace: "IT-enheten, Stadshuset", competences: ["Procapita", "Active Directory", "Office 365"]),
        PersonRow(name: "Eva Pettersson", title: "Lärare i svenska", department: bildning, workplace: "Duveholmsgymnasiet", competences: ["Svenska som andraspråk", "Läsfrämjande"]),
        PersonRow(name: "Mikael Larsson", title: "Lärare i matematik", department: bildning, workplace: "Järvenskolan", competences: ["Matematik", "Programmering"]),
        PersonRow(name: "Sofia Olsson", title: "Förskollärare", department: bildning, workplace: "Förskolan Solrosen", competences: ["Förskolepedagogik", "Utomhuspedagogik"]),
        PersonRow(name: "Lars Persson", title: "Skolkurator", department: bildning, workplace: "Sandbäcksskolan", competences: ["Elevhälsa", "Samtalsmetodik"]),
        PersonRow(name: "Åsa Öberg", title: "Specialpedagog", department: bildning, workplace: "Skogsborgsskolan", competences: ["Specialpedagogik", "NPF"]),
        PersonRow(name: "Fatima Ali", title: "Undersköterska", department: vard, workplace: "Järvenhemmet", competences: ["Demensvård", "Arabiska"]),
        PersonRow(name: "Björn Eriksson", title: "Sjuksköterska", department: vard, workplace: "Hemsjukvården", competences: ["Läkemedelshantering", "Palliativ vård"]),
        PersonRow(name: "Helena Jonsson", title: "Biståndshandläggare", department: vard, workplace: "Stadshuset", competences: ["Socialtjänstlagen", "Procapita"]),
        PersonRow(name: "Nils Holm", title: "Arbetsterapeut", department: vard, workplace: "Hemtjänsten Norr", competences: ["Hjälpmedel", "Rehabilitering"]),
        PersonRow(name: "Ingrid Lund", title: "Socialsekreterare", department: social, workplace: "Socialkontoret", competences: ["Barn och unga", "BBIC"]),
        PersonRow(name: "Daniel Forsberg", title: "Enhetschef försörjningsstöd", department: social, workplace: "Socialkontoret", competences: ["Ekonomiskt bistånd", "Arbetsmarknad"]),
        PersonRow(name: "Elin Sandberg", title: "Familjebehandlare", department: social, workplace: "Familjecentralen", competences: ["Föräldrastöd", "MI"]),
        PersonRow(name: "Oskar Lindberg", title: "Bygglovshandläggare", department: samhallsbyggnad, workplace: "Stadshuset", competences: ["Plan- och bygglagen", "GIS"]),
        PersonRow(name: "Camilla Ström", title: "Miljöinspektör", department: samhallsbyggnad, workplace: "Stadshuset", competences: ["Livsmedelskontroll", "Miljöbalken"]),
        PersonRow(name: "Henrik Axelsson", title: "Trafikingenjör", department: samhallsbyggnad, workplace: "Stadshuset", competences: ["Trafiksäkerhet", "GIS"]),
        PersonRow(name: "Linnea Bergström", title: "Kostchef", department: service, workplace: "Centralköket", competences: ["Måltidsplanering", "Upphandling"]),
        PersonRow(name: "Magnus Nyberg", title: "Fastighetstekniker", department: service, workplace: "Fastighetsenheten", competences: ["Ventilation", "Energieffektivisering"]),
        PersonRow(name: "Jenny Wallin", title: "Lokalvårdare", department: service, workplace: "Duveholmsgymnasiet", competences: ["Lokalvård", "Arbetsmiljö"]),
        PersonRow(name: "Gustav Ek", title: "Bibliotekarie", department: kultur, workplace: "Stadsbiblioteket", competences: ["Läsfrämjande", "Digital delaktighet"]),
        PersonRow(name: "Emma Sjöberg", title: "Kulturutvecklare", department: kultur, workplace: "Kulturhuset Ebeneser", competences: ["Evenemang", "Föreningsliv"]),
        PersonRow(name: "Viktor Håkansson", title: "Turistinformatör", department: kultur, workplace: "Turistbyrån", competences: ["Engelska", "Tyska", "Besöksnäring"]),
        PersonRow(name: "Rebecka Falk", title: "Dataskyddsombud", department: kommunledning, workplace: "Stadshuset", competences: ["GDPR", "Informationssäkerhet"]),
    ]

    struct WorkspaceRow {
        var name: String
        var description: String
        var visibility: Visibility
        var owner: String
        var members: [String]
    }

    static let workspaces: [WorkspaceRow] = [
        WorkspaceRow(name: "Ny webbplats för medborgare", description: "Vi tar fram kommunens nya webbplats tillsammans med Konsultbolaget. Fokus: tillgänglighet (WCAG 2.1 AA), klarspråk och publicera en gång.", visibility: .closed, owner: "Anna Lindqvist", members: ["Johan Andersson", "Karin Gustafsson", "Lena Berg", "Rebecka Falk"]),
        WorkspaceRow(name: "Digitalisering i äldreomsorgen", description: "Välfärdsteknik, trygghetskameror och digitala tillsynsbesök. Alla som arbetar med äldreomsorg är välkomna.", visibility: .open, owner: "Sara Nilsson", members: ["Fatima Ali", "Björn Eriksson", "Helena Jonsson", "Nils Holm", "Ahmed Hassan"]),
        WorkspaceRow(name: "Skolstart 2027", description: "Planering inför läsårsstarten: schemaläggning, elevhälsa och skolskjuts över skolgränserna.", visibility: .closed, owner: "Erik Johansson", members: ["Eva Pettersson", "Mikael Larsson", "Lars Persson", "Åsa Öberg", "Henrik Axelsson"]),
        WorkspaceRow(name: "Ledningsgruppen – budget 2027", description: "Förvaltningschefernas arbetsyta för budgetarbetet. Sekretessbelagt underlag hanteras i diariet.", visibility: .secret, owner: "Peter Svensson", members: ["Anna Lindqvist", "Maria Karlsson"]),
        WorkspaceRow(name: "Friskvård och personalaktiviteter", description: "Stegtävling, friskvårdsbidrag och afterwork. Tipsa varandra!", visibility: .open, owner: "Maria Karlsson", members: ["Jenny Wallin", "Gustav Ek", "Emma Sjöberg", "Magnus Nyberg"]),
        WorkspaceRow(name: "Lathundar och IT-tips", description: "Snabbguider för Office 365, Procapita och telefonin. Fråga här innan du ringer IT-supporten.", visibility: .open, owner: "Ahmed Hassan", members: ["Anna Lindqvist", "Helena Jonsson", "Linnea Bergström"]),
    ]

    /// Fills an empty database; returns false (and changes nothing) if anyone exists already.
    /// `recordingsDirectory`: where the demo guide's recording is written (nil: no recording);
    /// `documentsDirectory`: where the demo documents' files go (nil: no documents), and
    /// `processing` what makes their text and previews.
    public static func seedIfEmpty(store: any CommunisStore, hasher: any PasswordHasher, recordingsDirectory: String? = nil,
                                   documentsDirectory: String? = nil, processing: any DocumentProcessing = NoDocumentProcessing()) async throws -> Bool {
        guard try await store.countPeople() == 0 else { return false }
        let administration = Administration(store: store, hasher: hasher)
        let workspaceService = Workspaces(store: store)
        // One hash for all demo accounts: bcrypt is slow on purpose.
        let hash = await hasher.hash(password)
        var byName: [String: Person] = [:]
        for (index, row) in people.enumerated() {
            let profile = Profile(
                title: row.title, department: row.department, workplace: row.workplace,
                phone: "0150-\(57_100 + index * 7)",
                presentation: "Jag arbetar som \(row.title.lowercased()) på \(row.workplace).",
                competences: row.competences)
            byName[row.name] = try await administration.createAccount(
                NewAccount(email: row.email, name: row.name, password: nil, role: row.role, profile: profile), passwordHash: hash)
        }
        var workspaceIDs: [String: WorkspaceID] = [:]
        for row in workspaces {
            guard let owner = byName[row.owner] else { continue }
            let listing = try await workspaceService.create(viewer: Viewer(person: owner), name: row.name, description: row.description, visibility: row.visibility)
            workspaceIDs[row.name] = listing.overview.workspace.id
            for name in row.members {
                guard let member = byName[name] else { continue }
                _ = try await workspaceService.addMember(viewer: Viewer(person: owner), id: listing.overview.workspace.id, person: member.id)
            }
        }
        if let ahmed = byName["Ahmed Hassan"], let it = workspaceIDs["Lathundar och IT-tips"] {
            _ = try await Meetings(store: store, publisher: NoLivePublisher()).create(
                viewer: Viewer(person: ahmed), workspace: it, title: "Veckomöte IT", scheduledFor: tomorrowAtNine())
        }
        var guide: Recording?
        if let recordingsDirectory, let ahmed = byName["Ahmed Hassan"], let it = workspaceIDs["Lathundar och IT-tips"] {
            guide = try await DemoRecordings.seedGuide(store: store, directory: recordingsDirectory, trainer: ahmed, workspace: it)
        }
        try await DemoHowTos.seed(store: store, byName: byName, workspaceIDs: workspaceIDs, guide: guide)
        var documents: [String: DocumentID] = [:]
        if let documentsDirectory {
            documents = try await DemoDocuments.seed(store: store, directory: documentsDirectory, processing: processing, byName: byName, workspaceIDs: workspaceIDs)
        }
        try await DemoDiscussions.seed(store: store, byName: byName, workspaceIDs: workspaceIDs, documents: documents)
        try await DemoNews.seed(store: store, byName: byName)
        return true
    }

    /// 09:00 tomorrow, Swedish time: the demo's scheduled meeting is always ahead.
    static func tomorrowAtNine(now: Date = Date()) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Stockholm") ?? .current
        guard let tomorrow = calendar.date(byAdding: .day, value: 1, to: now) else { return nil }
        return calendar.date(bySettingHour: 9, minute: 0, second: 0, of: tomorrow)
    }
}
