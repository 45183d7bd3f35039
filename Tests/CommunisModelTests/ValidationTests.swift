import CommunisModel
import Testing

@Suite("Validation of what people type")
struct ValidationTests {
    @Test("All field errors are reported together")
    func collectsAll() throws {
        var validator = Validator()
        validator.text("", field: "name", required: true, max: 10)
        validator.text(String(repeating: "a", count: 11), field: "title", max: 10)
        _ = validator.email("not-an-address")
        validator.password("short")
        #expect(throws: DomainError.self) { try validator.check() }
        #expect(validator.errors.map(\.field) == ["name", "title", "email", "password"])
    }

    @Test("Names are trimmed and limited to 120 characters, counted as characters not bytes")
    func names() {
        var validator = Validator()
        #expect(validator.text("  Skolstart 2027  ", field: "name", required: true, max: Limits.nameLength) == "Skolstart 2027")
        _ = validator.text(String(repeating: "ö", count: 120), field: "name", max: Limits.nameLength)
        #expect(validator.errors.isEmpty)
        _ = validator.text(String(repeating: "ö", count: 121), field: "name", max: Limits.nameLength)
        #expect(validator.errors.count == 1)
    }

    @Test("Control characters are refused, line breaks are kept")
    func controlCharacters() {
        var validator = Validator()
        _ = validator.text("rad ett\nrad två", field: "description", max: 100)
        #expect(validator.errors.isEmpty)
        _ = validator.text("bell\u{07}", field: "description", max: 100)
        #expect(validator.errors.count == 1)
    }

    @Test("E-mail addresses are normalised to lower case")
    func emails() {
        var validator = Validator()
        #expect(validator.email(" Anna.Lindqvist@Katrineholm.SE ") == "anna.lindqvist@katrineholm.se")
        #expect(validator.errors.isEmpty)
        for bad in ["anna", "anna@", "@katrineholm.se", "anna@katrineholm", "an na@katrineholm.se"] {
            #expect(!Email.isPlausible(bad), "\(bad) passed")
        }
    }

    @Test("Competences: duplicates (any case) and blanks dropped, at most 30")
    func competences() {
        var validator = Validator()
        #expect(validator.competences(["GIS", " gis ", "", "Upphandling"]) == ["GIS", "Upphandling"])
        _ = validator.competences((1...31).map { "Kompetens \($0)" })
        #expect(validator.errors.count == 1)
    }

    @Test("Passwords: at least 10 characters, at most 72 bytes (bcrypt's limit)")
    func passwords() {
        var validator = Validator()
        validator.password("Katrineholm2026")
        #expect(validator.errors.isEmpty)
        validator.password(String(repeating: "å", count: 40))
        #expect(validator.errors.count == 1)
    }

    @Test("Typed ids parse any case and print lower case")
    func ids() throws {
        let id = try #require(PersonID("8E1C9F2A-2D4B-4C55-9E0F-0123456789AB"))
        #expect(id.description == "8e1c9f2a-2d4b-4c55-9e0f-0123456789ab")
        #expect(PersonID("not-a-uuid") == nil)
    }
}
