import CommunisModel
import Foundation
import Testing

@Suite("Who may do what with a document library")
struct DocumentPolicyTests {
    @Test("Readers are the workspace's readers; writers its members, guests included")
    func readAndWrite() {
        #expect(DocumentPolicy.canRead(.open, viewer: .member, membership: nil))
        #expect(!DocumentPolicy.canRead(.closed, viewer: .member, membership: nil))
        #expect(!DocumentPolicy.canRead(.open, viewer: .guest, membership: nil))
        #expect(DocumentPolicy.canRead(.secret, viewer: .guest, membership: .member))
        #expect(DocumentPolicy.canWrite(viewer: .guest, membership: .member))
        #expect(!DocumentPolicy.canWrite(viewer: .admin, membership: nil), "reading an open workspace is not writing in it")
    }

    @Test("Owners and administrators who may read approve and break locks; members and outsiders do not")
    func approve() {
        #expect(DocumentPolicy.canApprove(.closed, viewer: .member, membership: .owner))
        #expect(DocumentPolicy.canApprove(.open, viewer: .admin, membership: nil))
        #expect(!DocumentPolicy.canApprove(.secret, viewer: .admin, membership: nil), "an administrator who cannot see it")
        #expect(!DocumentPolicy.canApprove(.closed, viewer: .member, membership: .member))
        #expect(!DocumentPolicy.canApprove(.closed, viewer: .guest, membership: .member))
        #expect(DocumentPolicy.canUnlock(.closed, viewer: .guest, membership: .member, isHolder: true))
        #expect(!DocumentPolicy.canUnlock(.closed, viewer: .member, membership: .member, isHolder: false))
        #expect(DocumentPolicy.canUnlock(.closed, viewer: .member, membership: .owner, isHolder: false))
    }

    @Test("Allowed types: empty allows all; media types, families and extensions match, case-insensitively")
    func allowedTypes() {
        #expect(DocumentPolicy.isAllowed(mediaType: "application/x-anything", fileName: "a.bin", allowed: []))
        let allowed = ["application/pdf", "image/*", ".DOCX", "odt"]
        #expect(DocumentPolicy.isAllowed(mediaType: "application/pdf", fileName: "x", allowed: allowed))
        #expect(DocumentPolicy.isAllowed(mediaType: "image/png", fileName: "x.png", allowed: allowed))
        #expect(DocumentPolicy.isAllowed(mediaType: "application/octet-stream", fileName: "Avtal.docx", allowed: allowed))
        #expect(DocumentPolicy.isAllowed(mediaType: "application/octet-stream", fileName: "Protokoll.ODT", allowed: allowed))
        #expect(!DocumentPolicy.isAllowed(mediaType: "application/zip", fileName: "arkiv.zip", allowed: allowed))
        #expect(!DocumentPolicy.isAllowed(mediaType: "application/octet-stream", fileName: "docx", allowed: allowed), "a name without an extension")
    }

    @Test("Document problems say it in Swedish first, and sizes as people read them")
    func messages() {
        #expect(DomainError.fileTooLarge(maxBytes: 2 << 30).detail.hasPrefix("Filen är för stor: högst 2 GiB är tillåtet."))
        #expect(DomainError.size(1536) == "1.5 KiB")
        #expect(DomainError.size(900) == "900 byte")
        let locked = DomainError.locked(holderID: PersonID(), holderName: "Erik Johansson", expiresAt: Date(timeIntervalSince1970: 1_796_637_600))
        #expect(locked.code == "locked")
        #expect(locked.detail.contains("utcheckat av Erik Johansson"))
    }
}
